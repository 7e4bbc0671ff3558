/**
 * 200 transactions signed at once: the simulator completes them all and sends its webhooks; the
 * time from each signature to SIGNE recorded in the database, and until every business action of
 * the burst (Sage fields, order, e-mail, archive) has settled.
 */
import type { BenchContext, OpenTransaction } from '../lib/context';
import { startTransactionWorkflows, waitUntil } from '../lib/product';
import { timesOf } from '../lib/report';
import { TASK_QUEUE } from '../lib/stack';
import { summarize } from '../lib/stats';
import type { Ceilings } from './ceilings';

const SCENARIO = 'burst';
const ACTIONS_PER_SIGNED_QUOTE = 4;

async function count(ctx: BenchContext, sql: string, ids: string[]): Promise<number> {
  return Number((await ctx.stack.pg.query<{ n: string }>(sql, [ids])).rows[0]?.n ?? 0);
}

export async function measureBurst(ctx: BenchContext, ceilings: Ceilings): Promise<void> {
  const { stack, sizes } = ctx;
  const size = sizes.burstTransactions;
  ctx.log(`burst: ${size} open transactions`);
  const transactions = await stack.simulators.call<OpenTransaction[]>('createTransactions', { count: size });
  const ids = transactions.map((transaction) => transaction.id);
  await startTransactionWorkflows(stack.temporal, TASK_QUEUE, transactions);
  await waitUntil(
    async () =>
      (await count(ctx, `SELECT count(*) AS n FROM signature_transactions WHERE universign_id = ANY($1) AND status = 'EN_COURS'`, ids)) ===
      size,
    180_000,
    'the burst transactions to be recorded EN_COURS',
  );
  await waitUntil(
    async () =>
      (await count(
        ctx,
        `SELECT count(*) AS n FROM business_actions a JOIN signature_transactions t ON t.id = a.transaction_id
         WHERE t.universign_id = ANY($1) AND a.status = 'EN_COURS' AND a.state <> 'running'`,
        ids,
      )) === size,
    180_000,
    'the EN_COURS actions of the burst transactions',
  );
  await stack.simulators.call('resetCounts');

  ctx.log(`burst: signing all ${size} at once`);
  const settled = await ctx.phase(SCENARIO, `${size} signed at once`, async () => {
    const signedAt = await stack.simulators.call<Record<string, number>>('signAll', { transactions });
    const firstSignature = Math.min(...Object.values(signedAt));
    await waitUntil(
      async () =>
        (await count(ctx, `SELECT count(*) AS n FROM signature_transactions WHERE universign_id = ANY($1) AND status = 'SIGNE'`, ids)) ===
        size,
      300_000,
      'SIGNE recorded for the whole burst',
      50,
    );
    await waitUntil(
      async () =>
        (await count(
          ctx,
          `SELECT count(*) AS n FROM business_actions a JOIN signature_transactions t ON t.id = a.transaction_id
           WHERE t.universign_id = ANY($1) AND a.status = 'SIGNE' AND a.state <> 'running'`,
          ids,
        )) ===
        size * ACTIONS_PER_SIGNED_QUOTE,
      600_000,
      'every business action of the burst',
      100,
    );
    return { signedAt, firstSignature };
  });

  const recorded = await stack.pg.query<{ universign_id: string; at: Date }>(
    `SELECT t.universign_id, min(l.created_at) AS at FROM sync_log l JOIN signature_transactions t ON t.id = l.transaction_id
     WHERE t.universign_id = ANY($1) AND l.status_changed AND l.new_status = 'SIGNE' GROUP BY t.universign_id`,
    [ids],
  );
  const latencies = recorded.rows.map((row) => row.at.getTime() - (settled.signedAt[row.universign_id] as number));
  await noteWebhookStages(ctx, ids, settled.signedAt);
  const actions = await stack.pg.query<{ last: Date; done: string; failed: string }>(
    `SELECT max(a.completed_at) AS last, count(*) FILTER (WHERE a.state = 'done') AS done, count(*) FILTER (WHERE a.state = 'failed') AS failed
     FROM business_actions a JOIN signature_transactions t ON t.id = a.transaction_id
     WHERE t.universign_id = ANY($1) AND a.status = 'SIGNE'`,
    [ids],
  );
  const row = actions.rows[0];
  const settledSeconds = ((row?.last.getTime() ?? Number.NaN) - settled.firstSignature) / 1000;
  const summary = summarize(latencies);
  const counts = await stack.simulators.call<{ universign: Record<string, number>; sageOrders: number; mails: number }>('counts');
  if (Number(row?.failed ?? 0) > 0) ctx.note(`burst: ${row?.failed} business actions failed`);
  ctx.note(
    `burst: ${counts.universign.transactionReads} Universign reads and ${counts.universign.downloads} downloads during the burst; ${row?.done} actions done`,
  );
  ctx.figure({
    scenario: SCENARIO,
    key: 'burst.signe.p99',
    label: `${size} signed at once: signature → SIGNE recorded, p99`,
    value: summary.p99 / 1000,
    unit: 's',
    ceiling: { label: `raw activity round trip p99, ${size} at once`, value: ceilings.burstRoundTripP99 / 1000, unit: 's' },
    versus: timesOf(summary.p99, ceilings.burstRoundTripP99),
    goal: { text: '≤ 3 s', met: summary.p99 <= 3_000 },
    spread: `p50 ${(summary.p50 / 1000).toFixed(2)} s`,
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'burst.actions.settled',
    label: `${size} signed at once: every business action settled`,
    value: settledSeconds,
    unit: 's',
    ceiling: { label: `raw activity round trip p99, ${size} at once`, value: ceilings.burstRoundTripP99 / 1000, unit: 's' },
    versus: timesOf(settledSeconds * 1000, ceilings.burstRoundTripP99),
    goal: { text: '≤ 10 s', met: settledSeconds <= 10 },
  });
}

