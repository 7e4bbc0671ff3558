/**
 * Webhooks as Universign sends them (signed, unique event ids, about open transactions): the
 * closed-loop throughput of POST /webhooks/universign, and at a steady 100 req/s the ack latency
 * and the time until the workflow is signalled (read back from the event's audit row).
 */
import type { BenchContext } from '../lib/context';
import { closedLoop, type LoadResult, openLoop } from '../lib/http-load';
import { forEachLimited, type SignedEvent, waitUntil, webhookRequest } from '../lib/product';
import { overBy, percentOf } from '../lib/report';
import { median, summarize } from '../lib/stats';
import type { Ceilings } from './ceilings';

const SCENARIO = 'webhooks';
/** Today's closed-loop throughput, measured by the performance issue on this machine kind. */
export const ISSUE_WEBHOOK_THROUGHPUT = 130;

export async function signEvents(
  ctx: BenchContext,
  count: number,
  transactionIds = ctx.webhookPool.map((t) => t.id),
): Promise<SignedEvent[]> {
  const events: SignedEvent[] = [];
  const batches = Array.from({ length: Math.ceil(count / 500) }, (_, index) => Math.min(500, count - index * 500));
  await forEachLimited(batches, 1, async (size) => {
    events.push(...(await ctx.stack.simulators.call<SignedEvent[]>('signEvents', { transactionIds, count: size })));
  });
  return events;
}

/** Steady `rate` webhooks per second; returns ack latencies and (once delivered) webhook → signal times. */
export async function steadyWebhooks(ctx: BenchContext, rate: number, durationMs: number, phase: string, scenario = SCENARIO) {
  const events = await signEvents(ctx, Math.round((rate * durationMs) / 1000));
  const result = await ctx.phase(scenario, phase, () =>
    openLoop({ baseUrl: ctx.stack.apiUrl, ratePerSecond: rate, durationMs, next: (index) => webhookRequest(events[index] as SignedEvent) }),
  );
  const delivered = await deliveryTimes(ctx, events, result);
  return {
    ack: summarize(result.samples.map((sample) => sample.latencyMs)),
    delivered: summarize(delivered.latencies),
    undelivered: delivered.undelivered,
    statusCounts: result.statusCounts,
  };
}

/** Waits (bounded) for the events to leave `received`, then times send → signalled. */
async function deliveryTimes(ctx: BenchContext, events: SignedEvent[], result: LoadResult) {
  const ids = events.map((event) => event.eventId);
  const pendingCount = async () =>
    Number(
      (
        await ctx.stack.pg.query<{ n: string }>(
          `SELECT count(*) AS n FROM webhook_events WHERE event_id = ANY($1) AND status = 'received'`,
          [ids],
        )
      ).rows[0]?.n ?? 0,
    );
  await waitUntil(async () => (await pendingCount()) === 0, 120_000, 'webhook events to be delivered').catch((err: Error) =>
    ctx.note(err.message),
  );
  const rows = await ctx.stack.pg.query<{ event_id: string; signalled_at: Date | null }>(
    'SELECT event_id, signalled_at FROM webhook_events WHERE event_id = ANY($1)',
    [ids],
  );
  const signalledAt = new Map(rows.rows.map((row) => [row.event_id, row.signalled_at?.getTime() ?? null]));
  const latencies: number[] = [];
  let undelivered = 0;
  for (const sample of result.samples) {
    const at = signalledAt.get((events[sample.index] as SignedEvent).eventId);
    if (at == null) undelivered += 1;
    else latencies.push(at - sample.sentAtEpochMs);
  }
  return { latencies, undelivered };
}

export async function measureWebhooks(ctx: BenchContext, ceilings: Ceilings, baselineThroughput?: number): Promise<void> {
  const { sizes, stack } = ctx;
  const runs: number[] = [];
  for (let run = 0; run < sizes.repeats; run += 1) {
    ctx.log(`webhooks: closed loop #${run + 1} (signing events first)`);
    const events = await signEvents(ctx, sizes.closedLoopMs <= 5_000 ? 4_000 : 8_000);
    const result = await ctx.phase(SCENARIO, `closed loop #${run + 1}`, () =>
      closedLoop({
        baseUrl: stack.apiUrl,
        connections: sizes.connections,
        durationMs: sizes.closedLoopMs,
        maxRequests: events.length,
        next: (index) => webhookRequest(events[index] as SignedEvent),
      }),
    );
    const ok = result.samples.filter((sample) => sample.status === 200).length;
    if (ok < result.samples.length)
      ctx.note(`webhooks closed loop #${run + 1}: answers ${JSON.stringify(result.statusCounts)}, ${result.errors} errors`);
    runs.push(ok / result.wallSeconds);
    // Let the backlog of signals drain before the next run.
    await waitUntil(
      async () =>
        Number(
          (await stack.pg.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE status = 'received'`)).rows[0]?.n ?? 0,
        ) === 0,
      180_000,
      'the webhook backlog to drain',
    ).catch((err: Error) => ctx.note(err.message));
  }
  const throughput = median(runs);
  const fiveTimes = 5 * (baselineThroughput ?? ISSUE_WEBHOOK_THROUGHPUT);
  ctx.figure({
    scenario: SCENARIO,
    key: 'webhooks.throughput',
    label: `webhook acks, closed loop (${sizes.connections} connections)`,
    value: throughput,
    unit: 'req/s',
    ceiling: { label: 'bare Fastify route', value: ceilings.httpThroughput, unit: 'req/s' },
    versus: `${percentOf(throughput, ceilings.httpThroughput)}; ${((throughput / ceilings.signalThroughput) * 100).toFixed(0)} % of raw signalWithStart`,
    goal: { text: `≥ 5× today's (${fiveTimes.toFixed(0)} req/s)`, met: throughput >= fiveTimes },
    spread: `${runs.length} runs: ${Math.min(...runs).toFixed(0)}–${Math.max(...runs).toFixed(0)}`,
  });

  ctx.log('webhooks: steady 100 req/s');
  const steady = await steadyWebhooks(ctx, 100, sizes.openLoopMs, 'steady 100 req/s');
  if (steady.undelivered > 0) ctx.note(`webhooks at 100 req/s: ${steady.undelivered} events not signalled within 2 minutes`);
  ctx.figure({
    scenario: SCENARIO,
    key: 'webhooks.ack.p99',
    label: 'webhook ack at 100 req/s, p99',
    value: steady.ack.p99,
    unit: 'ms',
    ceiling: { label: 'bare Fastify route p99', value: ceilings.httpP99, unit: 'ms' },
    versus: overBy(steady.ack.p99, ceilings.httpP99),
    goal: { text: '≤ 25 ms', met: steady.ack.p99 <= 25 },
    spread: `p50 ${steady.ack.p50.toFixed(1)} ms`,
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'webhooks.delivered.p99',
    label: 'webhook sent → workflow signalled at 100 req/s, p99',
    value: steady.delivered.p99,
    unit: 'ms',
    ceiling: { label: 'raw signalWithStart p99', value: ceilings.signalP99, unit: 'ms' },
    versus: overBy(steady.delivered.p99, ceilings.signalP99),
    goal: { text: '≤ ceiling + 50 ms', met: steady.delivered.p99 <= ceilings.signalP99 + 50 },
    spread: `p50 ${steady.delivered.p50.toFixed(1)} ms`,
  });
}
