/**
 * POST /webhooks/universign: verify the detached JWS over the raw bytes, record the event
 * (unique on its id, one statement), answer, then signal the transaction's workflow from the
 * delivery queue: the answer never waits on Temporal, and a recorded event is never lost (the
 * redelivery takes any the queue could not signal). Nothing is recorded or signalled for a call
 * that fails verification or is not an event. Refusals are thrown (WebhookSignatureError,
 * WebhookEventError, WebhookNotRecordedError) and answered by the error handler; every answer is
 * counted by the metrics hook (`countedAs: 'webhook'`).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { transactionLogIds } from '../../shared/transaction-log-ids';
import type { RecordedWebhookEvent } from '../../shared/webhooks/webhook-store';
import { WebhookNotRecordedError } from '../domain-errors';
import { errorResponses } from '../error-response-schema';
import { parseUniversignEvent, type UniversignEvent, WebhookEventError } from './parse-universign-event';
import { verifyUniversignSignature } from './verify-universign-signature';
import { type WebhookAnswer, webhookAnswer } from './webhook-schemas';

/** The answer, with its status as the metric's outcome label. */
function answer(reply: FastifyReply, status: WebhookAnswer['status'], eventId: string): WebhookAnswer {
  reply.outcome = status;
  return { status, eventId };
}

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { settings } = app.deps;
  // Keep the exact bytes: re-serialised JSON would not verify. Any content type is accepted.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: settings.webhookMaxBytes }, (_request, body, done) => done(null, body));

  app.post(
    '/webhooks/universign',
    {
      bodyLimit: settings.webhookMaxBytes,
      // Two access-log lines per webhook cost more CPU than the rest of the request: outcomes are counted in /metrics.
      logLevel: 'warn',
      config: { countedAs: 'webhook' },
      schema: {
        summary: 'Universign webhook receiver (detached PS256 JWS in the signature header)',
        tags: ['webhooks'],
        response: { 200: webhookAnswer, ...errorResponses(400, 401, 413, 503) },
      },
    },
    async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = request.headers[settings.signatureHeader];
      const { kid } = await verifyUniversignSignature({
        rawBody,
        signatureHeader: typeof header === 'string' ? header : undefined,
        keySet: app.deps.keySet,
      });

      let event: UniversignEvent;
      try {
        event = parseUniversignEvent(rawBody);
      } catch (err) {
        // Authentic, but about no transaction (API keys, identity checks): acknowledged, not acted on.
        if (err instanceof WebhookEventError && err.reason === 'no_transaction' && err.event) {
          return answer(reply, 'ignored', err.event.eventId);
        }
        throw err;
      }
      // Whatever this request logs from here on (errors included) names the event's transaction and workflow.
      request.log = request.log.child({ eventId: event.eventId, ...transactionLogIds(event.transactionId) });
      reply.log = request.log;

      let recorded: RecordedWebhookEvent;
      try {
        recorded = await app.deps.webhooks.record(event, kid, JSON.parse(rawBody.toString('utf8')));
      } catch (err) {
        throw new WebhookNotRecordedError(event.eventId, { cause: err });
      }
      if (recorded.kind === 'duplicate') {
        if (!recorded.deliverAgain) return answer(reply, 'duplicate', event.eventId);
        app.webhookDeliveries.enqueue(recorded.event);
        return answer(reply, 'accepted', event.eventId);
      }
      // Its transaction is recorded as final: kept for the audit, never signalled.
      if (recorded.status === 'ignored') return answer(reply, 'ignored', event.eventId);
      app.webhookDeliveries.enqueue(recorded.event);
      return answer(reply, 'accepted', event.eventId);
    },
  );
};
