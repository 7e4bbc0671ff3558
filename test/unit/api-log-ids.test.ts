/**
 * The API's log lines about a transaction name it and its workflow: a webhook event that cannot be
 * recorded (the error line), and a request on /api/transactions/:id (its error and access lines).
 * Real HTTP handling (Fastify inject), real signatures (the simulator's keys), pino output captured.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createPrismaClient } from '../../activities/create-prisma-client';
import { createApp } from '../../api/create-app';
import { createUniversignKeySet } from '../../api/webhooks/universign-jwks';
import { freePort } from '../../shared/free-port';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { buildWebhookEvent, signWebhookBody } from '../../simulators/universign-webhook-event';
import { stubAppDeps } from '../support/stub-app-deps';

const TOKEN = 'unit-token-abcdef';
const lines: Array<Record<string, unknown>> = [];
let app: FastifyInstance;
let simulator: UniversignSimulator;
let prisma: ReturnType<typeof createPrismaClient>;

before(async () => {
  simulator = await startUniversignSimulator({ apiKey: 'sim-key', webhooks: { targetUrl: 'http://127.0.0.1:9/unused' } });
  // A database nobody listens on: reads fail as an outage; the webhook store refuses to record.
  prisma = createPrismaClient(`postgresql://postgres@127.0.0.1:${await freePort()}/test`);
  const deps = {
    ...stubAppDeps({
      prisma,
      webhooks: {
        record: async () => {
          throw new Error('database unreachable');
        },
      },
      settings: { apiTokens: [TOKEN], webhookMaxBytes: 64 * 1024 },
    }),
    keySet: createUniversignKeySet({ jwksUrl: `${simulator.url}/webhooks/jwks.json` }),
  };
  app = await createApp(deps, { logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } });
});
after(async () => {
  await app?.close();
  await prisma?.$disconnect();
  await simulator?.close();
});

test('a webhook event that cannot be recorded is logged with its transaction id and workflow id', async () => {
  assert.ok(simulator.webhooks);
  const { rawBody } = buildWebhookEvent({
    type: 'transaction.lifecycle.completed',
    payloadObject: { object: 'transaction', id: 'tx_logged1', state: 'completed' },
    createdAt: '2025-03-01T10:00:00.000Z',
  });
  const response = await app.inject({
    method: 'POST',
    url: '/webhooks/universign',
    headers: { 'content-type': 'application/json', 'x-jws-signature': await signWebhookBody(rawBody, simulator.webhooks.keys.current()) },
    payload: rawBody,
  });
  assert.equal(response.statusCode, 503, response.body);
  const line = lines.find((entry) => entry.msg === 'cannot record webhook event');
  assert.ok(line, JSON.stringify(lines));
  assert.equal(line.transactionId, 'tx_logged1');
  assert.equal(line.workflowId, 'universign-tx_logged1');
  assert.equal(typeof line.eventId, 'string');
});

test('a request about one transaction: every line of it after routing names the transaction and its workflow', async () => {
  const response = await app.inject({ method: 'GET', url: '/api/transactions/tx_logged2', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.statusCode, 503, response.body);
  const reqId = lines.find((entry) => (entry.req as { url?: string } | undefined)?.url === '/api/transactions/tx_logged2')?.reqId;
  assert.ok(reqId, 'the incoming request line');
  const after = lines.filter((entry) => entry.reqId === reqId && entry.msg !== 'incoming request');
  assert.ok(
    after.some((entry) => entry.msg === 'request completed'),
    JSON.stringify(after),
  );
  for (const entry of after) {
    assert.equal(entry.transactionId, 'tx_logged2', JSON.stringify(entry));
    assert.equal(entry.workflowId, 'universign-tx_logged2', JSON.stringify(entry));
  }
});
