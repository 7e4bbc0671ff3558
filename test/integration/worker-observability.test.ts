/**
 * The worker as its own process (`npm run worker`'s entry), as an operator runs it: one scrape of
 * its /metrics shows the Temporal SDK's `temporal_…` metrics beside the service's, and both move
 * when a quote is sent and signed; every line it logs about the transaction (syncs, business
 * actions, the workflow's own lines) carries the transaction id and a workflow id.
 * Real servers: Temporal dev server, PostgreSQL, the worker process; Universign and Sage simulated.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort } from '../../shared/free-port';
import { signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { sendQuote } from '../support/send-quote';
import { spawnWorkerProcess, type WorkerProcess } from '../support/spawn-worker-process';
import { startTestStack, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;
let worker: WorkerProcess;
let metricsUrl: string;

before(async () => {
  stack = await startTestStack({ businessActions: true, withoutWorker: true });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  // debug: the SDK's own lines about each activity and workflow are written too, so all of them are checked.
  worker = await spawnWorkerProcess(stack, {
    env: { WORKER_METRICS_PORT: String(port), WORKER_METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'debug' },
  });
});
after(async () => {
  await worker?.close();
  await stack?.close();
});

test('one scrape of the worker shows the SDK metrics and the service counters, and both move with a signed quote; its logs name the transaction', async () => {
  const before = await scrape();
  assert.match(before, /^temporal_\w+/m, 'Temporal SDK metrics in the scrape');
  assert.match(before, /^# TYPE signature_syncs_total counter/m, "the service's own counters in the same scrape");
  assert.match(before, /^process_resident_memory_bytes/m);

  const { transactionId } = await sendQuote(stack, 'D0900', [{ email: 'zoe@client.example', fullName: 'Zoé Martin' }]);
  stack.universign.sign(transactionId, 'zoe@client.example');
  const result: TransactionState = await stack.env.client.workflow.getHandle(signatureWorkflowId(transactionId)).result();
  assert.equal(result.status, 'SIGNE');

  // The SDK counts a completion once the server acknowledged it: a moment after the client sees the result.
  const completed = (text: string) => value(text, 'temporal_workflow_completed_total', { workflow_type: 'signatureTransaction' });
  let after = '';
  await waitUntil(async () => {
    after = await scrape();
    return completed(after) > completed(before);
  }, 'SDK: the signatureTransaction completion counted');
  // The service's counters: syncs, status changes, business actions, Universign calls, rate-limit waits.
  assert.ok(value(after, 'signature_syncs_total', { outcome: 'changed' }) >= 2, 'changed syncs counted');
  const samples = (name: string) =>
    after
      .split('\n')
      .filter((line) => line.startsWith(name))
      .join('\n');
  // Into SIGNE once (from EN_COURS, or from EN_ATTENTE when the first read came before Universign started it).
  assert.equal(value(after, 'signature_status_changes_total', { to: 'SIGNE' }), 1, samples('signature_status_changes'));
  assert.equal(value(after, 'business_actions_total', { kind: 'CONVERT_QUOTE_TO_ORDER', outcome: 'done' }), 1, samples('business_actions'));
  assert.ok(value(after, 'business_actions_total', { kind: 'UPDATE_SAGE_FIELDS', outcome: 'done' }) >= 1, samples('business_actions'));
  assert.ok(value(after, 'universign_requests_total', { method: 'GET', status: '200' }) >= 2, 'Universign reads counted');
  assert.ok(value(after, 'universign_requests_total', { method: 'POST', status: '200' }) >= 1, 'Universign creation counted');
  assert.ok(value(after, 'universign_rate_limit_wait_seconds_count', {}) >= 3, 'waits of the Universign queue observed');
  // The SDK's (its workflow completions above): the activities it ran, by type.
  assert.ok(value(after, 'temporal_activity_execution_latency_count', { activity_type: 'convertQuoteToOrder' }) >= 1);

  const lines = (await worker.output())
    .split('\n')
    .slice(0, -1) // the last piece may be a line still being written
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const about = lines.filter((line) => JSON.stringify(line).includes(transactionId));
  console.log(`${about.length} of the worker's ${lines.length} log lines are about the transaction; all checked`);
  for (const line of about) {
    assert.equal(line.transactionId, transactionId, `transaction id on: ${JSON.stringify(line)}`);
    assert.equal(typeof line.workflowId, 'string', `workflow id on: ${JSON.stringify(line)}`);
  }
  const workflowId = signatureWorkflowId(transactionId);
  const ofWorkflow = (predicate: (line: Record<string, unknown>) => boolean) =>
    about.filter((line) => line.workflowId === workflowId && predicate(line));
  assert.ok(ofWorkflow((line) => line.activityType === 'recordSyncResult').length >= 2, 'a sync logged with the ids');
  assert.ok(ofWorkflow((line) => line.activityType === 'convertQuoteToOrder').length >= 2, 'a business action logged with the ids');
  assert.ok(ofWorkflow((line) => line.workflowType === 'signatureTransaction' && !line.activityType).length >= 1, 'workflow lines');
});

async function scrape(): Promise<string> {
  const response = await fetch(metricsUrl);
  assert.equal(response.status, 200);
  return response.text();
}

/** The sum of a metric's samples whose labels include `labels`. */
function value(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ?? '';
    if (Object.entries(labels).every(([key, wanted]) => present.includes(`${key}="${wanted}"`))) sum += Number(match[3]);
  }
  return sum;
}
