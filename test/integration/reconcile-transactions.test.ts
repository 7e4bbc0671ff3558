/**
 * The reconciliation on real servers (Temporal dev server, PostgreSQL, the Universign simulator
 * over HTTP, a worker): one run starts the workflow of a non-final transaction that has none,
 * delivers a webhook event left undelivered past the grace (and only that one), forces a resync
 * of a stale transaction, leaves final and not-found ones alone, reports its counts in its result
 * and the worker's metrics; a second run finds nothing left to do. Its schedule is ensured by
 * concurrent workers as one, follows the configured interval, and its runs reach the worker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { createUniversignClient } from '../../activities/universign-client';
import { createWebhookStore, type WebhookStore } from '../../shared/webhooks/webhook-store';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { createSyncWorker, type SyncWorker } from '../../worker/create-sync-worker';
import { ensureReconcileSchedule, RECONCILE_PAUSE_NOTE } from '../../worker/ensure-reconcile-schedule';
import { createWorkerMetrics, type WorkerMetrics } from '../../worker/worker-metrics';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import { signatureWorkflowId, stateQuery } from '../../workflows/messages';
import { RECONCILE_WORKFLOW_TYPE, type ReconcileResult } from '../../workflows/reconcile-messages';
import { createDevServerEnv, workflowBundle } from '../support/temporal-env';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const API_KEY = 'reconcile-key';
const TASK_QUEUE = `reconcile-${process.pid}`;
// Long polls: every sync seen here comes from a start, a signal or the reconciliation.
const POLL = { minSeconds: 3600, maxSeconds: 3600, withoutWebhooksSeconds: 3600 };
const HOUR_MS = 3_600_000;

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let universign: UniversignSimulator;
let pool: pg.Pool;
let webhooks: WebhookStore;
let metrics: WorkerMetrics;
let worker: SyncWorker;
let running: Promise<void>;

before(async () => {
  [env, db, universign] = await Promise.all([createDevServerEnv(), createTestDatabase(), startUniversignSimulator({ apiKey: API_KEY })]);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  webhooks = createWebhookStore(pool);
  metrics = createWorkerMetrics();
  worker = await createSyncWorker({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    deps: { prisma: db.prisma, universign: createUniversignClient({ baseUrl: universign.url, apiKey: API_KEY }) },
    reconcile: { temporal: env.client, webhooks, metrics, settings: { taskQueue: TASK_QUEUE, poll: POLL } },
  });
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await pool?.end();
  await Promise.allSettled([env?.teardown(), db?.close(), universign?.close()]);
});

function reconcile(runId: string): Promise<ReconcileResult> {
  return env.client.workflow.execute(RECONCILE_WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: `reconcile-test-${runId}`,
    args: [{ staleAfterSeconds: 3600 }],
  });
}

function row(universignId: string) {
  return db.prisma.signatureTransaction.findUniqueOrThrow({ where: { universignId } });
}

async function eventStatus(eventId: string): Promise<string> {
  return (await db.prisma.webhookEvent.findUniqueOrThrow({ where: { eventId } })).status;
}

/** A transaction's workflow started the way every starter does, once its first sync is recorded. */
async function startSynced(transactionId: string): Promise<void> {
  const start = buildSignatureWorkflowStart({ transactionId, sageDocument: null, taskQueue: TASK_QUEUE, poll: POLL });
  await env.client.workflow.start(start.workflowType, start.options);
  await waitUntil(
    async () => ((await db.prisma.signatureTransaction.findUnique({ where: { universignId: transactionId } }))?.syncCount ?? 0) >= 1,
    `the first sync of ${transactionId}`,
  );
}

function recordEvent(eventId: string, transactionId: string, recordedAt: Date) {
  return webhooks.record(
    { eventId, type: 'transaction.lifecycle.started', createdAt: recordedAt.toISOString(), transactionId, payloadObject: {} },
    'kid-test',
    { id: eventId },
    recordedAt,
  );
}