/** Where a signature's time goes before SIGNE is recorded: webhook received by the API, then signalled. */
async function noteWebhookStages(ctx: BenchContext, ids: string[], signedAt: Record<string, number>): Promise<void> {
  const stages = await ctx.stack.pg.query<{ universign_transaction_id: string; received: Date; signalled: Date | null }>(
    `SELECT universign_transaction_id, min(received_at) AS received, min(signalled_at) AS signalled
     FROM webhook_events WHERE universign_transaction_id = ANY($1) AND received_at >= $2 GROUP BY universign_transaction_id`,
    [ids, new Date(Math.min(...Object.values(signedAt)))],
  );
  const since = (at: Date | null, id: string) => (at ? at.getTime() - (signedAt[id] as number) : Number.NaN);
  const received = summarize(stages.rows.map((row) => since(row.received, row.universign_transaction_id)));
  const signalled = summarize(stages.rows.filter((row) => row.signalled).map((row) => since(row.signalled, row.universign_transaction_id)));
  const reads = await ctx.stack.pg.query<{ universign_id: string; read: Date }>(
    `SELECT universign_id, last_synced_at AS read FROM signature_transactions WHERE universign_id = ANY($1) AND status = 'SIGNE'`,
    [ids],
  );
  const read = summarize(reads.rows.map((row) => since(row.read, row.universign_id)));
  ctx.note(
    `burst: signature → first webhook received p50 ${(received.p50 / 1000).toFixed(2)} s, p99 ${(received.p99 / 1000).toFixed(2)} s; → first signalled p50 ${(signalled.p50 / 1000).toFixed(2)} s, p99 ${(signalled.p99 / 1000).toFixed(2)} s; → read from Universign (the sync recording SIGNE) p50 ${(read.p50 / 1000).toFixed(2)} s, p99 ${(read.p99 / 1000).toFixed(2)} s`,
  );
}
