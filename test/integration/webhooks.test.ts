/**
 * Universign webhooks driving the workflows, on real servers: the simulator signs each event
 * (detached PS256 JWS) and posts it to the app over HTTP; the app verifies, records, signals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildWebhookEvent, signWebhookBody } from '../../simulators/universign-webhook-event';
import { generateWebhookSigningKey } from '../../simulators/universign-webhook-keys';
import { signatureWorkflowId } from '../../workflows/messages';
import { sageDocumentMetadata } from '../../workflows/sage-document-metadata';
import { SAGE_DOCUMENT_KEY, SIGNATURE_STATUS_KEY } from '../../workflows/search-attributes';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ webhooks: { duplicate: 10, reorder: true } });
});
after(async () => {
  await stack?.close();
});

function row(universignId: string) {
  return stack.db.prisma.signatureTransaction.findUnique({
    where: { universignId },
    include: { syncLog: { orderBy: { id: 'asc' } } },
  });
}

async function postWebhook(rawBody: Buffer, signature: string | undefined, contentType = 'application/json') {
  const response = await fetch(`${stack.apiUrl}/webhooks/universign`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(signature === undefined ? {} : { 'x-jws-signature': signature }) },
    body: rawBody,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe('Universign webhooks', () => {
  test('ten shuffled copies of every event: one status change per real change, nothing twice', async () => {
    const webhooks = stack.universign.webhooks!;
    const tx = stack.universign.createTransaction({
      state: 'draft',
      signers: [{ email: 'alice@client.example' }, { email: 'bob@client.example' }],
      metadata: sageDocumentMetadata({ type: 'devis', number: 'D0100' }),
    });
    stack.universign.start(tx.id);
    await webhooks.flush();
    await webhooks.settled();
    await waitUntil(async () => (await row(tx.id))?.status === 'EN_COURS', 'EN_COURS from the webhooks');

    stack.universign.sign(tx.id, 'alice@client.example');
    stack.universign.sign(tx.id, 'bob@client.example');
    await webhooks.flush();
    await webhooks.settled();
    const handle = stack.env.client.workflow.getHandle(signatureWorkflowId(tx.id));
    const result = await handle.result();
    assert.equal(result.status, 'SIGNE');

    const recorded = await row(tx.id);
    assert.ok(recorded);
    assert.equal(recorded.status, 'SIGNE');
    assert.equal(recorded.webhookReceived, true);
    assert.deepEqual(
      recorded.syncLog.filter((entry) => entry.statusChanged).map((entry) => [entry.previousStatus, entry.newStatus]),
      [
        [null, 'EN_COURS'],
        ['EN_COURS', 'SIGNE'],
      ],
    );
    assert.equal(new Set(recorded.syncLog.map((entry) => entry.syncKey)).size, recorded.syncLog.length);

    const sent = webhooks.events().filter((event) => event.transactionId === tx.id);
    const events = await stack.db.prisma.webhookEvent.findMany({ where: { universignTransactionId: tx.id } });
    assert.equal(events.length, sent.length, 'one row per distinct event');
    assert.ok(
      events.every((event) => event.duplicateCount === 9),
      'the nine copies were counted as duplicates',
    );
    // Events delivered after the transaction reached SIGNE are acknowledged and ignored.
    assert.ok(events.every((event) => event.status === 'signalled' || event.status === 'ignored'));
    assert.ok(events.some((event) => event.status === 'signalled'));
    const signedAt = recorded.syncLog.find((entry) => entry.statusChanged && entry.newStatus === 'SIGNE')?.createdAt.getTime() ?? 0;
    assert.ok(
      events.filter((event) => event.status === 'ignored').every((event) => event.receivedAt.getTime() >= signedAt - 1000),
      'only events arriving once SIGNE was recorded were ignored',
    );
    // Each distinct event signalled at most once, so the workflow synced at most once per event (+ its start).
    assert.ok(recorded.syncLog.length <= sent.length + 1, `${recorded.syncLog.length} syncs for ${sent.length} events`);

    const durations = webhooks
      .deliveries()
      .filter((d) => d.status === 200)
      .map((d) => d.durationMs);
    const p50 = percentile(durations, 50);
    const p99 = percentile(durations, 99);
    console.log(`# webhook response time over ${durations.length} calls: median ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    assert.ok(
      webhooks.deliveries().every((d) => d.status === 200),
      'every copy answered 200',
    );
  });

  test('a webhook after the workflow completed answers ignored and starts no new run', async () => {
    const tx = stack.universign.createTransaction({ state: 'started', signers: [{ email: 'carol@client.example' }] });
    stack.universign.sign(tx.id, 'carol@client.example');
    await stack.universign.webhooks!.flush();
    await stack.universign.webhooks!.settled();
    const handle = stack.env.client.workflow.getHandle(signatureWorkflowId(tx.id));
    assert.equal((await handle.result()).status, 'SIGNE');
    const firstRun = (await handle.describe()).runId;

    const key = stack.universign.webhooks!.keys.current();
    const late = buildWebhookEvent({
      type: 'transaction.lifecycle.completed',
      payloadObject: stack.universign.getTransactionJson(tx.id),
      createdAt: new Date().toISOString(),
    });
    const answer = await postWebhook(late.rawBody, await signWebhookBody(late.rawBody, key));
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'ignored');

    const runs = [];
    for await (const run of stack.env.client.workflow.list({ query: `WorkflowId = '${signatureWorkflowId(tx.id)}'` })) {
      runs.push(run.runId);
    }
    assert.deepEqual(runs, [firstRun], 'still exactly one run');
    assert.equal((await handle.describe()).status.name, 'COMPLETED');
    const stored = await stack.db.prisma.webhookEvent.findUnique({ where: { eventId: late.id } });
    assert.equal(stored?.status, 'ignored');
  });

  test('a webhook for a transaction recorded as final starts nothing, even once Temporal forgot its run', async () => {
    const tx = stack.universign.createTransaction({ state: 'started', signers: [{ email: 'fay@client.example' }] });
    stack.universign.cancel(tx.id);
    // As after we cancelled a refused transaction and the run left Temporal's retention.
    await stack.db.prisma.signatureTransaction.create({
      data: { universignId: tx.id, workflowId: signatureWorkflowId(tx.id), status: 'REFUSE' },
    });
    const event = buildWebhookEvent({
      type: 'transaction.lifecycle.cancelled',
      payloadObject: stack.universign.getTransactionJson(tx.id),
      createdAt: new Date().toISOString(),
    });
    const answer = await postWebhook(event.rawBody, await signWebhookBody(event.rawBody, stack.universign.webhooks!.keys.current()));
    assert.deepEqual(answer, { status: 200, body: { status: 'ignored', eventId: event.id } });
    await assert.rejects(stack.env.client.workflow.getHandle(signatureWorkflowId(tx.id)).describe(), /not found/i);
    assert.equal((await row(tx.id))?.status, 'REFUSE', 'the final status stands');
  });

  test('a webhook for a transaction never seen adopts it, with the Sage document from its metadata', async () => {
    const tx = stack.universign.createTransaction({
      state: 'started',
      signers: [{ email: 'dan@client.example' }],
      metadata: sageDocumentMetadata({ type: 'devis', number: 'D0777' }),
    });
    const key = stack.universign.webhooks!.keys.current();
    const event = buildWebhookEvent({
      type: 'transaction.lifecycle.started',
      payloadObject: stack.universign.getTransactionJson(tx.id),
      createdAt: new Date().toISOString(),
    });
    const answer = await postWebhook(event.rawBody, await signWebhookBody(event.rawBody, key));
    assert.deepEqual(answer, { status: 200, body: { status: 'accepted', eventId: event.id } });

    await waitUntil(async () => (await row(tx.id))?.status === 'EN_COURS', 'the adopted transaction recorded');
    const recorded = await row(tx.id);
    assert.equal(recorded?.sageDocumentType, 'devis');
    assert.equal(recorded?.sageDocumentNumber, 'D0777');
    const handle = stack.env.client.workflow.getHandle(signatureWorkflowId(tx.id));
    const description = await handle.describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.typedSearchAttributes.get(SAGE_DOCUMENT_KEY), 'devis:D0777');
    await waitUntil(
      async () => (await handle.describe()).typedSearchAttributes.get(SIGNATURE_STATUS_KEY) === 'EN_COURS',
      'the status search attribute',
    );
    assert.match((await description.staticSummary()) ?? '', /devis D0777/);
  });

  test('bad calls are refused with 4xx and leave nothing behind', async () => {
    const before = await stack.db.prisma.webhookEvent.count();
    const key = stack.universign.webhooks!.keys.current();
    const tx = stack.universign.createTransaction({ state: 'started', signers: [{ email: 'eve@client.example' }] });
    const event = buildWebhookEvent({
      type: 'transaction.lifecycle.started',
      payloadObject: stack.universign.getTransactionJson(tx.id),
      createdAt: new Date().toISOString(),
    });
    const goodSignature = await signWebhookBody(event.rawBody, key);
    const stranger = await generateWebhookSigningKey(key.kid);

    assert.equal((await postWebhook(event.rawBody, undefined)).status, 401, 'missing signature');
    assert.equal((await postWebhook(event.rawBody, 'garbage')).status, 401, 'garbage signature');
    assert.equal((await postWebhook(event.rawBody, await signWebhookBody(event.rawBody, stranger))).status, 401, 'another key');
    const altered = Buffer.from(event.rawBody.toString('utf8').replace('started', 'completed'));
    assert.equal((await postWebhook(altered, goodSignature)).status, 401, 'body altered after signing');

    const notAnEvent = Buffer.from('{"hello":"world"}');
    const invalid = await postWebhook(notAnEvent, await signWebhookBody(notAnEvent, key));
    assert.equal(invalid.status, 400);
    assert.match(String(invalid.body.message), /event/i);

    const huge = Buffer.alloc(128 * 1024, 'a');
    assert.equal((await postWebhook(huge, await signWebhookBody(huge, key))).status, 413);

    assert.equal(await stack.db.prisma.webhookEvent.count(), before, 'nothing recorded');
    await assert.rejects(stack.env.client.workflow.getHandle(signatureWorkflowId(tx.id)).describe(), /not found/i);
  });
});
