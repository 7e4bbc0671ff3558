/**
 * Prometheus metrics on GET /metrics: webhook outcomes and latency counted here, and the sync and
 * status-change totals read from the append-only sync log at scrape time (exact across restarts
 * and across every worker, since the log is the record of every sync).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  webhooks: Counter<'outcome'>;
  webhookDuration: Histogram<'outcome'>;
  resyncs: Counter<'outcome'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { prisma } = app.deps;

  const metrics: AppMetrics = {
    registry,
    webhooks: new Counter({
      name: 'universign_webhooks_total',
      help: 'Universign webhook calls by outcome (signalled, duplicate, ignored, unauthorized, invalid, too_large, unavailable)',
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
  };

  new Counter({
    name: 'signature_syncs_total',
    help: 'Syncs recorded by the workflows (sync log rows), by success',
    labelNames: ['success'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.syncLogEntry.groupBy({ by: ['success'], _count: { _all: true } });
      for (const row of rows) this.inc({ success: String(row.success) }, row._count._all);
    },
  });
  new Counter({
    name: 'signature_status_changes_total',
    help: 'Status changes recorded by the workflows, by new status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.syncLogEntry.groupBy({
        by: ['newStatus'],
        where: { statusChanged: true },
        _count: { _all: true },
      });
      for (const row of rows) if (row.newStatus) this.inc({ status: row.newStatus }, row._count._all);
    },
  });
  new Gauge({
    name: 'signature_transactions',
    help: 'Signature transactions by current local status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.signatureTransaction.groupBy({ by: ['status'], _count: { _all: true } });
      for (const row of rows) this.set({ status: row.status }, row._count._all);
    },
  });

  app.decorate('metrics', metrics);
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
});
