/**
 * Input faults on the replicas: over a thousand hostile webhooks and over 150 hostile API
 * requests (spread over both API replicas) must each get a 4xx (or a 2xx that acts on nothing:
 * a replay, an event about no transaction), never a 5xx, and leave no trace: no webhook event or
 * transaction recorded, no workflow started. Then the webhooks of a transaction's whole life are
 * delivered in every possible order, each order to a transaction of its own: every one must end
 * SIGNE with one order, one e-mail, and one workflow run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TransactionJson } from '../../simulators/universign-simulator';
import { signWebhookBody } from '../../simulators/universign-simulator';
import { buildWebhookEvent } from '../../simulators/universign-webhook-event';
import { REPLICA_API_TOKEN, type ReplicaStack, startReplicaStack } from '../support/start-replica-stack';
import { checkSigned, countWhere, createQuotes, faultLine, outcomeText, signQuotes, waitForSigned, waitForStatus } from './fault-outcome';
import { hostileApiRequests } from './hostile-api-requests';
import { hostileWebhooks } from './hostile-webhooks';
import { rawRequest } from './raw-http-request';

const SIGNATURE_HEADER = 'x-jws-signature';
const WEBHOOK_MAX_BYTES = 1024 * 1024;

/** Every change of the simulated transactions, as the webhooks would have carried it. */
const lifeEvents = new Map<string, Array<{ type: string; payload: Record<string, unknown> }>>();

let stack: ReplicaStack;

before(async () => {
  stack = await startReplicaStack({
    name: 'hostile-input',
    onTransactionChanged(transaction: TransactionJson, type, action) {
      const events = lifeEvents.get(transaction.id) ?? [];
      events.push({ type, payload: structuredClone((action ?? transaction) as unknown as Record<string, unknown>) });
      lifeEvents.set(transaction.id, events);
    },
  });
});
after(async () => {
  await stack?.close();
});

/** Runs `work` on each item, `concurrency` at a time. */
async function eachLimited<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

