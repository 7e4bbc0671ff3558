/**
 * The wire shapes the Universign simulator answers and reports: a transaction as GET
 * /v1/transactions/{id} returns it, an action as webhooks carry it, the event types of its
 * changes and the hook that receives them. transactionToJson/actionToJson render the in-memory
 * records (simulated-transaction.ts) into those shapes.
 */
import type { SimulatedAction, SimulatedTransaction } from './simulated-transaction';

/** Universign webhook event types the simulator reports through onTransactionChanged. */
export type SimulatedEventType =
  | 'transaction.lifecycle.created'
  | 'transaction.lifecycle.started'
  | 'transaction.lifecycle.paused'
  | 'transaction.lifecycle.cancelled'
  | 'transaction.lifecycle.expired'
  | 'transaction.lifecycle.completed'
  | 'action.opened'
  | 'action.closed'
  | 'action.stalled';

/** The wire shape of GET /v1/transactions/{id}. */
export type TransactionJson = Record<string, unknown> & { object: 'transaction'; id: string; state: string };
export type ActionJson = Record<string, unknown> & { object: 'action'; id: string; actor: string };

/** Called after every change, with the transaction as the API would now return it. */
export type TransactionChangedHook = (
  transaction: TransactionJson,
  eventType: SimulatedEventType,
  action?: ActionJson,
) => void | Promise<void>;

/** The transaction as GET /v1/transactions/{id} returns it; `signingUrl` gives each action's link. */
export function transactionToJson(transaction: SimulatedTransaction, signingUrl: (actionId: string) => string): TransactionJson {
  const signatureTasks = transaction.actions.flatMap((action) => action.tasks);
  const done = signatureTasks.filter((task) => task.state === 'done').length;
  return {
    object: 'transaction',
    id: transaction.id,
    name: transaction.name,
    language: transaction.language,
    state: transaction.state,
    stalled: transaction.stalled,
    stalled_reason: transaction.stalledReason,
    created_at: transaction.createdAt,
    started_at: transaction.startedAt,
    expires_at: transaction.expiresAt,
    ...(transaction.completedAt ? { completed_at: transaction.completedAt } : {}),
    ...(transaction.cancelledAt ? { cancelled_at: transaction.cancelledAt } : {}),
    metadata: { ...transaction.metadata },
    documents: transaction.documents.map((doc) => ({ object: 'document', id: doc.id, name: doc.name })),
    participants: transaction.participants.map((participant) => ({
      object: 'participant',
      email: participant.email,
      full_name: participant.fullName,
      phone_number: participant.phoneNumber,
      min_signature_level: participant.minSignatureLevel,
      state: participant.state,
    })),
    actions: transaction.actions.map((action) => actionToJson(transaction, action, signingUrl)),
    progress_value: signatureTasks.length === 0 ? 0 : Math.round((done / signatureTasks.length) * 100),
  };
}

export function actionToJson(
  transaction: SimulatedTransaction,
  action: SimulatedAction,
  signingUrl: (actionId: string) => string,
): ActionJson {
  return {
    object: 'action',
    id: action.id,
    transaction_id: transaction.id,
    actor: action.actor,
    state: action.state,
    started_at: action.startedAt,
    ...(action.completedAt ? { completed_at: action.completedAt } : {}),
    url: signingUrl(action.id),
    tasks: action.tasks.map((task) => ({ ...task })),
  };
}
