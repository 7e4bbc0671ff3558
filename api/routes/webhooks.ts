/**
 * POST /webhooks/universign: verify the detached JWS over the raw bytes, record the event
 * (unique on its id, one statement), answer, then signal the transaction's workflow from the
 * delivery queue: the answer never waits on Temporal, and a recorded event is never lost (the
 * redelivery takes any the queue could not signal). Nothing is recorded or signalled for a call
 * that fails verification or is not an event.
 */
import type { FastifyInstance } from 'fastify';
import { parseUniversignEvent, type UniversignEvent, WebhookEventError } from '../parse-universign-event';
import { verifyUniversignSignature, WebhookSignatureError } from '../verify-universign-signature';
import type { RecordedWebhookEvent } from '../webhook-store';

const answerSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate', 'ignored'] },
    eventId: { type: 'string' },
  },
} as const;
const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

export async function webhookRoutes(app: FastifyInstance): Promise<void> {
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
      schema: {
        summary: 'Universign webhook receiver (detached PS256 JWS in the signature header)',
        tags: ['webhooks'],
        response: { 200: answerSchema, 400: errorSchema, 401: errorSchema, 413: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const started = process.hrtime.bigint();
      const done = (outcome: string, code: 200 | 400 | 401 | 413 | 503, body: object) => {
        app.metrics.webhooks.inc({ outcome });
        app.metrics.webhookDuration.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
        return reply.code(code).send(body);
      };
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = request.headers[settings.signatureHeader];

      let kid: string;
      try {
        ({ kid } = await verifyUniversignSignature({
          rawBody,
          signatureHeader: typeof header === 'string' ? header : undefined,
          keySet: app.deps.keySet,
        }));
      } catch (err) {
        if (!(err instanceof WebhookSignatureError)) throw err;
        if (err.reason === 'key_set_unavailable') {
          request.log.warn({ reason: err.reason }, 'webhook not verifiable now: JWKS unavailable');
          return done('unavailable', 503, { error: 'Service Unavailable', message: 'signing keys unavailable; retry later' });
        }
        request.log.warn({ reason: err.reason }, 'webhook refused: bad signature');
        return done('unauthorized', 401, { error: 'Unauthorized', message: `invalid webhook signature (${err.reason})` });
      }

      let event: UniversignEvent;
      try {
        event = parseUniversignEvent(rawBody);
      } catch (err) {
        if (!(err instanceof WebhookEventError)) throw err;
        if (err.reason === 'no_transaction' && err.event) {
          // Authentic, but about no transaction (API keys, identity checks): acknowledged, not acted on.
          return done('ignored', 200, { status: 'ignored', eventId: err.event.eventId });
        }
        return done('invalid', 400, { error: 'Bad Request', message: err.message });
      }

      let recorded: RecordedWebhookEvent;
      try {
        recorded = await app.deps.webhooks.record(event, kid, JSON.parse(rawBody.toString('utf8')));
      } catch (err) {
        request.log.error({ err, eventId: event.eventId }, 'cannot record webhook event');
        return done('unavailable', 503, { error: 'Service Unavailable', message: 'cannot record the event; retry later' });
      }
      if (recorded.kind === 'duplicate') {
        if (!recorded.deliverAgain) return done('duplicate', 200, { status: 'duplicate', eventId: event.eventId });
        app.webhookDeliveries.enqueue(recorded.event);
        return done('accepted', 200, { status: 'accepted', eventId: event.eventId });
      }
      if (recorded.status === 'ignored') {
        // Its transaction is recorded as final: kept for the audit, never signalled.
        return done('ignored', 200, { status: 'ignored', eventId: event.eventId });
      }
      app.webhookDeliveries.enqueue(recorded.event);
      return done('accepted', 200, { status: 'accepted', eventId: event.eventId });
    },
  );
}
