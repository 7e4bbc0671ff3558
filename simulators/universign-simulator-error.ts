/**
 * The refusals of the Universign simulator: SimulatorError carries the HTTP status and error code
 * the router answers with, for both the store's state rules and the routes' request checks.
 */
import type { SimulatedTransaction } from './simulated-transaction';

/** A refusal by the simulated API or control; the router turns it into an HTTP answer. */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

export function invalid(message: string): SimulatorError {
  return new SimulatorError(400, 'invalid_request', message);
}

export function invalidState(transaction: SimulatedTransaction, message: string): SimulatorError {
  return new SimulatorError(400, 'invalid_transaction_state', `${message} (${transaction.id} is ${transaction.state})`);
}
