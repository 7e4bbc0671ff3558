/**
 * Prometheus metrics on GET /metrics: webhook outcomes, deliveries and latency counted here, and
 * transactions by status and status changes read at scrape time from `transaction_status_counts`
 * (six rows, kept by database triggers: exact across restarts and workers, whatever the size of
 * the sync log). Sync counts and poll lateness are the worker's own metrics (WORKER_METRICS_PORT).
 *
 * Routes do not count anything themselves: a route declares `config: { countedAs: 'webhook' }`
 * (or 'resync', 'cancel'), and the onResponse hook below counts its answer by status code (see
 * OUTCOMES), or by `reply.outcome` when the handler set it because the status alone cannot tell
 * (a 200 webhook answer is accepted, duplicate or ignored).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

interface StatusCountRow {
  status: string;
  transactions: bigint;
  entered: bigint;
}

export interface AppMetrics {
  registry: Registry;
  webhooks: Counter<'outcome'>;
  webhookDuration: Histogram<'outcome'>;
  resyncs: Counter<'outcome'>;
  webhookDeliveries: Counter<'result'>;
  webhookDeliveryDelay: Histogram<'result'>;
}

/** Routes whose answers are counted, and the metric each one feeds. */
export type CountedRoute = 'webhook' | 'resync' | 'cancel';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
  interface FastifyContextConfig {
    /** Count this route's answers (see OUTCOMES in api/plugins/metrics.ts). */
    countedAs?: CountedRoute;
  }
  interface FastifyReply {
    /** The outcome label of a counted route's answer, when its status code alone does not say it. */
    outcome: string | null;
  }
}

/**
 * The outcome label of each counted status. Statuses not listed (bad input, auth, an unexpected
 * 500) are not counted, as before the counting moved here. Labels are read by outside checks: keep them.
 */
const OUTCOMES: Record<CountedRoute, Partial<Record<number, string>>> = {
  // 200 answers set `reply.outcome` (accepted, duplicate, ignored).
  webhook: { 400: 'invalid', 401: 'unauthorized', 413: 'too_large', 503: 'unavailable' },
  // api_resyncs_total{outcome="resync_<label>"} and "cancel_<label>".
  resync: { 200: 'ok', 404: 'not_found', 409: 'conflict', 503: 'unavailable' },
  cancel: { 200: 'ok', 202: 'pending', 404: 'not_found', 409: 'conflict', 502: 'upstream_error', 503: 'unavailable' },
};

function outcomeOf(countedAs: CountedRoute, reply: FastifyReply): string | undefined {
  // An outcome the handler set stands only if its answer went out (not replaced by an error).
  const declared = reply.statusCode < 300 ? reply.outcome : null;
  return declared ?? OUTCOMES[countedAs][reply.statusCode];
}

export const metricsPlugin = fp(
  async (app: FastifyInstance) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const { prisma } = app.deps;

    const metrics: AppMetrics = {
      registry,
      webhooks: new Counter({
        name: 'universign_webhooks_total',
        help: 'Universign webhook calls by outcome (accepted, duplicate, ignored, unauthorized, invalid, too_large, unavailable)',
        labelNames: ['outcome'],
        registers: [registry],
      }),
      webhookDuration: new Histogram({
        name: 'universign_webhook_duration_seconds',
        help: 'Time to answer a Universign webhook call',
        labelNames: ['outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      }),
      resyncs: new Counter({
        name: 'api_resyncs_total',
        help: 'Resyncs and cancellations requested through the API, by outcome',
        labelNames: ['outcome'],
        registers: [registry],
      }),
      webhookDeliveries: new Counter({
        name: 'universign_webhook_deliveries_total',
        help: 'Accepted webhook events signalled right after the answer, by result (signalled, ignored; unavailable, failed, lease_expired, dropped: left to the redelivery)',
        labelNames: ['result'],
        registers: [registry],
      }),
      webhookDeliveryDelay: new Histogram({
        name: 'universign_webhook_delivery_seconds',
        help: 'Time from a webhook event received to its workflow signalled (or its delivery given up to the redelivery)',
        labelNames: ['result'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    };

    // One read of six rows per scrape, shared by the two metrics below.
    let counts: Promise<StatusCountRow[]> | null = null;
    const readCounts = () => {
      counts ??= prisma.transactionStatusCount.findMany().finally(() => {
        counts = null;
      });
      return counts;
    };
    new Counter({
      name: 'signature_status_changes_total',
      help: 'Status changes recorded by the workflows, by new status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const rows = await readCounts();
        this.reset();
        for (const row of rows) this.inc({ status: row.status }, Number(row.entered));
      },
    });
    new Gauge({
      name: 'signature_transactions',
      help: 'Signature transactions by current local status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const rows = await readCounts();
        this.reset();
        for (const row of rows) this.set({ status: row.status }, Number(row.transactions));
      },
    });

    app.decorate('metrics', metrics);
    app.decorateReply('outcome', null);
    app.addHook('onResponse', async (request, reply) => {
      const { countedAs } = request.routeOptions.config;
      if (!countedAs) return;
      const outcome = outcomeOf(countedAs, reply);
      if (!outcome) return;
      if (countedAs === 'webhook') {
        metrics.webhooks.inc({ outcome });
        metrics.webhookDuration.observe({ outcome }, reply.elapsedTime / 1000);
      } else {
        metrics.resyncs.inc({ outcome: `${countedAs}_${outcome}` });
      }
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await registry.metrics();
      return reply.header('content-type', registry.contentType).send(body);
    });
  },
  { name: 'metrics' },
);
