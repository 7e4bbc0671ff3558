// biome-ignore-all lint/suspicious/noExplicitAny: this test reads the simulator's untyped JSON answers by path.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type SimulatedEventType,
  signedPdfFor,
  startUniversignSimulator,
  type UniversignSimulator,
} from '../../simulators/universign-simulator';

const API_KEY = 'sim-test-key';
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

describe('universign simulator', () => {
  let simulator: UniversignSimulator;
  let now = new Date('2025-03-01T10:00:00.000Z');
  const events: Array<{ id: string; type: SimulatedEventType; actor?: string }> = [];

  before(async () => {
    simulator = await startUniversignSimulator({
      apiKey: API_KEY,
      clock: () => now,
      onTransactionChanged: (transaction, type, action) => {
        events.push({ id: transaction.id, type, ...(action ? { actor: action.actor } : {}) });
      },
    });
  });
  after(async () => {
    await simulator.close();
  });

  const authorization = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;

  async function control(path: string, body?: unknown, method = 'POST'): Promise<{ status: number; json: any }> {
    const response = await fetch(`${simulator.controlUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: await response.json() };
  }

  async function api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${simulator.url}${path}`, { ...init, headers: { authorization, ...(init.headers ?? {}) } });
  }

  async function getTransaction(id: string): Promise<Record<string, any>> {
    const response = await api(`/transactions/${id}`);
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, any>;
  }

  async function createStarted(signers = [ALICE, BOB]): Promise<string> {
    const { status, json } = await control('/transactions', {
      name: 'Devis D1',
      metadata: { sageNumber: 'D1' },
      signers: signers.map((email) => ({ email, fullName: email.split('@')[0] })),
    });
    assert.equal(status, 200);
    assert.match(json.id, /^tx_/);
    return json.id as string;
  }

  test('GET /v1/transactions/{id} answers the documented shape', async () => {
    const id = await createStarted();
    const raw = await getTransaction(id);
    assert.equal(raw.object, 'transaction');
    assert.equal(raw.id, id);
    assert.equal(raw.state, 'started');
    assert.equal(raw.stalled, false);
    assert.equal(raw.stalled_reason, null);
    for (const key of ['created_at', 'started_at', 'expires_at']) assert.match(raw[key], /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(raw.expires_at, '2025-03-15T10:00:00.000Z');
    assert.deepEqual(raw.metadata, { sageNumber: 'D1' });
    assert.match(raw.documents[0].id, /^doc_/);
    assert.deepEqual(
      raw.participants.map((p: any) => [p.email, p.state]),
      [
        [ALICE, 'open'],
        [BOB, 'open'],
      ],
    );
    const action = raw.actions[0];
    assert.match(action.id, /^act_/);
    assert.equal(action.actor, ALICE);
    assert.equal(action.state, 'open');
    assert.equal(action.url, `${simulator.url.replace(/\/v1$/, '')}/sign/${action.id}`);
    assert.deepEqual(
      action.tasks.map((task: any) => [task.type, task.state]),
      [['signature', 'todo']],
    );
    assert.match(action.tasks[0].field, /^fld_/);
    assert.equal(raw.progress_value, 0);
    assert.equal('completed_at' in raw, false);
    assert.equal('cancelled_at' in raw, false);
  });

  test('auth: missing or wrong key → 401, Bearer accepted; unknown id → 404 not_found', async () => {
    const id = await createStarted();
    assert.equal((await fetch(`${simulator.url}/transactions/${id}`)).status, 401);
    const wrong = await fetch(`${simulator.url}/transactions/${id}`, {
      headers: { authorization: `Basic ${Buffer.from('nope:').toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    assert.equal((await fetch(`${simulator.url}/transactions/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } })).status, 200);
    const missing = await api('/transactions/tx_unknown');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: string }).error, 'not_found');
    const log = (await control('/requests', undefined, 'GET')).json as Array<Record<string, unknown>>;
    assert.ok(log.some((entry) => entry.authPresent === false && entry.status === 401));
    assert.ok(log.some((entry) => entry.authPresent === true && entry.authValid === false && entry.status === 401));
    assert.doesNotMatch(JSON.stringify(log), new RegExp(API_KEY));
  });

  test('API requests must be form-encoded and valid', async () => {
    const json = await api('/transactions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    assert.equal(json.status, 400);
    const badMetadata = await api('/transactions', { method: 'POST', body: new URLSearchParams({ 'metadata[sage_number]': 'D1' }) });
    assert.equal(badMetadata.status, 400);
    const created = await api('/transactions', { method: 'POST', body: new URLSearchParams({ name: 'ok' }) });
    const { id, state } = (await created.json()) as { id: string; state: string };
    assert.equal(state, 'draft');
    const noFile = await api(`/transactions/${id}/documents`, { method: 'POST', body: new URLSearchParams({ document: 'file_nope' }) });
    assert.equal(noFile.status, 400);
    const startEmpty = await api(`/transactions/${id}/start`, { method: 'POST' });
    assert.equal(startEmpty.status, 400);
  });

  test('everybody signs → completed with completed_at, progress 100', async () => {
    const id = await createStarted();
    events.length = 0;
    now = new Date('2025-03-02T08:00:00.000Z');
    assert.equal((await control(`/transactions/${id}/sign`, { email: ALICE })).status, 200);
    let raw = await getTransaction(id);
    assert.equal(raw.state, 'started');
    assert.equal(raw.progress_value, 50);
    assert.equal(raw.participants[0].state, 'completed');
    assert.equal(raw.actions[0].completed_at, '2025-03-02T08:00:00.000Z');
    const again = await control(`/transactions/${id}/sign`, { email: ALICE });
    assert.equal(again.status, 400);
    now = new Date('2025-03-02T09:00:00.000Z');
    await control(`/transactions/${id}/sign`, { email: BOB });
    raw = await getTransaction(id);
    assert.equal(raw.state, 'completed');
    assert.equal(raw.completed_at, '2025-03-02T09:00:00.000Z');
    assert.equal(raw.progress_value, 100);
    assert.deepEqual(events, [
      { id, type: 'action.closed', actor: ALICE },
      { id, type: 'action.closed', actor: BOB },
      { id, type: 'transaction.lifecycle.completed' },
    ]);
  });

  test('a refusal stalls the transaction, which stays started', async () => {
    const id = await createStarted();
    events.length = 0;
    await control(`/transactions/${id}/refuse`, { email: BOB });
    const raw = await getTransaction(id);
    assert.equal(raw.state, 'started');
    assert.equal(raw.stalled, true);
    assert.equal(raw.stalled_reason, 'signature_refusal');
    assert.equal(raw.participants[1].state, 'refused');
    assert.deepEqual(events, [{ id, type: 'action.stalled', actor: BOB }]);
    assert.equal((await control(`/transactions/${id}/sign`, { email: ALICE })).status, 400);
    // The integrator usually cancels a refused transaction.
    const cancel = await api(`/transactions/${id}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 200);
    const cancelled = (await cancel.json()) as Record<string, unknown>;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(typeof cancelled.cancelled_at, 'string');
  });

  test('fail N times, then succeed', async () => {
    const id = await createStarted();
    assert.equal((await control(`/transactions/${id}/fail`, { status: 500, times: 2 })).status, 200);
    assert.equal((await api(`/transactions/${id}`)).status, 500);
    const limited = await control(`/transactions/${id}/fail`, { status: 429, times: 1 });
    assert.equal(limited.status, 200);
    const tooMany = await api(`/transactions/${id}`);
    assert.equal(tooMany.status, 429);
    assert.equal(tooMany.headers.get('retry-after'), '1');
    assert.equal((await api(`/transactions/${id}`)).status, 200);
    simulator.failNext(id, 503, 1);
    assert.equal((await api(`/transactions/${id}`)).status, 503);
    assert.equal((await api(`/transactions/${id}`)).status, 200);
  });

  test('signed documents and evidence download only once completed, deterministic per document', async () => {
    const id = await createStarted([ALICE]);
    const docId = (await getTransaction(id)).documents[0].id as string;
    const path = `/transactions/${id}/archive/documents/${docId}/download`;
    assert.equal((await api(path)).status, 400);
    assert.equal((await api(`/archives/${id}/requester-attestation`)).status, 400);
    simulator.sign(id, ALICE);
    const download = await api(path);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    const bytes = new Uint8Array(await download.arrayBuffer());
    const hash = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
    assert.equal(hash(bytes), hash(signedPdfFor(docId)));
    const viaArchives = new Uint8Array(await (await api(`/archives/${id}/documents/${docId}/download`)).arrayBuffer());
    assert.equal(hash(viaArchives), hash(bytes));
    assert.equal((await api(`/transactions/${id}/archive/documents/doc_nope/download`)).status, 404);
    const evidence = await api(`/archives/${id}/requester-attestation`);
    assert.equal(evidence.status, 200);
    assert.match(Buffer.from(await evidence.arrayBuffer()).toString('latin1'), /^%PDF-1\.4[\s\S]*%%EOF\n$/);
  });

  test('start and cancel follow the state rules; expire; forced states', async () => {
    const draft = await control('/transactions', { state: 'draft', signers: [{ email: ALICE }] });
    const id = draft.json.id as string;
    assert.equal(draft.json.transaction.state, 'draft');
    assert.equal((await control(`/transactions/${id}/cancel`)).status, 400);
    assert.equal((await control(`/transactions/${id}/start`)).json.state, 'started');
    assert.equal((await control(`/transactions/${id}/start`)).status, 400);
    assert.equal((await control(`/transactions/${id}/expire`)).json.state, 'expired');
    assert.equal((await control(`/transactions/${id}/cancel`)).status, 400);

    events.length = 0;
    const forced = await control(`/transactions/${id}/state`, { state: 'started', stalled: true, stalled_reason: 'inactivity' });
    assert.equal(forced.status, 200);
    const raw = await getTransaction(id);
    assert.deepEqual([raw.state, raw.stalled, raw.stalled_reason], ['started', true, 'inactivity']);
    assert.deepEqual(
      events.map((event) => event.type),
      ['transaction.lifecycle.started', 'action.stalled'],
    );
    await control(`/transactions/${id}/state`, { state: 'completed', stalled: false });
    const completed = await getTransaction(id);
    assert.deepEqual([completed.state, completed.stalled, completed.stalled_reason], ['completed', false, null]);
    assert.equal(typeof completed.completed_at, 'string');
    assert.equal((await control('/transactions/tx_nope/sign', { email: ALICE })).status, 404);
  });

  test('control GET returns the raw record; the request log records content types', async () => {
    const id = await createStarted([ALICE]);
    const record = (await control(`/transactions/${id}`, undefined, 'GET')).json;
    assert.equal(record.id, id);
    assert.equal(record.signatures.length, 1);
    assert.equal((await control('/requests', undefined, 'DELETE')).status, 200);
    await api(`/transactions/${id}/cancel`, { method: 'POST', body: new URLSearchParams() });
    const log = simulator.requests();
    assert.equal(log.length, 1);
    assert.equal(log[0]?.path, `/v1/transactions/${id}/cancel`);
    assert.equal(log[0]?.authValid, true);
    assert.equal(log[0]?.status, 200);
  });
});