async function traces(): Promise<{ events: number; transactions: number; actions: number; workflows: number }> {
  const count = async (table: string) => Number((await stack.pg.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  const workflows = await stack.temporal.workflow.count();
  return {
    events: await count('webhook_events'),
    transactions: await count('signature_transactions'),
    actions: await count('business_actions'),
    workflows: workflows.count,
  };
}

test('≥ 1,000 hostile webhooks and ≥ 150 hostile API requests: no 5xx, nothing recorded, no workflow started', {
  timeout: 300_000,
}, async (t) => {
  // One genuine transaction whose first event the replay kinds send again.
  const [quote] = createQuotes(stack, 'R', 1);
  assert.ok(quote);
  await waitForStatus(stack, [quote], 'EN_COURS', 60_000);
  await stack.universign.webhooks?.settled();
  const recorded = stack.universign.webhooks?.events().find((event) => event.transactionId === quote.id);
  assert.ok(recorded, 'the genuine transaction sent a webhook');
  const key = stack.universign.webhooks?.keys.current();
  assert.ok(key);

  const webhooks = await hostileWebhooks({
    key,
    header: SIGNATURE_HEADER,
    perKind: 56,
    replay: { body: recorded.rawBody, signature: recorded.signature },
    maxBytes: WEBHOOK_MAX_BYTES,
  });
  const requests = hostileApiRequests(REPLICA_API_TOKEN);
  assert.ok(webhooks.length >= 1_000, `${webhooks.length} hostile webhooks`);
  assert.ok(requests.length >= 150, `${requests.length} hostile API requests`);

  const before = await traces();
  const answers = new Map<string, Map<number, number>>();
  const odd: string[] = [];
  const note = (kind: string, status: number, what?: string) => {
    if (status === 0 || status >= 500) odd.push(`${kind} ${what ?? ''} → ${status}`);
    const byStatus = answers.get(kind) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    answers.set(kind, byStatus);
  };
  const started = Date.now();
  await eachLimited(webhooks, 8, async (webhook, index) => {
    const base = stack.apiUrls[index % 2] as string;
    const answer = await rawRequest(base, {
      method: webhook.method,
      path: '/webhooks/universign',
      headers: webhook.headers,
      body: webhook.body,
    });
    note(`webhook: ${webhook.kind}`, answer.status);
  });
  await eachLimited(requests, 4, async (request, index) => {
    const answer = await rawRequest(stack.apiUrls[index % 2] as string, request);
    note(`api: ${request.kind}`, answer.status, `${request.method} ${request.path.slice(0, 120)} ${answer.error ?? ''}`);
  });
  const elapsed = Date.now() - started;
  // Anything accepted would be signalled within moments: give it time to show before counting.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const afterwards = await traces();

  let serverErrors = 0;
  let resets = 0;
  const unexpected: string[] = [];
  for (const [kind, byStatus] of answers) {
    const summary = [...byStatus].map(([status, n]) => `${status}×${n}`).join(' ');
    t.diagnostic(`${kind}: ${summary}`);
    for (const [status, n] of byStatus) {
      if (status >= 500) serverErrors += n;
      if (status === 0 && kind !== 'webhook: oversized' && kind !== 'api: huge body') resets += n;
      // Only a replay or an authentic event about no transaction may be acknowledged; everything else is refused.
      const acknowledged =
        kind === 'webhook: replayed (already recorded)' || kind === 'webhook: unknown type about no transaction, validly signed';
      const readOnly = kind.startsWith('api: hostile query') || kind.startsWith('api: path trick');
      if (status >= 200 && status < 300 && !acknowledged && !readOnly) unexpected.push(`${kind}: ${status}×${n}`);
    }
  }
  for (const line of odd) t.diagnostic(`5xx or reset: ${line}`);
  const recordedAnything =
    afterwards.events - before.events + (afterwards.transactions - before.transactions) + (afterwards.actions - before.actions);
  t.diagnostic(
    faultLine(
      'hostile input',
      `${webhooks.length} webhooks + ${requests.length} API requests over 2 API replicas in ${(elapsed / 1000).toFixed(1)} s`,
      'answers, webhook_events / signature_transactions / business_actions rows, workflows',
      `lost=0 duplicated=0 5xx=${serverErrors} resets=${resets} recorded=${recordedAnything} workflows started=${afterwards.workflows - before.workflows} 2xx acting=${unexpected.length}`,
      null,
    ),
  );
  assert.equal(serverErrors, 0, 'no 5xx');
  assert.equal(resets, 0, 'no connection reset but on oversized bodies');
  assert.deepEqual(unexpected, [], 'hostile input is refused');
  assert.deepEqual(afterwards, before, 'nothing recorded, no workflow started');
});

/** Every order of `items` (Heap's algorithm). */
function permutations<T>(items: T[]): T[][] {
  const result: T[][] = [];
  const current = [...items];
  const counters = new Array(items.length).fill(0);
  result.push([...current]);
  let index = 1;
  while (index < current.length) {
    if (counters[index] < index) {
      const other = index % 2 === 0 ? 0 : counters[index];
      [current[index], current[other]] = [current[other] as T, current[index] as T];
      result.push([...current]);
      counters[index] += 1;
      index = 1;
    } else {
      counters[index] = 0;
      index += 1;
    }
  }
  return result;
}

test("a transaction's whole life of webhooks in every order, one transaction per order: each settles once", {
  timeout: 300_000,
}, async (t) => {
  // One life to learn its events: created, started, signer's action opened, closed, completed.
  stack.universign.setWebhooksEnabled(false);
  const [sample] = createQuotes(stack, 'S', 1);
  assert.ok(sample);
  signQuotes(stack, [sample]);
  const lifeLength = lifeEvents.get(sample.id)?.length ?? 0;
  const orders = permutations([...Array(lifeLength).keys()]);

  // Each order gets its own transaction, lived through without webhooks; its events are sent afterwards, in that order.
  const quotes = createQuotes(stack, 'P', orders.length);
  signQuotes(stack, quotes);
  stack.universign.setWebhooksEnabled(true);
  const key = stack.universign.webhooks?.keys.current();
  assert.ok(key);
  const lives = await Promise.all(
    quotes.map(async (quote) => {
      const events = lifeEvents.get(quote.id) ?? [];
      assert.equal(events.length, lifeLength, `${quote.id} lived the same life`);
      return Promise.all(
        events.map(async ({ type, payload }) => {
          const { rawBody } = buildWebhookEvent({ type, payloadObject: payload, createdAt: new Date().toISOString() });
          return { rawBody, signature: await signWebhookBody(rawBody, key) };
        }),
      );
    }),
  );

  const started = Date.now();
  let serverErrors = 0;
  let refused = 0;
  await eachLimited(orders, 8, async (order, index) => {
    const life = lives[index] ?? [];
    for (const position of order) {
      const event = life[position];
      if (!event) continue;
      const answer = await rawRequest(stack.apiUrls[(index + position) % 2] as string, {
        method: 'POST',
        path: '/webhooks/universign',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: event.signature },
        body: event.rawBody,
      });
      if (answer.status >= 500 || answer.status === 0) serverErrors += 1;
      else if (answer.status >= 300) refused += 1;
    }
  });
  const deliveredAt = Date.now();
  const settledAt = await waitForSigned(stack, quotes, 180_000);
  const outcome = await checkSigned(stack, quotes);

  const ids = quotes.map((quote) => quote.id);
  const recordedEvents = await countWhere(stack, 'SELECT count(*) AS n FROM webhook_events WHERE universign_transaction_id = ANY($1)', ids);
  const runs = new Map<string, number>();
  for await (const workflow of stack.temporal.workflow.list({ query: 'WorkflowType = "signatureTransaction"' })) {
    runs.set(workflow.workflowId, (runs.get(workflow.workflowId) ?? 0) + 1);
  }
  const extraRuns = ids.reduce((sum, id) => sum + Math.max(0, (runs.get(`universign-${id}`) ?? 0) - 1), 0);
  const withoutRun = ids.filter((id) => !runs.has(`universign-${id}`)).length;

  t.diagnostic(
    faultLine(
      `webhooks of a whole life (${lifeLength} events) in all ${orders.length} orders`,
      `${orders.length} transactions, ${orders.length * lifeLength} webhooks in ${((deliveredAt - started) / 1000).toFixed(1)} s`,
      'statuses (DB + API), Sage orders, e-mails, events recorded, workflow runs',
      `${outcomeText(outcome)} 5xx=${serverErrors} refused=${refused} events recorded=${recordedEvents} extra runs=${extraRuns} no run=${withoutRun}`,
      settledAt - deliveredAt,
    ),
  );
  for (const detail of outcome.details) t.diagnostic(detail);
  assert.equal(serverErrors, 0);
  assert.equal(refused, 0);
  assert.equal(outcome.lost, 0, outcome.details.join('\n'));
  assert.equal(outcome.duplicatedOrders, 0, outcome.details.join('\n'));
  assert.equal(outcome.duplicatedMails, 0, outcome.details.join('\n'));
  assert.equal(recordedEvents, orders.length * lifeLength, 'each event recorded once');
  assert.equal(extraRuns, 0, 'one workflow run per transaction');
  assert.equal(withoutRun, 0);
});
