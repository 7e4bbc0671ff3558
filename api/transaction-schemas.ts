/**
 * JSON schemas of the /api/transactions routes: they validate input, shape (and strip) output and
 * feed the OpenAPI document. A property missing here is dropped from the answer, so keep them
 * aligned with get-transaction-view.ts, get-transaction-history.ts and TransactionState.
 */
import { LOCAL_STATUSES } from '../workflows/status-machine';

const nullableString = { type: ['string', 'null'] } as const;
const nullableDate = { type: ['string', 'null'], format: 'date-time' } as const;

/** Universign ids are `tx_…`; anything outside this set cannot be one and never reaches the database. */
/** States of a business action, in the view and in the workflow's state. */
const ACTION_STATES = ['running', 'done', 'skipped', 'failed'];

export const TRANSACTION_ID_PATTERN = '^[A-Za-z0-9_-]{1,128}$';

export const transactionIdParamsSchema = {
  type: 'object',
  required: ['transactionId'],
  properties: { transactionId: { type: 'string', pattern: TRANSACTION_ID_PATTERN, description: 'Universign transaction id (tx_…)' } },
} as const;

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

const sageDocumentSchema = {
  type: ['object', 'null'],
  properties: { type: { type: 'string' }, number: { type: 'string' } },
} as const;

export const transactionViewSchema = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    workflowId: { type: 'string' },
    sageDocument: sageDocumentSchema,
    name: nullableString,
    status: { type: 'string', enum: [...LOCAL_STATUSES] },
    universignState: nullableString,
    stalled: { type: 'boolean' },
    stalledReason: nullableString,
    signers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          email: { type: 'string' },
          name: nullableString,
          state: { type: 'string' },
          url: { type: 'string', description: 'Personal signing link, when Universign gave one' },
        },
      },
    },
    sentAt: nullableDate,
    expiresAt: nullableDate,
    signedAt: nullableDate,
    refusedAt: nullableDate,
    expiredAt: nullableDate,
    cancelledAt: nullableDate,
    lastSyncedAt: nullableDate,
    syncCount: { type: 'integer' },
    quietSyncCount: { type: 'integer', description: 'Syncs that found nothing new: counted, not written to the history' },
    lastSyncError: nullableString,
    lastSyncErrorAt: nullableDate,
    webhookReceived: { type: 'boolean' },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          status: { type: 'string', enum: ACTION_STATES },
          at: nullableDate,
          forStatus: { type: 'string' },
          attempts: { type: 'integer' },
          summary: nullableString,
          lastError: nullableString,
        },
      },
    },
    archivedDocuments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          sha256: { type: 'string' },
          path: { type: 'string' },
          sizeBytes: { type: 'integer' },
          universignDocumentId: { type: 'string' },
        },
      },
    },
    sageOrder: {
      type: ['object', 'null'],
      properties: { type: { type: 'string' }, number: { type: 'string' } },
    },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** A refusal that still shows what is recorded about the transaction. */
export const conflictSchema = {
  type: 'object',
  properties: { ...errorSchema.properties, transaction: { ...transactionViewSchema, type: ['object', 'null'] } },
} as const;

export const listQuerySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: [...LOCAL_STATUSES] },
    sageDocument: {
      type: 'string',
      pattern: '^[^:]{1,64}(:[^:]{1,64})?$',
      description: 'Sage document as `type:number` (e.g. `devis:D0042`) or just the number',
    },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

export const listResponseSchema = {
  type: 'object',
  properties: {
    items: { type: 'array', items: transactionViewSchema },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

export const historyQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 500, description: 'Most recent entries kept' },
  },
} as const;

export const historyResponseSchema = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    entries: {
      type: 'array',
      items: {
        type: 'object',
        description: 'A sync (source…details), a webhook event (eventId…lastError) or a business action (action…lastError), by `kind`',
        properties: {
          at: { type: 'string', format: 'date-time' },
          kind: { type: 'string', enum: ['sync', 'webhook', 'action'] },
          action: { type: 'string' },
          forStatus: { type: 'string' },
          state: { type: 'string' },
          attempts: { type: 'integer' },
          summary: nullableString,
          source: { type: 'string' },
          previousStatus: nullableString,
          newStatus: nullableString,
          statusChanged: { type: 'boolean' },
          universignState: nullableString,
          success: { type: 'boolean' },
          error: nullableString,
          details: {},
          eventId: { type: 'string' },
          type: { type: 'string' },
          status: { type: 'string' },
          duplicateCount: { type: 'integer' },
          lastError: nullableString,
        },
      },
    },
  },
} as const;

export const resyncBodySchema = {
  type: ['object', 'null'],
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

/** TransactionState (workflows/messages.ts), as the workflow's `resync` update returns it. */
const transactionStateSchema = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    workflowId: { type: 'string' },
    sageDocument: sageDocumentSchema,
    status: { type: ['string', 'null'], enum: [...LOCAL_STATUSES, null] },
    universignState: nullableString,
    stalled: { type: 'boolean' },
    stalledReason: nullableString,
    signers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { email: { type: 'string' }, name: nullableString, state: { type: 'string' }, url: nullableString },
      },
    },
    syncCount: { type: 'integer' },
    statusChanges: { type: 'integer' },
    lastSyncedAt: nullableDate,
    lastSyncError: {
      type: ['object', 'null'],
      properties: { type: { type: 'string' }, message: { type: 'string' }, at: { type: 'string' } },
    },
    webhookReceived: { type: 'boolean' },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          status: { type: 'string' },
          state: { type: 'string', enum: ACTION_STATES },
          summary: nullableString,
        },
      },
    },
    pollIntervalSeconds: { type: 'number' },
    nextPollAt: nullableDate,
    final: { type: 'boolean' },
  },
} as const;

export const stateResponseSchema = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    state: transactionStateSchema,
    message: { type: 'string' },
  },
} as const;

/** 202 of a cancel: Universign has cancelled; the state is null when the workflow could not be asked. */
export const pendingStateResponseSchema = {
  type: 'object',
  properties: {
    ...stateResponseSchema.properties,
    state: { ...transactionStateSchema, type: ['object', 'null'] },
  },
} as const;
