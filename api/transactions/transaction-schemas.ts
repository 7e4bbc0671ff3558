/**
 * The /api/transactions shapes, defined once: each zod schema validates input (or checks and
 * strips output), types the handlers and services (the types below are inferred from it) and
 * becomes the OpenAPI document. Schemas with an `id` appear as components of that document.
 */
import { z } from 'zod';
import { LOCAL_STATUSES } from '../../workflows/status-machine';
import { errorResponse } from '../error-response-schema';

/** ISO-8601 times, as the API writes them (`Date#toISOString`). */
const timestamp = z.string().meta({ format: 'date-time' });
const localStatus = z.enum(LOCAL_STATUSES);
/** States of a business action, in the view and in the workflow's state. */
const actionState = z.enum(['running', 'done', 'skipped', 'failed']);
const documentRef = z.object({ type: z.string(), number: z.string() });

/** A whole number in a query string (digits only: `1e2`, `0x10`, `` or ` 5` are refused), with bounds and a default. */
function queryInteger(bounds: { min: number; max: number; default: number; description?: string }) {
  const description = `${bounds.description ? `${bounds.description}; ` : ''}default ${bounds.default}`;
  return z
    .string()
    .transform((value, context) => {
      if (/^\d{1,9}$/.test(value)) return Number(value);
      context.addIssue({ code: 'custom', message: 'must be a whole number' });
      return z.NEVER;
    })
    .pipe(z.number().int().min(bounds.min).max(bounds.max))
    .default(bounds.default)
    .meta({ type: 'integer', minimum: bounds.min, maximum: bounds.max, description });
}

/** Universign ids are `tx_…`; anything outside this set cannot be one and never reaches the database. */
export const transactionIdParams = z.strictObject({
  transactionId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a Universign transaction id (letters, digits, _ and -, at most 128)')
    .describe('Universign transaction id (tx_…)'),
});

export const transactionView = z
  .object({
    transactionId: z.string(),
    workflowId: z.string(),
    sageDocument: documentRef.nullable(),
    name: z.string().nullable(),
    status: localStatus,
    universignState: z.string().nullable(),
    stalled: z.boolean(),
    stalledReason: z.string().nullable(),
    signers: z.array(
      z.object({
        email: z.string(),
        name: z.string().nullable(),
        state: z.string(),
        url: z.string().optional().describe('Personal signing link, when Universign gave one'),
      }),
    ),
    sentAt: timestamp.nullable(),
    expiresAt: timestamp.nullable(),
    signedAt: timestamp.nullable(),
    refusedAt: timestamp.nullable(),
    expiredAt: timestamp.nullable(),
    cancelledAt: timestamp.nullable(),
    lastSyncedAt: timestamp.nullable(),
    syncCount: z.number().int(),
    quietSyncCount: z.number().int().describe('Syncs that found nothing new: counted, not written to the history'),
    lastSyncError: z.string().nullable(),
    lastSyncErrorAt: timestamp.nullable(),
    webhookReceived: z.boolean(),
    actions: z
      .array(
        z.object({
          kind: z.string(),
          // Read from a text column: documented, not enforced (an unknown state must not turn the view into a 500).
          status: z.string().describe("The action's state: running, done, skipped or failed"),
          at: timestamp.nullable(),
          forStatus: localStatus.describe('The status that called for it'),
          attempts: z.number().int(),
          summary: z.string().nullable(),
          lastError: z.string().nullable(),
        }),
      )
      .describe('Business actions (Sage fields, quote → order, e-mail, archive, cancel)'),
    archivedDocuments: z.array(
      z.object({
        name: z.string(),
        sha256: z.string(),
        path: z.string().describe('Relative to ARCHIVE_DIR'),
        sizeBytes: z.number().int(),
        universignDocumentId: z.string(),
      }),
    ),
    sageOrder: documentRef.nullable(),
    updatedAt: timestamp,
  })
  .meta({ id: 'TransactionView', description: 'A transaction as last recorded by its workflow' });

export type TransactionView = z.output<typeof transactionView>;

