/**
 * A fleet of open transactions on one worker, in the steady state a running fleet has: each
 * workflow goes on from where an earlier run left it (continue-as-new's carried state, recorded
 * projection rows), its next poll due at a time spread evenly over a 15-minute interval (the
 * default cadence when webhooks are not arriving, the busiest one). Measured over a window:
 * worker RSS, how late each due poll reads Universign (timed by the simulator, from outside the
 * product), and webhooks at 100 req/s meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CarriedState, TransactionState } from '../../workflows/messages';
import { signatureWorkflowId } from '../../workflows/messages';
import type { BenchContext, OpenTransaction } from '../lib/context';
import { rssMiB } from '../lib/process-usage';
import { startTransactionWorkflows } from '../lib/product';
import { overBy } from '../lib/report';
import { TASK_QUEUE } from '../lib/stack';
import { summarize } from '../lib/stats';
import type { Ceilings } from './ceilings';
import { steadyWebhooks } from './webhooks';

const SCENARIO = 'fleet';
/** Polls of the whole fleet are due within this interval, as with a 15-minute cadence. */
const SPREAD_MS = 900_000;

function carriedState(transaction: OpenTransaction, nextPollAtMs: number, now: Date): CarriedState {
  const sageDocument = { type: 'devis', number: transaction.sageNumber };
  const state: TransactionState = {
    transactionId: transaction.id,
    workflowId: signatureWorkflowId(transaction.id),
    sageDocument,
    status: 'EN_COURS',
    universignState: 'started',
    stalled: false,
    stalledReason: null,
    signers: transaction.signers,
    syncCount: 1,
    statusChanges: 1,
    lastSyncedAt: now.toISOString(),
    lastSyncError: null,
    webhookReceived: false,
    webhooksArriving: false,
    actions: [{ kind: 'UPDATE_SAGE_FIELDS', status: 'EN_COURS', state: 'done', summary: 'recorded by the benchmark' }],
    pollIntervalSeconds: SPREAD_MS / 1000,
    nextPollAt: new Date(nextPollAtMs).toISOString(),
    final: false,
  };
  return { state, chainId: `bench-${transaction.id}`, syncSequence: 1, notFoundStreak: 0, nextPollAtMs, seenEventIds: [] };
}

async function createFleet(ctx: BenchContext, count: number): Promise<OpenTransaction[]> {
  const fleet: OpenTransaction[] = [];
  for (let offset = 0; offset < count; offset += 1_000) {
    fleet.push(...(await ctx.stack.simulators.call<OpenTransaction[]>('createTransactions', { count: Math.min(1_000, count - offset) })));
  }
  // The projection rows a first sync would have written.
  for (let offset = 0; offset < fleet.length; offset += 1_000) {
    const batch = fleet.slice(offset, offset + 1_000);
    await ctx.stack.pg.query(
      `INSERT INTO signature_transactions (id, universign_id, workflow_id, sage_document_type, sage_document_number, name, universign_state,
         status, document_ids, last_synced_at, sync_count, created_at, updated_at)
       SELECT gen_random_uuid(), id, 'universign-' || id, 'devis', number, 'Devis ' || number, 'started', 'EN_COURS', '{}', now(), 1, now(), now()
       FROM unnest($1::text[], $2::text[]) AS t(id, number)`,
      [batch.map((transaction) => transaction.id), batch.map((transaction) => transaction.sageNumber)],
    );
  }
  return fleet;
}

