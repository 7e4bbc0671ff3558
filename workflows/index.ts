/** Entry point bundled for the worker: every workflow type the task queue serves. */
export { signatureTransaction } from './signature-transaction';
