/**
 * Prometheus metrics on GET /metrics: webhook outcomes, deliveries and latency counted here, and
 * transactions by status and status changes read at scrape time from `transaction_status_counts`
 * (six rows, kept by database triggers: exact across restarts and workers, whatever the size of
 * the sync log). Sync counts and poll lateness are the worker's own metrics (WORKER_METRICS_PORT).
 */
import type { FastifyInstance } from 'fastify';
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

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
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
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await registry.metrics();
      return reply.header('content-type', registry.contentType).send(body);
    });
  },
  { name: 'metrics' },
);
