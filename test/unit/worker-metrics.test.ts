/**
 * The worker's metrics endpoint: sync outcomes by source and poll lateness, served over real HTTP
 * on a port of its own; anything but GET /metrics is a 404.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkerMetrics, serveWorkerMetrics } from '../../worker/worker-metrics';

test('GET /metrics reports syncs by source and outcome, poll lateness, and reconciliations', async () => {
  const metrics = createWorkerMetrics();
  const server = await serveWorkerMetrics(metrics.registry, 0, '127.0.0.1');
  try {
    metrics.syncRecorded('poll', 'quiet');
    metrics.syncRecorded('poll', 'quiet');
    metrics.syncRecorded('webhook', 'changed');
    metrics.pollStarted(0.3);
    metrics.pollStarted(12);
    metrics.reconcileActions('started', 2);
    metrics.reconcileActions('event_signalled', 0);
    metrics.reconcileRunFinished();
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const body = await response.text();
    assert.match(body, /signature_syncs_total\{source="poll",outcome="quiet"\} 2/);
    assert.match(body, /signature_syncs_total\{source="webhook",outcome="changed"\} 1/);
    assert.match(body, /universign_poll_lateness_seconds_bucket\{le="0.5"\} 1/);
    assert.match(body, /universign_poll_lateness_seconds_count 2/);
    assert.match(body, /reconcile_actions_total\{action="started"\} 2/);
    assert.doesNotMatch(body, /action="event_signalled"/, 'no series for an action never taken');
    assert.match(body, /reconcile_runs_total 1/);
    assert.match(body, /process_resident_memory_bytes/);

    const other = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(other.status, 404);
    assert.match(await other.text(), /GET \/metrics/);
  } finally {
    await server.close();
  }
});
