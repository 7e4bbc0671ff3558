/** The ids every log line about a transaction carries, so one search finds its API, webhook and workflow lines. */
import { signatureWorkflowId } from '../workflows/messages';

export function transactionLogIds(transactionId: string): { transactionId: string; workflowId: string } {
  return { transactionId, workflowId: signatureWorkflowId(transactionId) };
}

/** A webhook event's log ids: the event's and its transaction's. */
export function webhookEventLogIds(event: { eventId: string; universignTransactionId: string }) {
  return { eventId: event.eventId, ...transactionLogIds(event.universignTransactionId) };
}
