/**
 * The worker's Prometheus metrics: syncs by source and outcome (a quiet sync writes no sync-log
 * row, so the API cannot count them from the database), how late polls start, the reconciliation's
 * runs and actions, and the process's own figures. Served on WORKER_METRICS_PORT; each worker counts its own, Prometheus sums them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ReconcileMetrics } from '../activities/reconcile/reconcile-metrics';
import type { SyncMetrics } from '../activities/sync-metrics';

export interface WorkerMetrics extends SyncMetrics, ReconcileMetrics {
  registry: Registry;
}

export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const syncs = new Counter({
    name: 'signature_syncs_total',
    help: 'Syncs recorded by this worker, by source (start, poll, webhook, forced, update) and outcome (changed: logged in full; quiet: nothing new, counted; failed)',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'universign_poll_lateness_seconds',
    help: 'How long after it was due a poll read Universign (rate limit and queueing included)',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const reconcileRuns = new Counter({
    name: 'reconcile_runs_total',
    help: 'Reconciliation runs (the universign-reconcile schedule) finished by this worker',
    registers: [registry],
  });
  const reconcileActions = new Counter({
    name: 'reconcile_actions_total',
    help: 'What reconciliations did: workflows started or found already running, stale ones resynced, undelivered webhook events signalled or ignored, failures',
    labelNames: ['action'],
    registers: [registry],
  });
  return {
    registry,
    syncRecorded: (source, outcome) => syncs.inc({ source, outcome }),
    pollStarted: (seconds) => lateness.observe(seconds),
    reconcileActions: (action, count) => {
      if (count > 0) reconcileActions.inc({ action }, count);
    },
    reconcileRunFinished: () => reconcileRuns.inc(),
  };
}

/** GET /metrics on its own port (the worker has no HTTP API). */
export async function serveWorkerMetrics(
  registry: Registry,
  port: number,
  host: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
