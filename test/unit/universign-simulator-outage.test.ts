/**
 * The simulator's outage window (POST/GET/DELETE /_control/outage): while it is open every REST
 * call is answered with its 5xx, or held unanswered until the window ends and then dropped; the
 * public JWKS keeps answering; the window closes by itself after its duration.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';

const API_KEY = 'outage-key';
let simulator: UniversignSimulator;
let transactionId: string;

before(async () => {
  simulator = await startUniversignSimulator({ apiKey: API_KEY, webhooks: { targetUrl: 'http://127.0.0.1:9/unset' } });
  simulator.setWebhooksEnabled(false);
  transactionId = simulator.createTransaction({ signers: [{ email: 'a@example.com' }] }).id;
});
after(async () => {
  await simulator.close();
});

const readTransaction = () => fetch(`${simulator.url}/transactions/${transactionId}`, { headers: { authorization: `Bearer ${API_KEY}` } });
const control = (method: string, body?: unknown) =>
  fetch(`${simulator.controlUrl}/outage`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test('an error outage answers every REST call with its status, not the JWKS, until it is ended', async () => {
  assert.equal((await readTransaction()).status, 200);
  assert.equal((await control('POST', { mode: 'error', status: 503 })).status, 200);
  const during = await readTransaction();
  assert.equal(during.status, 503);
  assert.equal(((await during.json()) as { error: string }).error, 'simulated_outage');
  assert.equal((await fetch(`${simulator.url}/webhooks/jwks.json`)).status, 200);
  assert.deepEqual(((await (await control('GET')).json()) as { affected: number }).affected, 1);
  assert.equal((await control('DELETE')).status, 200);
  assert.equal((await readTransaction()).status, 200);
  assert.equal(await (await control('GET')).json(), null);
});

test('a hang outage holds calls until the window ends, then drops their connection', async () => {
  await control('POST', { mode: 'hang', duration_ms: 300 });
  const started = Date.now();
  await assert.rejects(readTransaction(), TypeError, 'the held call loses its connection');
  assert.ok(Date.now() - started >= 250, 'held for the window');
  assert.equal((await readTransaction()).status, 200, 'the window closed by itself');
});

test('an outage asked with a bad mode or a non-5xx status is refused', async () => {
  assert.equal((await control('POST', { mode: 'sometimes' })).status, 400);
  assert.equal((await control('POST', { mode: 'error', status: 404 })).status, 400);
  assert.equal((await control('POST', { mode: 'error', duration_ms: -1 })).status, 400);
  assert.equal((await readTransaction()).status, 200);
});
