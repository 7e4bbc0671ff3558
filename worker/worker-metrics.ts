/**
 * The worker's Prometheus metrics: syncs by source and outcome (a quiet sync writes no sync-log
 * row, so the API cannot count them from the database), status changes, business actions by kind
 * and outcome, Universign calls by HTTP status, the waits of the Universign queue's rate limit, how
 * late polls start, the reconciliation's runs and actions, and the process's own figures. Served on
 * WORKER_METRICS_PORT with the Temporal SDK's own `temporal_…` metrics appended (sdk-metrics-exporter.ts);
 * each worker counts its own, Prometheus sums them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { BusinessActionMetrics } from '../activities/actions/business-action-metrics';
import type { ReconcileMetrics } from '../activities/reconcile/reconcile-metrics';
import type { SyncMetrics } from '../activities/sync-metrics';

export interface WorkerMetrics extends SyncMetrics, ReconcileMetrics, BusinessActionMetrics {
  registry: Registry;
  /** A Universign call's answer (the client's onAnswer). */
  universignAnswered(method: string, status: number | 'network_error'): void;
  /** How long a Universign call waited on its rate-limited queue before it started. */
  universignQueueWaited(seconds: number): void;
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
  const statusChanges = new Counter({
    name: 'signature_status_changes_total',
    help: 'Status changes recorded by this worker, by previous status (none: the first) and new status',
    labelNames: ['from', 'to'],
    registers: [registry],
  });
  const businessActions = new Counter({
    name: 'business_actions_total',
    help: 'Business-action attempts ended, by kind and outcome (done, skipped, already_done: found done earlier, attempt_failed: retried, failed: retries exhausted)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const universignRequests = new Counter({
    name: 'universign_requests_total',
    help: 'Calls to the Universign API by HTTP method and answer status (network_error: no answer; 429: Universign throttled the call)',
    labelNames: ['method', 'status'],
    registers: [registry],
  });
  const universignQueueWait = new Histogram({
    name: 'universign_rate_limit_wait_seconds',
    help: 'How long Universign calls waited on their rate-limited task queue before starting (UNIVERSIGN_MAX_REQUESTS_PER_SECOND, queue concurrency and worker availability included)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    registry,
    syncRecorded: (source, outcome) => syncs.inc({ source, outcome }),
    statusChanged: (from, to) => statusChanges.inc({ from: from ?? 'none', to }),
    businessAction: (kind, outcome) => businessActions.inc({ kind, outcome }),
    universignAnswered: (method, status) => universignRequests.inc({ method, status: String(status) }),
    universignQueueWaited: (seconds) => universignQueueWait.observe(seconds),
    pollStarted: (seconds) => lateness.observe(seconds),
    reconcileActions: (action, count) => {
      if (count > 0) reconcileActions.inc({ action }, count);
    },
    reconcileRunFinished: () => reconcileRuns.inc(),
  };
}

/**
 * GET /metrics on its own port (the worker has no HTTP API): the registry's text, then, when
 * `appendFrom` is given, the text served there (the SDK's exporter on loopback).
 */
export async function serveWorkerMetrics(
  registry: Registry,
  port: number,
  host: string,
  appendFrom?: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    Promise.all([registry.metrics(), appendFrom ? scrapeText(appendFrom) : '']).then(
      ([own, appended]) => response.writeHead(200, { 'content-type': registry.contentType }).end(own + appended),
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

/** The SDK's text; if it cannot be had, a comment saying why, so the service's own figures still go out. */
async function scrapeText(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
    const text = await response.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (err) {
    return `# Temporal SDK metrics unavailable: ${err instanceof Error ? err.message : String(err)}\n`;
  }
}
