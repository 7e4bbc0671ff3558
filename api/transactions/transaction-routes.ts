/**
 * /api/transactions: read the recorded transactions and their audit log, force a resync through
 * the workflow, cancel on Universign. Bearer auth comes from the bearer-auth plugin; the work is
 * in the api/*-transaction* files, which throw domain errors the error handler answers; these
 * handlers only translate HTTP. Shapes: transaction-schemas.ts beside it.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { transactionLogIds } from '../../shared/transaction-log-ids';
import { UnknownTransactionError } from '../domain-errors';
import { errorResponses } from '../error-response-schema';
import { cancelTransaction } from './cancel-transaction';
import { getTransactionHistory } from './get-transaction-history';
import { getTransactionView } from './get-transaction-view';
import { listTransactions } from './list-transactions';
import { resyncTransaction } from './resync-transaction';
import {
  conflictResponse,
  historyQuery,
  listQuery,
  pendingStateResponse,
  resyncBody,
  stateResponse,
  transactionHistory,
  transactionIdParams,
  transactionList,
  transactionView,
} from './transaction-schemas';

const tags = ['transactions'];

export const transactionRoutes: FastifyPluginAsyncZod = async (app) => {
  const { prisma } = app.deps;
  // Every line a request about one transaction logs (its access line and errors too) names it and its workflow.
  app.addHook('onRequest', async (request, reply) => {
    const { transactionId } = request.params as { transactionId?: unknown };
    if (typeof transactionId !== 'string') return;
    request.log = request.log.child(transactionLogIds(transactionId));
    reply.log = request.log;
  });

  app.get(
    '/',
    {
      // One path, documented as the contract names it (`/api/transactions`, no trailing slash).
      prefixTrailingSlash: 'no-slash',
      schema: {
        tags,
        summary: 'List transactions, most recently updated first',
        querystring: listQuery,
        response: { 200: transactionList, ...errorResponses(400, 401) },
      },
    },
    async (request) => listTransactions(prisma, request.query),
  );

  app.get(
    '/:transactionId',
    {
      schema: {
        tags,
        summary: 'One transaction as last recorded by its workflow',
        params: transactionIdParams,
        response: { 200: transactionView, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const view = await getTransactionView(prisma, request.params.transactionId);
      if (!view) throw new UnknownTransactionError(request.params.transactionId);
      return view;
    },
  );

  app.get(
    '/:transactionId/history',
    {
      schema: {
        tags,
        summary: 'Audit log: syncs, webhook events and business actions, oldest first',
        params: transactionIdParams,
        querystring: historyQuery,
        response: { 200: transactionHistory, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const history = await getTransactionHistory(prisma, request.params.transactionId, request.query.limit);
      if (!history) throw new UnknownTransactionError(request.params.transactionId);
      return history;
    },
  );

  app.post(
    '/:transactionId/resync',
    {
      config: { countedAs: 'resync' },
      schema: {
        tags,
        summary: 'Re-read the transaction from Universign now (workflow update `resync`) and return the resulting state',
        params: transactionIdParams,
        body: resyncBody,
        response: { 200: stateResponse, ...errorResponses(400, 401, 404, 413, 503), 409: conflictResponse },
      },
    },
    async (request) => resyncTransaction(app.deps, request.params.transactionId, request.body?.reason),
  );

  app.post(
    '/:transactionId/cancel',
    {
      config: { countedAs: 'cancel' },
      schema: {
        tags,
        summary: 'Cancel the transaction on Universign and record ANNULE through its workflow',
        description:
          '200 once the workflow has recorded ANNULE; 202 when Universign has cancelled but the workflow could not record it yet.',
        params: transactionIdParams,
        response: {
          200: stateResponse,
          202: pendingStateResponse,
          ...errorResponses(400, 401, 404, 502, 503),
          409: conflictResponse,
        },
      },
    },
    async (request, reply) => {
      const result = await cancelTransaction(app.deps, request.params.transactionId);
      if (result.recorded) return { transactionId: result.transactionId, state: result.state };
      return reply.code(202).send({ transactionId: result.transactionId, state: result.state, message: result.message });
    },
  );
};
