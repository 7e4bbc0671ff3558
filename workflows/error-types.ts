/**
 * The `ApplicationFailure.type` names of the errors the activities raise, and which of them no
 * retry can fix. The one place these names are written: the error classes in activities/ take
 * their `type` from here, and the workflow's retry policies list them from here. Pure (no Node
 * built-ins), so both the workflow bundle and the activities import it.
 */

/** Universign client errors (activities/universign-errors.ts). */
export const UNIVERSIGN_ERROR_TYPES = {
  notFound: 'TransactionNotFound',
  auth: 'UniversignAuthError',
  retryable: 'UniversignUnavailable',
  badResponse: 'UniversignBadResponse',
} as const;

/** Sage 100 gateway client errors (activities/sage-gateway-errors.ts). */
export const SAGE_GATEWAY_ERROR_TYPES = {
  unavailable: 'SageGatewayUnavailable',
  rejected: 'SageGatewayRejected',
  documentNotFound: 'SageDocumentNotFound',
} as const;

/** Mailer errors (activities/create-mailer.ts). */
export const MAILER_ERROR_TYPES = {
  unavailable: 'MailerUnavailable',
  rejected: 'MailerRejected',
} as const;

/** Failures of the business-action bookkeeping itself (activities/actions/run-recorded-action.ts). */
export const ACTION_ERROR_TYPES = {
  /** The transaction has no row yet: its sync must be recorded before its actions. */
  transactionNotRecorded: 'TransactionNotRecorded',
  /** Another attempt holds the action's lease: retry later. */
  inProgress: 'ActionInProgress',
} as const;

/** Universign errors that no retry can fix (the Universign client marks them non-retryable). */
export const PERMANENT_UNIVERSIGN_ERROR_TYPES = [
  UNIVERSIGN_ERROR_TYPES.notFound,
  UNIVERSIGN_ERROR_TYPES.auth,
  UNIVERSIGN_ERROR_TYPES.badResponse,
] as const;

/** Error types of the action activities that no retry can fix (every permanent type above). */
export const PERMANENT_ACTION_ERROR_TYPES = [
  SAGE_GATEWAY_ERROR_TYPES.rejected,
  SAGE_GATEWAY_ERROR_TYPES.documentNotFound,
  MAILER_ERROR_TYPES.rejected,
  ...PERMANENT_UNIVERSIGN_ERROR_TYPES,
  ACTION_ERROR_TYPES.transactionNotRecorded,
] as const;

/** Whether an error of this type fails the same way however often it is retried. */
export function isPermanentErrorType(type: string): boolean {
  return (PERMANENT_ACTION_ERROR_TYPES as readonly string[]).includes(type);
}