async function hasWorkflow(transactionId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(signatureWorkflowId(transactionId)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

describe('reconcileTransactions on the dev server', () => {
  test('starts orphans, delivers overdue webhook events, resyncs stale transactions, leaves final ones alone; counts in result and metrics', async () => {
    const signer = { email: 'claire@client.example' };
    const [orphan, stale, fresh, final, unknown] = [1, 2, 3, 4, 5].map(() =>
      universign.createTransaction({ state: 'started', signers: [signer] }),
    );
    assert.ok(orphan && stale && fresh && final && unknown);

    // Two transactions with running workflows, one of them not synced for two hours.
    await Promise.all([startSynced(stale.id), startSynced(fresh.id)]);
    await db.prisma.signatureTransaction.update({
      where: { universignId: stale.id },
      data: { lastSyncedAt: new Date(Date.now() - 2 * HOUR_MS) },
    });
    const staleBefore = await row(stale.id);
    const freshBefore = await row(fresh.id);

    // Rows whose workflow is gone: a non-final one, a final one, one Universign reported unknown.
    const base = { status: 'EN_COURS' as const, sageDocumentType: 'devis', lastSyncedAt: new Date(Date.now() - 2 * HOUR_MS) };
    await db.prisma.signatureTransaction.create({
      data: { ...base, universignId: orphan.id, workflowId: signatureWorkflowId(orphan.id), sageDocumentNumber: 'D-ORPHAN' },
    });
    await db.prisma.signatureTransaction.create({
      data: { ...base, status: 'SIGNE', universignId: final.id, workflowId: signatureWorkflowId(final.id), sageDocumentNumber: 'D-FINAL' },
    });
    await db.prisma.signatureTransaction.create({
      data: {
        ...base,
        universignId: unknown.id,
        workflowId: signatureWorkflowId(unknown.id),
        sageDocumentNumber: 'D-UNKNOWN',
        lastSyncError: 'TransactionNotFound: Universign transaction not found after 3 attempts; workflow ended',
      },
    });
    const finalBefore = await row(final.id);

    // An event recorded two minutes ago and never signalled; one whose lease ended 5 s ago (the API's to redeliver).
    await recordEvent('evt-overdue', fresh.id, new Date(Date.now() - 120_000));
    await recordEvent('evt-recent', fresh.id, new Date(Date.now() - 15_000));

    const result = await reconcile('first');
    assert.deepEqual(result, {
      scanned: 3, // orphan, stale, fresh: not the final one, not the unknown one
      started: 1,
      alreadyRunning: 2,
      eventsDelivered: 1,
      eventsIgnored: 0,
      resynced: 1,
      failed: 0,
    });

    // The orphan's workflow runs and syncs, with the start options every starter uses.
    await waitUntil(async () => (await row(orphan.id)).syncCount >= 1, 'the orphan synced by its new workflow');
    const orphanRun = await env.client.workflow.getHandle(signatureWorkflowId(orphan.id)).describe();
    assert.equal(orphanRun.status.name, 'RUNNING');
    assert.equal(orphanRun.taskQueue, TASK_QUEUE);
    assert.match((await orphanRun.staticSummary()) ?? '', /D-ORPHAN/);

    // The stale one was forced to resync.
    await waitUntil(async () => (await row(stale.id)).syncCount > staleBefore.syncCount, 'the stale transaction resynced');
    assert.ok(((await row(stale.id)).lastSyncedAt?.getTime() ?? 0) > Date.now() - 60_000, 'its lastSyncedAt is current again');

    // The overdue event reached the fresh one's workflow and is marked; the recent one is left to the API.
    assert.equal(await eventStatus('evt-overdue'), 'signalled');
    assert.equal(await eventStatus('evt-recent'), 'received');
    const freshState = await env.client.workflow.getHandle(signatureWorkflowId(fresh.id)).query(stateQuery);
    assert.equal(freshState.webhookReceived, true, 'the fresh workflow got the overdue event');
    assert.ok((await row(fresh.id)).syncCount >= freshBefore.syncCount);

    // The final and the unknown transactions are untouched: no workflow, row as it was.
    assert.equal(await hasWorkflow(final.id), false);
    assert.equal(await hasWorkflow(unknown.id), false);
    assert.deepEqual(await row(final.id), finalBefore);

    const body = await metrics.registry.metrics();
    assert.match(body, /reconcile_runs_total 1\b/);
    assert.match(body, /reconcile_actions_total\{action="started"\} 1\b/);
    assert.match(body, /reconcile_actions_total\{action="already_running"\} 1\b/);
    assert.match(body, /reconcile_actions_total\{action="resynced"\} 1\b/);
    assert.match(body, /reconcile_actions_total\{action="event_signalled"\} 1\b/);
    assert.doesNotMatch(body, /reconcile_actions_total\{action="failed"\}/);

    // A second run finds everything in order: nothing started, signalled or resynced again.
    const again = await reconcile('second');
    assert.deepEqual(again, { scanned: 3, started: 0, alreadyRunning: 3, eventsDelivered: 0, eventsIgnored: 0, resynced: 0, failed: 0 });
    assert.match(await metrics.registry.metrics(), /reconcile_runs_total 2\b/);
  });

  test('pages through the transactions by id: every page read, none twice', async () => {
    // Three more running transactions (six non-final with the first test's) read two at a time.
    const more = [1, 2, 3].map(() => universign.createTransaction({ state: 'started', signers: [{ email: 'dan@client.example' }] }));
    await Promise.all(more.map((tx) => startSynced(tx.id)));
    const nonFinal = await db.prisma.signatureTransaction.count({ where: { status: { in: ['EN_ATTENTE', 'EN_COURS'] } } });
    const result = await env.client.workflow.execute(RECONCILE_WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: 'reconcile-test-pages',
      args: [{ staleAfterSeconds: 3600, pageSize: 2 }],
    });
    // The unknown one is excluded: it is in the count of non-final rows but never scanned.
    assert.equal(result.scanned, nonFinal - 1);
    assert.equal(result.alreadyRunning, nonFinal - 1);
    const pages = (await env.client.workflow.getHandle('reconcile-test-pages').fetchHistory()).events?.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'reconcileTransactionPage',
    );
    // Full pages, then the short (or empty) one that ends the pass.
    assert.equal(pages?.length, Math.floor((nonFinal - 1) / 2) + 1, 'one activity per page of two');
  });
});

