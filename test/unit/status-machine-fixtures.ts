/**
 * Hand-written contract values shared by the status-machine tests (design.md, "Local statuses";
 * universign-api.md). Never derived from the code under test.
 */
import type { LocalStatus } from '../../workflows/status-machine';

/** The six local statuses, in contract order (design.md, "Local statuses"). */
export const STATUSES: readonly LocalStatus[] = ['EN_ATTENTE', 'EN_COURS', 'SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE'];
export const FINALS: readonly LocalStatus[] = ['SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE'];

/** The four refusal stall reasons documented by Universign (universign-api.md, "Refusal"). */
export const REFUSAL_REASONS = ['signature_refusal', 'action_refusal', 'consultation_refusal', 'review_refusal'] as const;

/** Stalled reasons that are not refusals (inactivity also stalls a transaction). */
export const NON_REFUSAL_REASONS: readonly (string | null | undefined)[] = ['inactivity', null, undefined];

export const fmt = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value));
