/**
 * /api/transactions: read the recorded transactions and their audit log, force a resync through
 * the workflow, cancel on Universign. Bearer auth comes from the bearer-auth plugin; the work is
 * in the api/*-transaction* files so these handlers only translate HTTP.
 */
import type { FastifyInstance } from 'fastify';
import type { LocalStatus } from '../../workflows/status-machine';
import { cancelTransaction } from '../cancel-transaction';
import { getTransactionHistory } from '../get-transaction-history';
import { getTransactionView } from '../get-transaction-view';
import { listTransactions } from '../list-transactions';
import { HttpError } from '../plugins/error-handler';
import { resyncTransaction } from '../resync-transaction';
import {
  conflictSchema,
  errorSchema,
  historyQuerySchema,
  historyResponseSchema,
  listQuerySchema,
  listResponseSchema,
  pendingStateResponseSchema,
  resyncBodySchema,
  stateResponseSchema,
  transactionIdParamsSchema,
  transactionViewSchema,
} from '../transaction-schemas';

interface IdParams {
  transactionId: string;
}

const tags = ['transactions'];
const commonErrors = { 400: errorSchema, 401: errorSchema } as const;

export async function transactionRoutes(app: FastifyInstance): Promise<void> {
  const { prisma } = app.deps;
  const countResync = (operation: 'resync' | 'cancel') => (outcome: string) =>
    app.metrics.resyncs.inc({ outcome: `${operation}_${outcome}` });

  app.get<{ Querystring: { status?: LocalStatus; sageDocument?: string; limit: number; offset: number } }>(
    '/',
    {
      // One path, documented as the contract names it (`/api/transactions`, no trailing slash).
      prefixTrailingSlash: 'no-slash',
      schema: {
        tags,
        summary: 'List transactions, most recently updated first',
        querystring: listQuerySchema,
        response: { 200: listResponseSchema, ...commonErrors },
      },
    },
    async (request) => listTransactions(prisma, request.query),
  );

  app.get<{ Params: IdParams }>(
    '/:transactionId',
    {
      schema: {
        tags,
        summary: 'One transaction as last recorded by its workflow',
        params: transactionIdParamsSchema,
        response: { 200: transactionViewSchema, ...commonErrors, 404: errorSchema },
      },
    },
    async (request) => {
      const view = await getTransactionView(prisma, request.params.transactionId);
      if (!view) throw new HttpError(404, `unknown transaction ${request.params.transactionId}`);
      return view;
    },
  );

  app.get<{ Params: IdParams; Querystring: { limit: number } }>(
    '/:transactionId/history',
    {
      schema: {
        tags,
        summary: 'Audit log: syncs and webhook events, oldest first',
        params: transactionIdParamsSchema,
        querystring: historyQuerySchema,
        response: { 200: historyResponseSchema, ...commonErrors, 404: errorSchema },
      },
    },
    async (request) => {
      const history = await getTransactionHistory(prisma, request.params.transactionId, request.query.limit);
      if (!history) throw new HttpError(404, `unknown transaction ${request.params.transactionId}`);
      return history;
    },
  );

  app.post<{ Params: IdParams; Body: { reason?: string } | null | undefined }>(
    '/:transactionId/resync',
    {
      schema: {
        tags,
        summary: 'Re-read the transaction from Universign now (workflow update `resync`) and return the resulting state',
        params: transactionIdParamsSchema,
        body: resyncBodySchema,
        response: {
          200: stateResponseSchema,
          ...commonErrors,
          404: errorSchema,
          409: conflictSchema,
          413: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request) => resyncTransaction(app.deps, request.params.transactionId, request.body?.reason, countResync('resync')),
  );

  app.post<{ Params: IdParams }>(
    '/:transactionId/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel the transaction on Universign and record ANNULE through its workflow',
        description:
          '200 once the workflow has recorded ANNULE; 202 when Universign has cancelled but the workflow could not record it yet.',
        params: transactionIdParamsSchema,
        response: {
          200: stateResponseSchema,
          202: pendingStateResponseSchema,
          ...commonErrors,
          404: errorSchema,
          409: conflictSchema,
          502: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const result = await cancelTransaction(app.deps, request.params.transactionId, countResync('cancel'));
      return reply.code(result.statusCode).send(result.body);
    },
  );
}
