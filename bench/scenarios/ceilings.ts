/**
 * Ceilings of this machine, measured in the same run as the product's figures: a bare Fastify
 * route (HTTP), a raw signalWithStart loop (Temporal), a raw activity round trip (Temporal).
 */
import type { BenchContext } from '../lib/context';
import { closedLoop, openLoop } from '../lib/http-load';
import { TASK_QUEUE } from '../lib/stack';
import { median, summarize } from '../lib/stats';

export interface Ceilings {
  httpThroughput: number;
  httpP50: number;
  httpP99: number;
  signalThroughput: number;
  signalP50: number;
  signalP99: number;
  activityRoundTripP50: number;
  activityRoundTripP99: number;
  burstRoundTripP99: number;
}

const SCENARIO = 'ceilings';

export async function measureCeilings(ctx: BenchContext): Promise<Ceilings> {
  const { sizes, stack } = ctx;
  const body = Buffer.alloc(1500, 0x61);
  const request = () => ({ path: '/webhooks/universign', headers: { 'content-type': 'application/json' }, body });

  ctx.log('ceiling: bare Fastify route, closed loop');
  const httpRuns: number[] = [];
  for (let run = 0; run < sizes.repeats; run += 1) {
    const result = await ctx.phase(SCENARIO, `bare Fastify closed loop #${run + 1}`, () =>
      closedLoop({ baseUrl: stack.bareFastify.url, connections: sizes.connections, durationMs: sizes.closedLoopMs, next: request }),
    );
    httpRuns.push(result.throughput);
  }
  ctx.log('ceiling: bare Fastify route, 100 req/s');
  const httpSteady = summarize(
    (
      await ctx.phase(SCENARIO, 'bare Fastify 100 req/s', () =>
        openLoop({ baseUrl: stack.bareFastify.url, ratePerSecond: 100, durationMs: sizes.openLoopMs, next: request }),
      )
    ).samples.map((sample) => sample.latencyMs),
  );

  const targets = ctx.webhookPool.map((transaction) => ({ transactionId: transaction.id }));
  ctx.log('ceiling: raw signalWithStart, closed loop');
  const signalRuns: number[] = [];
  for (let run = 0; run < sizes.repeats; run += 1) {
    const result = await ctx.phase(SCENARIO, `raw signalWithStart closed loop #${run + 1}`, () =>
      stack.probe.call<{ throughput: number }>('signalClosedLoop', {
        taskQueue: TASK_QUEUE,
        targets,
        concurrency: sizes.connections,
        durationMs: sizes.closedLoopMs,
      }),
    );
    signalRuns.push(result.throughput);
  }
  ctx.log('ceiling: raw signalWithStart, 100/s');
  const signalSteady = summarize(
    (
      await ctx.phase(SCENARIO, 'raw signalWithStart 100/s', () =>
        stack.probe.call<{ latencies: number[] }>('signalOpenLoop', {
          taskQueue: TASK_QUEUE,
          targets,
          rate: 100,
          durationMs: sizes.openLoopMs,
        }),
      )
    ).latencies,
  );

  ctx.log('ceiling: raw activity round trip');
  const idle = summarize(
    (
      await ctx.phase(SCENARIO, 'activity round trip, one chain', () =>
        stack.probe.call<{ roundTrips: number[] }>('activityRoundTrips', { chains: 1, steps: 100 }),
      )
    ).roundTrips,
  );
  const burst = summarize(
    (
      await ctx.phase(SCENARIO, `activity round trip, ${sizes.burstTransactions} chains at once`, () =>
        stack.probe.call<{ roundTrips: number[] }>('activityRoundTrips', { chains: sizes.burstTransactions, steps: 5 }),
      )
    ).roundTrips,
  );

  const ceilings: Ceilings = {
    httpThroughput: median(httpRuns),
    httpP50: httpSteady.p50,
    httpP99: httpSteady.p99,
    signalThroughput: median(signalRuns),
    signalP50: signalSteady.p50,
    signalP99: signalSteady.p99,
    activityRoundTripP50: idle.p50,
    activityRoundTripP99: idle.p99,
    burstRoundTripP99: burst.p99,
  };
  const spread = (runs: number[]) => `${runs.length} runs: ${Math.min(...runs).toFixed(0)}–${Math.max(...runs).toFixed(0)}`;
  ctx.figure({
    scenario: SCENARIO,
    key: 'ceiling.http.throughput',
    label: `bare Fastify route, closed loop (${sizes.connections} connections)`,
    value: ceilings.httpThroughput,
    unit: 'req/s',
    spread: spread(httpRuns),
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'ceiling.http.p99',
    label: 'bare Fastify route at 100 req/s, p50 / p99',
    value: ceilings.httpP99,
    unit: 'ms',
    spread: `p50 ${ceilings.httpP50.toFixed(1)} ms`,
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'ceiling.signal.throughput',
    label: `raw signalWithStart, closed loop (${sizes.connections} callers)`,
    value: ceilings.signalThroughput,
    unit: 'calls/s',
    spread: spread(signalRuns),
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'ceiling.signal.p99',
    label: 'raw signalWithStart at 100/s, p99',
    value: ceilings.signalP99,
    unit: 'ms',
    spread: `p50 ${ceilings.signalP50.toFixed(1)} ms`,
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'ceiling.activity.p99',
    label: 'raw activity round trip, one at a time, p99',
    value: ceilings.activityRoundTripP99,
    unit: 'ms',
    spread: `p50 ${ceilings.activityRoundTripP50.toFixed(1)} ms`,
  });
  ctx.figure({
    scenario: SCENARIO,
    key: 'ceiling.activity.burst.p99',
    label: `raw activity round trip, ${sizes.burstTransactions} chains at once, p99`,
    value: ceilings.burstRoundTripP99,
    unit: 'ms',
    spread: `p50 ${burst.p50.toFixed(1)} ms`,
  });
  return ceilings;
}