/** A refusal that still shows what is recorded about the transaction, when the refusal comes from its state. */
export const conflictResponse = errorResponse
  .extend({ transaction: transactionView.nullable().optional().describe('The transaction as recorded, when the refusal comes from it') })
  .meta({ id: 'TransactionConflict' });

export const listQuery = z.strictObject({
  status: localStatus.optional(),
  sageDocument: z
    .string()
    .regex(/^[^:]{1,64}(:[^:]{1,64})?$/, 'must be `type:number` or `number`')
    // PostgreSQL text cannot hold a NUL byte: the query would fail with a 500.
    .refine((value) => !value.includes('\u0000'), 'must not contain a NUL character')
    .optional()
    .describe('Sage document as `type:number` (e.g. `devis:D0042`) or just the number'),
  limit: queryInteger({ min: 1, max: 200, default: 50 }),
  offset: queryInteger({ min: 0, max: 1_000_000_000 - 1, default: 0 }),
});

export type ListQuery = z.output<typeof listQuery>;

export const transactionList = z.object({
  items: z.array(transactionView),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export type TransactionList = z.output<typeof transactionList>;

export const historyQuery = z.strictObject({
  limit: queryInteger({ min: 1, max: 1000, default: 500, description: 'Most recent entries kept' }),
});

const syncEntry = z.object({
  at: timestamp,
  kind: z.literal('sync'),
  source: z.string(),
  previousStatus: z.string().nullable(),
  newStatus: z.string().nullable(),
  statusChanged: z.boolean(),
  universignState: z.string().nullable(),
  success: z.boolean(),
  error: z.string().nullable(),
  details: z.unknown(),
});

const webhookEntry = z.object({
  at: timestamp,
  kind: z.literal('webhook'),
  eventId: z.string(),
  type: z.string(),
  status: z.string(),
  duplicateCount: z.number().int(),
  lastError: z.string().nullable(),
});

const actionEntry = z.object({
  at: timestamp,
  kind: z.literal('action'),
  action: z.string(),
  forStatus: z.string(),
  state: z.string(),
  attempts: z.number().int(),
  summary: z.string().nullable(),
  lastError: z.string().nullable(),
});

export const historyEntry = z
  .discriminatedUnion('kind', [syncEntry, webhookEntry, actionEntry])
  .describe('A sync, a webhook event or a business action, by `kind`');

export type HistoryEntry = z.output<typeof historyEntry>;

export const transactionHistory = z.object({ transactionId: z.string(), entries: z.array(historyEntry) });

export type TransactionHistory = z.output<typeof transactionHistory>;

export const resyncBody = z.strictObject({ reason: z.string().max(500).optional() }).nullable();

/** TransactionState (workflows/messages.ts), as the workflow's `resync` update returns it. */
export const transactionState = z
  .object({
    transactionId: z.string(),
    workflowId: z.string(),
    sageDocument: documentRef.nullable(),
    status: localStatus.nullable(),
    universignState: z.string().nullable(),
    stalled: z.boolean(),
    stalledReason: z.string().nullable(),
    signers: z.array(z.object({ email: z.string(), name: z.string().nullable(), state: z.string(), url: z.string().nullable() })),
    syncCount: z.number().int(),
    statusChanges: z.number().int(),
    lastSyncedAt: timestamp.nullable(),
    lastSyncError: z.object({ type: z.string(), message: z.string(), at: timestamp }).nullable(),
    webhookReceived: z.boolean(),
    actions: z.array(z.object({ kind: z.string(), status: z.string(), state: actionState, summary: z.string().nullable() })),
    pollIntervalSeconds: z.number(),
    nextPollAt: timestamp.nullable(),
    final: z.boolean(),
  })
  .meta({ id: 'TransactionState', description: "The workflow's state after the sync it just ran" });

export const stateResponse = z.object({ transactionId: z.string(), state: transactionState, message: z.string().optional() });

/** 202 of a cancel: Universign has cancelled; the state is null when the workflow could not be asked. */
export const pendingStateResponse = stateResponse.extend({ state: transactionState.nullable() });
