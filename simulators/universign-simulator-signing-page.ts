/**
 * The simulator page behind each action's signing link (`actions[].url`, `/sign/{action}`): a
 * plain HTML note naming the signer, since signing itself is driven through the control API.
 */
import type { ServerResponse } from 'node:http';
import { SimulatorError } from './universign-simulator-error';
import type { UniversignSimulatorStore } from './universign-simulator-store';

export function handleSigningPage(store: UniversignSimulatorStore, res: ServerResponse, actionId: string): void {
  const owner = store.list().find((transaction) => transaction.actions.some((action) => action.id === actionId));
  const action = owner?.actions.find((each) => each.id === actionId);
  if (!owner || !action) throw new SimulatorError(404, 'not_found', `action ${actionId} not found`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><title>Universign simulator</title><p>Signing link of ${escapeHtml(action.actor)} ` +
      `for ${escapeHtml(owner.id)} (${escapeHtml(action.state)}). Drive it with ` +
      `POST /_control/transactions/${escapeHtml(owner.id)}/sign or /refuse.</p>`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
