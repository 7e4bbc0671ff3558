/**
 * While the database is away, API reads are an outage, not a bug: 503 with Retry-After and a
 * message saying so (a real Prisma client pointed at a port where nothing listens).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createPrismaClient } from '../../activities/create-prisma-client';
import { createApp } from '../../api/create-app';
import { isDatabaseUnavailable } from '../../api/database-unavailable';
import { freePort } from '../../shared/free-port';
import { stubAppDeps } from '../support/stub-app-deps';

const TOKEN = 'unit-token-abcdef';
let app: FastifyInstance;
let prisma: ReturnType<typeof createPrismaClient>;

before(async () => {
  prisma = createPrismaClient(`postgresql://postgres@127.0.0.1:${await freePort()}/test`);
  const deps = stubAppDeps({ prisma, settings: { apiTokens: [TOKEN], webhookMaxBytes: 64 * 1024 } });
  app = await createApp(deps);
});
after(async () => {
  await app?.close();
  await prisma?.$disconnect();
});

test('reads while the database is unreachable answer 503 with Retry-After, not 500', async () => {
  for (const url of ['/api/transactions', '/api/transactions/tx_outage1', '/api/transactions/tx_outage1/history']) {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.statusCode, 503, `${url}: ${response.body}`);
    assert.equal(response.headers['retry-after'], '5', url);
    assert.deepEqual(response.json(), { error: 'Service Unavailable', message: 'the database is unavailable; retry later' }, url);
  }
});

test('database outages are told from other errors, through their causes', () => {
  assert.equal(isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'P1001' })), true);
  assert.equal(isDatabaseUnavailable(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNREFUSED' }) })), true);
  assert.equal(
    isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })),
    true,
  );
  assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isDatabaseUnavailable(Object.assign(new Error('unique violation'), { code: 'P2002' })), false);
  assert.equal(isDatabaseUnavailable(new TypeError('cannot read properties of undefined')), false);
});
