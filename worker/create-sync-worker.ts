/**
 * Creates the Temporal workers serving the signature, send and reconcile workflows, from an open connection and the
 * activities' dependencies: one on the task queue (workflows, database, Sage, SMTP: as fast as
 * the machine allows) and one on the Universign queue (its calls only, at Universign's rate
 * limit). Shared by the process entry, `npm start`, the benchmark and the integration tests.
 */
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkflowBundlePath, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type BusinessActionDeps, DEFAULT_BUSINESS_ACTION_SETTINGS } from '../activities/actions/business-action-deps';
import type { BusinessActionMetrics } from '../activities/actions/business-action-metrics';
import { createBusinessActionActivities } from '../activities/create-business-action-activities';
import { createSyncActivities, type SyncActivityDeps } from '../activities/create-sync-activities';
import { createReconcileActivities, type ReconcileActivityDeps } from '../activities/reconcile/create-reconcile-activities';
import { createSendActivities } from '../activities/send/create-send-activities';
import type { Tracing } from '../shared/tracing';
import { callsUniversign, universignTaskQueue } from '../workflows/task-queues';
import { queueWaitObserver, transactionLogAttributes } from './activity-interceptors';
import { tracedActivities, WORKFLOW_INTERCEPTOR_MODULES, workflowSpanSinks } from './tracing-interceptors';
import { DEFAULT_WORKER_TUNING, type WorkerTuning } from './worker-tuning';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  deps: SyncActivityDeps;
  /** Integrations of the business actions; any left out makes its actions `skipped`. */
  actions?: Partial<Omit<BusinessActionDeps, 'prisma' | 'universign'>> & { metrics?: BusinessActionMetrics };
  /** What the reconciliation's activities need besides Prisma (a Temporal client, the webhook store); absent: not served. */
  reconcile?: Omit<ReconcileActivityDeps, 'prisma'>;
  /** Global Universign rate limit (calls per second, across all workers of the queue). */
  maxActivitiesPerSecond?: number;
  /** A prebuilt bundle (tests reuse one, a production build ships one); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundleWithSourceMap | WorkflowBundlePath;
  tuning?: Partial<WorkerTuning>;
  /** Told how long each Universign call waited on its queue before it started (the rate limit's wait). */
  onUniversignQueueWait?: (seconds: number) => void;
  /** OpenTelemetry tracing (shared/tracing.ts); absent: no spans exported. */
  tracing?: Tracing | null;
}

/** The workers of one task queue, run and stopped together. */
export interface SyncWorker {
  /** Runs until shutdown() (or until either worker fails: the other is then stopped too). */
  run(): Promise<void>;
  shutdown(): void;
  /** Runs while `work` runs, then shuts down and waits for the workers to drain. */
  runUntil<T>(work: () => Promise<T>): Promise<T>;
}

export function createSyncWorker(options: SyncWorkerOptions): Promise<SyncWorker> {
  return createQueueWorkers({
    ...options,
    activities: {
      ...createSyncActivities(options.deps),
      ...createSendActivities({ universign: options.deps.universign }),
      ...createBusinessActionActivities({
        prisma: options.deps.prisma,
        universign: options.deps.universign,
        sage: options.actions?.sage ?? null,
        mailer: options.actions?.mailer ?? null,
        archive: options.actions?.archive ?? null,
        settings: options.actions?.settings ?? DEFAULT_BUSINESS_ACTION_SETTINGS,
        ...(options.actions?.metrics ? { metrics: options.actions.metrics } : {}),
      }),
      ...(options.reconcile ? createReconcileActivities({ prisma: options.deps.prisma, ...options.reconcile }) : {}),
    },
  });
}

export interface QueueWorkersOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** Activity functions by name, as Worker.create takes them. */
  activities: Record<string, unknown>;
  maxActivitiesPerSecond?: number;
  workflowBundle?: WorkflowBundleWithSourceMap | WorkflowBundlePath;
  tuning?: Partial<WorkerTuning>;
  onUniversignQueueWait?: (seconds: number) => void;
  tracing?: Tracing | null;
}

/** The two workers for any set of activities (tests pass stand-ins): those calling Universign also serve its queue. */
export async function createQueueWorkers(options: QueueWorkersOptions): Promise<SyncWorker> {
  const tuning = { ...DEFAULT_WORKER_TUNING, ...options.tuning };
  const namespace = options.namespace ?? 'default';
  const tracing = options.tracing ?? null;
  const traced = tracing ? [tracedActivities] : [];
  const main = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    // Every activity, Universign's too: runs recorded before the Universign queue existed schedule them here.
    activities: options.activities,
    reuseV8Context: true,
    workflowThreadPoolSize: tuning.workflowThreadPoolSize,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: Math.min(tuning.maxConcurrentWorkflowTaskExecutions, tuning.maxCachedWorkflows),
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
    shutdownGraceTime: '10 seconds',
    // A prebuilt bundle carries the workflow interceptors already (scripts/build-production.ts).
    interceptors: { activity: [...traced, transactionLogAttributes], workflowModules: tracing ? WORKFLOW_INTERCEPTOR_MODULES : [] },
    sinks: workflowSpanSinks(tracing),
  });
  const universign = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue: universignTaskQueue(options.taskQueue),
    activities: Object.fromEntries(Object.entries(options.activities).filter(([name]) => callsUniversign(name))),
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentUniversignActivities,
    ...(options.maxActivitiesPerSecond ? { maxTaskQueueActivitiesPerSecond: options.maxActivitiesPerSecond } : {}),
    shutdownGraceTime: '10 seconds',
    interceptors: {
      activity: [
        ...traced,
        transactionLogAttributes,
        ...(options.onUniversignQueueWait ? [queueWaitObserver(options.onUniversignQueueWait)] : []),
      ],
    },
  });
  return combineWorkers([main, universign]);
}

function combineWorkers(workers: Worker[]): SyncWorker {
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const run = async () => {
    const runs = workers.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } catch (err) {
      shutdown();
      await Promise.allSettled(runs);
      throw err;
    }
  };
  return {
    run,
    shutdown,
    async runUntil(work) {
      const running = run();
      try {
        return await work();
      } finally {
        shutdown();
        await running;
      }
    },
  };
}
