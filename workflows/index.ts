/** Entry point bundled for the worker: every workflow type the task queue serves. */

export { reconcileTransactions } from './reconcile-transactions';
export { sendForSignature } from './send-for-signature';
export { signatureTransaction } from './signature-transaction';
