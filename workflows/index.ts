/** Entry point bundled for the worker: every workflow type the task queue serves. */
export { sendForSignature } from './send-for-signature';
export { signatureTransaction } from './signature-transaction';
