/**
 * GET /metrics once the sync log is large (about two weeks of 10,000 transactions in full mode):
 * the scrape must read counters, not count a growing table.
 */
import type { BenchContext } from '../lib/context';
import { timesOf } from '../lib/report';
import { summarize } from '../lib/stats';

const SCENARIO = 'metrics';
const SCRAPES = 10;

async function timeGet(url: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return performance.now() - started;
}

export async function measureMetricsScrape(ctx: BenchContext): Promise<void> {
  const { stack, sizes } = ctx;
  const small: number[] = [];
  for (let i = 0; i < SCRAPES; i += 1) small.push(await timeGet(`${stack.apiUrl}/metrics`));
  const smallLog = summarize(small);
  ctx.log(`metrics: adding ${sizes.syncLogRows.toLocaleString('en')} sync log rows`);
  await ctx.phase(SCENARIO, `insert ${sizes.syncLogRows} sync log rows`, async () => {
    const { rows } = await stack.pg.query<{ id: string }>('SELECT id FROM signature_transactions');
    const transactionIds = rows.map((row) => row.id);
    const batch = 200_000;
    for (let offset = 0; offset < sizes.syncLogRows; offset += batch) {
      const count = Math.min(batch, sizes.syncLogRows - offset);
      await stack.pg.query(
        `INSERT INTO sync_log (sync_key, transaction_id, source, previous_status, new_status, status_changed, universign_state, success, details, created_at)
         SELECT 'bench/' || ($2::bigint + g), ($1::uuid[])[1 + (g % array_length($1::uuid[], 1))], 'poll', 'EN_COURS', 'EN_COURS',
                (g % 300 = 0), 'started', (g % 50 <> 0), '{}'::jsonb, now() - make_interval(secs => g % 1209600)
         FROM generate_series(1, $3::bigint) AS g`,
        [transactionIds, offset, count],
      );
    }
    // As autovacuum would have by then: visibility map and statistics up to date.
    await stack.pg.query('VACUUM ANALYZE sync_log');
  });
  ctx.log('metrics: scraping');
  const scrape: number[] = [];
  const ceiling: number[] = [];
  await ctx.phase(SCENARIO, `${SCRAPES} scrapes`, async () => {
    for (let i = 0; i < SCRAPES; i += 1) {
      scrape.push(await timeGet(`${stack.apiUrl}/metrics`));
      ceiling.push(await timeGet(`${stack.bareFastify.url}/metrics`));
    }
  });
  const summary = summarize(scrape);
  const base = summarize(ceiling);
  ctx.figure({
    scenario: SCENARIO,
    key: 'metrics.scrape.p50',
    label: `GET /metrics with ${(sizes.syncLogRows / 1e6).toFixed(2)} M sync log rows, median of ${SCRAPES}`,
    value: summary.p50,
    unit: 'ms',
    ceiling: { label: 'bare Fastify GET', value: base.p50, unit: 'ms' },
    versus: timesOf(summary.p50, base.p50),
    goal: {
      text: `independent of the log size (before the rows: ${smallLog.p50.toFixed(1)} ms)`,
      met: summary.p50 <= 2 * smallLog.p50 + 5,
    },
    spread: `max ${summary.max.toFixed(0)} ms`,
  });
}