export async function measureFleet(ctx: BenchContext, ceilings: Ceilings): Promise<void> {
  const { stack, sizes } = ctx;
  const size = sizes.fleetTransactions;
  ctx.log(`fleet: creating ${size.toLocaleString('en')} open transactions`);
  const fleet = await createFleet(ctx, size);
  const rssBefore = rssMiB(stack.worker.pid);

  // Allow time to start them all (about 60 starts/s) before the first poll is due.
  const firstDue = Date.now() + Math.max(30_000, (size / 60) * 1000);
  const dueAt = new Map(fleet.map((transaction, index) => [transaction.id, firstDue + Math.floor((index / size) * SPREAD_MS)]));
  await stack.simulators.call('watchReads', { transactionIds: fleet.map((transaction) => transaction.id) });
  const now = new Date();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssMiB(stack.worker.pid));
  }, 1_000);
  try {
    const startedIn = await ctx.phase(SCENARIO, `start ${size} workflows`, async () => {
      const t0 = performance.now();
      await startTransactionWorkflows(stack.temporal, TASK_QUEUE, fleet, (transaction) => ({
        carried: carriedState(transaction, dueAt.get(transaction.id) as number, now),
      }));
      return (performance.now() - t0) / 1000;
    });
    ctx.note(`fleet: ${size} workflows started in ${startedIn.toFixed(0)} s (${(size / startedIn).toFixed(0)}/s)`);
    if (Date.now() > firstDue) ctx.note('fleet: starting took longer than planned; the first polls were due before their workflow started');
    await sleep(Math.max(0, firstDue - Date.now()));
    const rssStarted = rssMiB(stack.worker.pid);

    const windowEnd = firstDue + sizes.fleetWindowMs;
    ctx.log(`fleet: ${Math.round(sizes.fleetWindowMs / 1000)} s window, webhooks at 100 req/s meanwhile`);
    const webhookMs = Math.min(sizes.fleetWindowMs, sizes.openLoopMs * 4);
    const webhooks = await ctx.phase(SCENARIO, `window: polls due + webhooks 100 req/s for ${webhookMs / 1000} s`, async () => {
      const result = await steadyWebhooks(ctx, 100, webhookMs, 'webhooks during the fleet window', SCENARIO);
      await sleep(Math.max(0, windowEnd - Date.now()));
      return result;
    });
    // Polls due in the last 10 s of the window may not have been read yet.
    const measured = fleet.filter((transaction) => (dueAt.get(transaction.id) as number) < windowEnd - 10_000);
    const reads = await stack.simulators.call<Record<string, number[]>>('reads', {
      transactionIds: measured.map((transaction) => transaction.id),
    });
    const lateness: number[] = [];
    let missed = 0;
    for (const transaction of measured) {
      const due = dueAt.get(transaction.id) as number;
      const first = (reads[transaction.id] ?? []).find((at) => at >= due - 1_000);
      if (first === undefined) {
        missed += 1;
        lateness.push(windowEnd - due);
      } else {
        lateness.push(Math.max(0, first - due));
      }
    }
    const late = summarize(lateness);
    const rssEnd = rssMiB(stack.worker.pid);
    ctx.note(
      `fleet: worker RSS ${rssBefore.toFixed(0)} MiB before, ${rssStarted.toFixed(0)} MiB once ${size} were open, ${rssEnd.toFixed(0)} MiB after the window; ${measured.length} polls due in the window (${((measured.length / (sizes.fleetWindowMs - 10_000)) * 1000).toFixed(1)}/s), ${missed} not read by its end`,
    );
    ctx.figure({
      scenario: SCENARIO,
      key: 'fleet.rss',
      label: `worker RSS, ${size.toLocaleString('en')} open transactions (peak)`,
      value: rssPeak,
      unit: 'MiB',
      goal: { text: '≤ 1 GB (at 10,000)', met: rssPeak <= 1024 },
      spread: `at start of window ${rssStarted.toFixed(0)} MiB`,
    });
    ctx.figure({
      scenario: SCENARIO,
      key: 'fleet.lateness.p99',
      label: `poll lateness, ${size.toLocaleString('en')} open, p99`,
      value: late.p99 / 1000,
      unit: 's',
      ceiling: { label: 'raw activity round trip p99', value: ceilings.activityRoundTripP99 / 1000, unit: 's' },
      versus: overBy(late.p99 / 1000, ceilings.activityRoundTripP99 / 1000, 's'),
      goal: { text: '≤ 5 s', met: late.p99 <= 5_000 },
      spread: `p50 ${(late.p50 / 1000).toFixed(2)} s, max ${(late.max / 1000).toFixed(1)} s, ${missed} missed`,
    });
    ctx.figure({
      scenario: SCENARIO,
      key: 'fleet.webhooks.ack.p99',
      label: `webhook ack at 100 req/s with ${size.toLocaleString('en')} open, p99`,
      value: webhooks.ack.p99,
      unit: 'ms',
      ceiling: { label: 'bare Fastify route p99', value: ceilings.httpP99, unit: 'ms' },
      versus: overBy(webhooks.ack.p99, ceilings.httpP99),
      goal: { text: '≤ 25 ms', met: webhooks.ack.p99 <= 25 },
      spread: `delivered p99 ${webhooks.delivered.p99.toFixed(0)} ms`,
    });
  } finally {
    clearInterval(sampler);
    await stack.simulators.call('unwatchReads');
  }
}
