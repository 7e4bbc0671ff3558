/**
 * One long-lived workflow per Universign transaction: reads it from Universign at start, then on
 * a durable timer that webhook signals and operator requests cut short; records every sync through
 * activities; completes when the local status is final. This file wires the handlers to the
 * transaction's state (TransactionSync) and runs the main loop. Deterministic: no I/O here.
 */
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  forceResyncSignal,
  resyncUpdate,
  type SignatureTransactionInput,
  stateQuery,
  type TransactionState,
  universignEventSignal,
} from './messages';
import { FLEET_SCALE_PATCH } from './patches';
import { StatePublisher } from './state-publisher';
import { TransactionSync } from './transaction-sync';

/** Continue-as-new by this many events at the latest: a workflow evicted from the worker's cache replays its history on its next poll. */
export const DEFAULT_MAX_HISTORY_EVENTS = 1_000;

export async function signatureTransaction(input: SignatureTransactionInput): Promise<TransactionState> {
  const transaction = new TransactionSync(input, new StatePublisher(input.publishSearchAttributes !== false));

  setHandler(stateQuery, () => transaction.state, {
    description: 'Current status of the signature transaction as last synced from Universign.',
  });
  setHandler(universignEventSignal, (event) => transaction.receiveEvent(event), {
    description: 'A Universign webhook event (forwarded by the API): triggers a sync at once. Deduplicated by eventId.',
  });
  setHandler(forceResyncSignal, () => transaction.requests.add('forced'), {
    description: 'Operator request: re-read the transaction from Universign now. Payload {reason?}.',
  });
  setHandler(resyncUpdate, () => transaction.resync(), {
    description: 'Re-read the transaction from Universign now and return the resulting state. Payload {reason?}.',
  });

  transaction.publish();
  if (!input.carried) await transaction.sync('start');

  while (!transaction.state.final) {
    // Continue-as-new only between actions; a pending update or signal is served first.
    if (!transaction.requests.pending && transaction.actions.running === 0 && shouldContinueAsNew(input)) {
      await condition(() => transaction.requests.pending || allHandlersFinished());
      if (!transaction.requests.pending && transaction.actions.running === 0) {
        await continueAsNew<typeof signatureTransaction>({ ...input, carried: transaction.carry() });
      }
    }
    const requested = await condition(() => transaction.requests.pending, transaction.msUntilNextPoll());
    await transaction.sync(transaction.requests.take(requested));
  }

  await transaction.actions.finished();
  transaction.requests.serveAll();
  await condition(allHandlersFinished);
  return transaction.state;
}

function shouldContinueAsNew(input: SignatureTransactionInput): boolean {
  const current = workflowInfo();
  // Runs made before FLEET_SCALE_PATCH knew no default bound.
  const bound = input.maxHistoryEvents ?? (patched(FLEET_SCALE_PATCH) ? DEFAULT_MAX_HISTORY_EVENTS : undefined);
  return current.continueAsNewSuggested || (bound !== undefined && current.historyLength >= bound);
}
