/**
 * What a sync that finds nothing new costs the database: a worker of its own reaches PostgreSQL
 * through a counting proxy; its workflows are made to re-read an unchanged transaction (the
 * forceResync signal takes the same path as a poll), and round trips, statements and rows
 * written are divided by the number of syncs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { forceResyncSignal, signatureWorkflowId } from '../../workflows/messages';
import type { BenchContext, OpenTransaction } from '../lib/context';
import { startPgWireCounter } from '../lib/pg-wire-counter';
import { forEachLimited, startTransactionWorkflows, waitUntil } from '../lib/product';

const SCENARIO = 'quiet poll';
const TRANSACTIONS = 50;
const ROUNDS = 3;
const QUEUE = 'bench-quiet';

interface TableWrites {
  [table: string]: number;
}

async function rowsWritten(ctx: BenchContext): Promise<TableWrites> {
  const { rows } = await ctx.stack.pg.query<{ relname: string; n: string }>(
    'SELECT relname, n_tup_ins + n_tup_upd + n_tup_del AS n FROM pg_stat_user_tables',
  );
  return Object.fromEntries(rows.map((row) => [row.relname, Number(row.n)]));
}

async function syncCounts(ctx: BenchContext, ids: string[]): Promise<number[]> {
  const { rows } = await ctx.stack.pg.query<{ sync_count: number }>(
    'SELECT sync_count FROM signature_transactions WHERE universign_id = ANY($1)',
    [ids],
  );
  return rows.map((row) => row.sync_count);
}

export async function measureQuietPollCost(ctx: BenchContext): Promise<void> {
  const { stack } = ctx;
  if (stack.database.kind !== 'postgresql') {
    ctx.note('quiet poll cost: skipped (needs PostgreSQL statistics)');
    return;
  }
  const counter = await startPgWireCounter(stack.database.url);
  const worker = await stack.spawnWorker('worker-quiet', { TEMPORAL_TASK_QUEUE: QUEUE, DATABASE_URL: counter.url });
  try {
    const transactions = await stack.simulators.call<OpenTransaction[]>('createTransactions', { count: TRANSACTIONS });
    const ids = transactions.map((transaction) => transaction.id);
    // A day between polls: only the forced re-reads below happen.
    await startTransactionWorkflows(stack.temporal, QUEUE, transactions, () => ({ poll: { minSeconds: 86_400, maxSeconds: 86_400 } }));
    await waitUntil(
      async () => (await syncCounts(ctx, ids)).filter((count) => count >= 1).length === TRANSACTIONS,
      60_000,
      'the first syncs',
    );
    // The EN_COURS business action (Sage fields) writes too: let it finish first.
    await waitUntil(
      async () =>
        Number(
          (
            await stack.pg.query<{ n: string }>(
              `SELECT count(*) AS n FROM business_actions a JOIN signature_transactions t ON t.id = a.transaction_id
             WHERE t.universign_id = ANY($1) AND a.state IN ('done', 'skipped', 'failed')`,
              [ids],
            )
          ).rows[0]?.n ?? 0,
        ) === TRANSACTIONS,
      60_000,
      'the EN_COURS actions',
    );
    // Table statistics reach pg_stat_user_tables up to 10 s after a backend goes idle.
    await sleep(11_000);
    const before = await rowsWritten(ctx);
    counter.reset();
    await ctx.phase(SCENARIO, `${TRANSACTIONS * ROUNDS} quiet syncs`, async () => {
      for (let round = 1; round <= ROUNDS; round += 1) {
        await forEachLimited(ids, 16, async (id) => {
          await stack.temporal.workflow.getHandle(signatureWorkflowId(id)).signal(forceResyncSignal, { reason: 'benchmark' });
        });
        await waitUntil(async () => (await syncCounts(ctx, ids)).every((count) => count >= round + 1), 60_000, `quiet sync round ${round}`);
      }
    });
    const wire = counter.counts();
    await sleep(11_000);
    const after = await rowsWritten(ctx);
    const syncs = TRANSACTIONS * ROUNDS;
    const writes = Object.entries(after)
      .map(([table, n]) => [table, (n - (before[table] ?? 0)) / syncs] as const)
      .filter(([, perSync]) => perSync > 0);
    const rows = writes.reduce((sum, [, perSync]) => sum + perSync, 0);
    ctx.figure({
      scenario: SCENARIO,
      key: 'quiet.roundTrips',
      label: 'database round trips per quiet poll',
      value: wire.roundTrips / syncs,
      unit: '',
      goal: { text: 'one small write', met: wire.roundTrips / syncs <= 1.05 },
      spread: `${(wire.statements / syncs).toFixed(1)} statements`,
    });
    ctx.figure({
      scenario: SCENARIO,
      key: 'quiet.rows',
      label: 'rows written per quiet poll',
      value: rows,
      unit: '',
      goal: { text: '1 row', met: rows <= 1.05 },
      spread: writes.map(([table, perSync]) => `${table} ${perSync.toFixed(1)}`).join(', '),
    });
  } finally {
    await worker.stop();
    await counter.close();
  }
}
