/** The workflow's "current details" shown by the Temporal Web UI: status and signers, in Markdown. */
import type { TransactionState } from './messages';

export function renderCurrentDetails(state: TransactionState): string {
  const lines = [
    `**Status:** ${state.status ?? 'not read yet'}` +
      (state.universignState
        ? ` (Universign: ${state.universignState}${state.stalled ? `, stalled: ${state.stalledReason ?? 'yes'}` : ''})`
        : ''),
  ];
  if (state.sageDocument) lines.push(`**Sage document:** ${state.sageDocument.type} ${state.sageDocument.number}`);
  if (state.signers.length > 0) {
    lines.push('', '**Signers**');
    for (const signer of state.signers) {
      lines.push(`- ${signer.name ? `${signer.name} <${signer.email}>` : signer.email}: ${signer.state}`);
    }
  }
  if (state.actions.length > 0) {
    lines.push('', '**Actions**');
    for (const action of state.actions) {
      lines.push(`- ${action.kind} (${action.status}): ${action.state}${action.summary ? ` — ${action.summary}` : ''}`);
    }
  }
  if (state.lastSyncError)
    lines.push('', `**Last sync error** (${state.lastSyncError.at}): ${state.lastSyncError.type}: ${state.lastSyncError.message}`);
  if (state.lastSyncedAt) lines.push('', `Last synced ${state.lastSyncedAt}; next poll ${state.nextPollAt ?? 'n/a'}.`);
  return lines.join('\n');
}
