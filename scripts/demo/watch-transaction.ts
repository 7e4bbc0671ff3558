/**
 * Follows one transaction live until it reaches a status with all that status's business actions
 * settled, printing each thing as it appears: webhooks received, status changes, business actions,
 * the Sage document's free fields (read from the Sage gateway simulator), the order, the e-mail and
 * the archived files. What was printed is remembered, so a later watch of the same transaction
 * only tells what is new.
 */
import { join } from 'node:path';
import type { HistoryEntry, TransactionHistory, TransactionView } from '../../api/transactions/transaction-schemas';
import { actionsForStatus, isFinalStatus, type LocalStatus } from '../../workflows/status-machine';
import { DemoStepFailed, expectJson } from './demo-http';
import type { DemoNarrator } from './demo-narrator';
import type { DemoOptions } from './parse-demo-options';
import { waitUntil } from './wait-until';

export interface WatchedTransaction {
  transactionId: string;
  sageDocument: { type: string; number: string };
  /** Keys of what was already told. */
  told: Set<string>;
}

interface SageDocumentWire {
  status: string;
  freeFields: Record<string, unknown>;
}

export async function watchTransaction(
  options: DemoOptions,
  narrator: DemoNarrator,
  watched: WatchedTransaction,
  goal: LocalStatus,
  step: string,
): Promise<TransactionView> {
  const { transactionId, sageDocument } = watched;
  const api = `${options.api}/api/transactions/${encodeURIComponent(transactionId)}`;
  const sageUrl = `${options.sage}/api/documents/${encodeURIComponent(sageDocument.type)}/${encodeURIComponent(sageDocument.number)}`;
  let missing = `status ${goal}`;

  return waitUntil({
    step,
    waitingFor: () => missing,
    timeoutSeconds: options.timeoutSeconds,
    narrator,
    check: async () => {
      const view = await expectJson<TransactionView>(step, api, [200, 404], { token: options.token });
      if (view.status === 404) {
        missing = 'the transaction to be recorded';
        return undefined;
      }
      const history = await expectJson<TransactionHistory>(step, `${api}/history?limit=1000`, [200], { token: options.token });
      for (const entry of history.body.entries) tellHistoryEntry(narrator, watched.told, entry);
      const sage = await expectJson<SageDocumentWire>(step, sageUrl, [200], { token: options.sageToken });
      tellSage(narrator, watched, sage.body);
      tellOutcomes(narrator, watched.told, view.body, options.archiveDir);

      const failed = view.body.actions.find((action) => action.status === 'failed');
      if (failed) throw new DemoStepFailed(step, `${failed.kind} for ${failed.forStatus} failed: ${failed.lastError ?? failed.summary}`);
      const status = view.body.status as LocalStatus;
      if (status !== goal) {
        if (isFinalStatus(status)) throw new DemoStepFailed(step, `the transaction ended ${status}, not ${goal}`);
        missing = `status ${goal} (now ${status})`;
        return undefined;
      }
      const unsettled = actionsForStatus(goal).filter(
        (kind) => !view.body.actions.some((action) => action.kind === kind && action.forStatus === goal && action.status !== 'running'),
      );
      if (unsettled.length > 0) {
        missing = `the ${goal} actions ${unsettled.join(', ')}`;
        return undefined;
      }
      return view.body;
    },
  });
}

function tellHistoryEntry(narrator: DemoNarrator, told: Set<string>, entry: HistoryEntry): void {
  if (entry.kind === 'webhook') {
    if (once(told, `webhook:${entry.eventId}`)) narrator.say('webhook received', `${entry.type} (event ${entry.eventId})`);
  } else if (entry.kind === 'sync') {
    if (entry.statusChanged && entry.newStatus && once(told, `status:${entry.newStatus}`)) {
      const from = entry.previousStatus ? `${entry.previousStatus} → ` : '';
      narrator.say('status', `${from}${entry.newStatus} (Universign ${entry.universignState ?? '?'}, read on ${entry.source})`);
    }
  } else if (entry.state !== 'running' && once(told, `action:${entry.action}:${entry.forStatus}`)) {
    narrator.say('action', `${entry.action} for ${entry.forStatus}: ${entry.state}${entry.summary ? ` — ${entry.summary}` : ''}`);
  }
}

function tellSage(narrator: DemoNarrator, watched: WatchedTransaction, document: SageDocumentWire): void {
  const fields = Object.entries(document.freeFields)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(', ');
  const { type, number } = watched.sageDocument;
  if (once(watched.told, `sage:${document.status}:${fields}`))
    narrator.say('sage fields', `${type} ${number} [${document.status}] ${fields || '(none)'}`);
}

function tellOutcomes(narrator: DemoNarrator, told: Set<string>, view: TransactionView, archiveDir: string): void {
  if (view.sageOrder && once(told, 'order')) narrator.say('order', `${view.sageOrder.type} ${view.sageOrder.number}`);
  const mail = view.actions.find((action) => action.kind === 'NOTIFY_BY_EMAIL' && action.status === 'done');
  if (mail && once(told, `mail:${mail.forStatus}`)) narrator.say('e-mail sent', mail.summary ?? '(no summary)');
  for (const document of view.archivedDocuments) {
    if (once(told, `archive:${document.path}`))
      narrator.say('archived', `${join(archiveDir, document.path)} (${document.name}, sha256 ${document.sha256.slice(0, 12)}…)`);
  }
}

/** True the first time `key` is seen. */
function once(told: Set<string>, key: string): boolean {
  if (told.has(key)) return false;
  told.add(key);
  return true;
}