describe('the reconciliation schedule', () => {
  const scheduleId = `reconcile-schedule-${process.pid}`;
  const settings = { scheduleId, taskQueue: TASK_QUEUE, intervalSeconds: 300, staleAfterSeconds: 3600 };
  const describeSchedule = () => env.client.schedule.getHandle(scheduleId).describe();

  test('two workers starting at once end with one schedule; it follows the interval, 0 pauses it, and its runs reach the worker', async () => {
    const outcomes = await Promise.all([ensureReconcileSchedule(env.client, settings), ensureReconcileSchedule(env.client, settings)]);
    assert.deepEqual(outcomes.map((ensured) => ensured.outcome).sort(), ['created', 'updated']);

    const listed = async () => {
      const ids: string[] = [];
      for await (const schedule of env.client.schedule.list()) if (schedule.scheduleId === scheduleId) ids.push(schedule.scheduleId);
      return ids;
    };
    await waitUntil(async () => (await listed()).length > 0, 'the schedule listed');
    assert.deepEqual(await listed(), [scheduleId], 'exactly one schedule');

    let schedule = await describeSchedule();
    assert.equal(schedule.spec.intervals?.[0]?.every, 300_000);
    assert.equal(schedule.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(schedule.action.workflowType, RECONCILE_WORKFLOW_TYPE);
    assert.equal(schedule.action.taskQueue, TASK_QUEUE);
    assert.deepEqual(schedule.action.args, [{ staleAfterSeconds: 3600 }]);
    assert.equal(schedule.state.paused, false);

    // A worker started with other settings brings the schedule to them.
    await ensureReconcileSchedule(env.client, { ...settings, intervalSeconds: 120, staleAfterSeconds: 600 });
    schedule = await describeSchedule();
    assert.equal(schedule.spec.intervals?.[0]?.every, 120_000);
    assert.deepEqual(schedule.action.args, [{ staleAfterSeconds: 600 }]);

    // 0 pauses it (the interval kept); an interval again resumes it.
    assert.equal((await ensureReconcileSchedule(env.client, { ...settings, intervalSeconds: 0 })).paused, true);
    schedule = await describeSchedule();
    assert.equal(schedule.state.paused, true);
    assert.equal(schedule.state.note, RECONCILE_PAUSE_NOTE);
    assert.equal(schedule.spec.intervals?.[0]?.every, 120_000);
    await ensureReconcileSchedule(env.client, { ...settings, intervalSeconds: 60 });
    schedule = await describeSchedule();
    assert.equal(schedule.state.paused, false);
    assert.equal(schedule.spec.intervals?.[0]?.every, 60_000);

    // An operator's pause is theirs: a worker start leaves it.
    await env.client.schedule.getHandle(scheduleId).pause('operator: investigating');
    await ensureReconcileSchedule(env.client, settings);
    assert.equal((await describeSchedule()).state.paused, true);
    await env.client.schedule.getHandle(scheduleId).unpause();

    // Triggered (as from the Web UI), it starts a reconcile run that the worker completes.
    await env.client.schedule.getHandle(scheduleId).trigger();
    let workflowId: string | undefined;
    await waitUntil(async () => {
      workflowId = (await describeSchedule()).info.recentActions[0]?.action.workflow.workflowId;
      return workflowId !== undefined;
    }, 'the triggered run');
    const result: ReconcileResult = await env.client.workflow.getHandle(workflowId as string).result();
    assert.equal(result.failed, 0);
    assert.ok(result.scanned > 0);
    await env.client.schedule.getHandle(scheduleId).delete();
  });
});
