/** The state of a transaction workflow before Universign was ever read. */
import type { SignatureTransactionInput, TransactionState } from './messages';

export function initialState(input: SignatureTransactionInput, workflowId: string, pollSeconds: number): TransactionState {
  return {
    transactionId: input.transactionId,
    workflowId,
    sageDocument: input.sageDocument ?? null,
    status: null,
    universignState: null,
    stalled: false,
    stalledReason: null,
    signers: [],
    syncCount: 0,
    statusChanges: 0,
    lastSyncedAt: null,
    lastSyncError: null,
    webhookReceived: false,
    webhooksArriving: false,
    actions: [],
    pollIntervalSeconds: pollSeconds,
    nextPollAt: null,
    final: false,
  };
}
