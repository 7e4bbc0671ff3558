/**
 * Creates the Temporal worker serving the signature workflows, from an open connection and the
 * activities' dependencies. Shared by the process entry, `npm start` and the integration tests.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  DEFAULT_BUSINESS_ACTION_SETTINGS,
  type BusinessActionDeps,
} from '../activities/actions/business-action-deps';
import { createBusinessActionActivities } from '../activities/create-business-action-activities';
import { createSyncActivities, type SyncActivityDeps } from '../activities/create-sync-activities';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  deps: SyncActivityDeps;
  /** Integrations of the business actions; any left out makes its actions `skipped`. */
  actions?: Partial<Omit<BusinessActionDeps, 'prisma' | 'universign'>>;
  /** Global Universign rate limit (activities per second, across all workers of the task queue). */
  maxActivitiesPerSecond?: number;
  /** A prebuilt bundle (tests reuse one); otherwise the workflows are bundled from source. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: {
      ...createSyncActivities(options.deps),
      ...createBusinessActionActivities({
        prisma: options.deps.prisma,
        universign: options.deps.universign,
        sage: options.actions?.sage ?? null,
        mailer: options.actions?.mailer ?? null,
        archive: options.actions?.archive ?? null,
        settings: options.actions?.settings ?? DEFAULT_BUSINESS_ACTION_SETTINGS,
      }),
    },
    ...(options.maxActivitiesPerSecond ? { maxTaskQueueActivitiesPerSecond: options.maxActivitiesPerSecond } : {}),
    shutdownGraceTime: '10 seconds',
  });
}
