/**
 * The worker's metrics endpoint: sync outcomes by source and poll lateness, served over real HTTP
 * on a port of its own; anything but GET /metrics is a 404.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    metrics.statusChanged(null, 'EN_COURS');
    metrics.statusChanged('EN_COURS', 'SIGNE');
    metrics.businessAction('CONVERT_QUOTE_TO_ORDER', 'done');
    metrics.businessAction('NOTIFY_BY_EMAIL', 'attempt_failed');
    metrics.universignAnswered('GET', 429);
    metrics.universignAnswered('POST', 'network_error');
    metrics.universignQueueWaited(0.4);
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
    assert.match(body, /signature_status_changes_total\{from="none",to="EN_COURS"\} 1/);
    assert.match(body, /signature_status_changes_total\{from="EN_COURS",to="SIGNE"\} 1/);
    assert.match(body, /business_actions_total\{kind="CONVERT_QUOTE_TO_ORDER",outcome="done"\} 1/);
    assert.match(body, /business_actions_total\{kind="NOTIFY_BY_EMAIL",outcome="attempt_failed"\} 1/);
    assert.match(body, /universign_requests_total\{method="GET",status="429"\} 1/);
    assert.match(body, /universign_requests_total\{method="POST",status="network_error"\} 1/);
    assert.match(body, /universign_rate_limit_wait_seconds_bucket\{le="0.5"\} 1/);

    const other = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(other.status, 404);
    assert.match(await other.text(), /GET \/metrics/);
  } finally {
    await server.close();
  }
});

test("GET /metrics appends the text served at appendFrom (the SDK's exporter), or says why it cannot", async () => {
  const sdk = createServer((_request, response) =>
    response.end('# TYPE temporal_worker_start_total counter\ntemporal_worker_start_total 2\n'),
  );
  await new Promise<void>((resolve) => sdk.listen(0, '127.0.0.1', resolve));
  const sdkUrl = `http://127.0.0.1:${(sdk.address() as AddressInfo).port}/metrics`;
  const metrics = createWorkerMetrics();
  const server = await serveWorkerMetrics(metrics.registry, 0, '127.0.0.1', sdkUrl);
  try {
    metrics.syncRecorded('poll', 'quiet');
    const body = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert.match(body, /signature_syncs_total\{source="poll",outcome="quiet"\} 1/);
    assert.match(body, /^temporal_worker_start_total 2$/m);
    await new Promise<void>((resolve) => sdk.close(() => resolve()));
    const without = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(without.status, 200, "the service's own figures still go out");
    const text = await without.text();
    assert.match(text, /^# Temporal SDK metrics unavailable: /m);
    assert.match(text, /signature_syncs_total/);
  } finally {
    await server.close();
    sdk.closeAllConnections();
  }
});
