/**
 * Shared setup of the signatureTransaction workflow test files: one time-skipping server per
 * file, and a worker on a fresh task queue with an in-memory Universign per test.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createQueueWorkers } from '../../worker/create-sync-worker';
import { SIGNATURE_WORKFLOW_TYPE, type SignatureTransactionInput, signatureWorkflowId } from '../../workflows/messages';
import { createTimeSkippingEnv, workflowBundle } from '../support/temporal-env';
import { createFakeSyncActivities, type FakeSyncActivities } from './fake-sync-activities';

export const HOUR = 3600;
export const DAY = 24 * HOUR;

export interface WorkflowContext {
  fake: FakeSyncActivities;
  taskQueue: string;
  handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>;
}

export interface SignatureWorkflowTests {
  /** Runs `body` with a worker serving a fresh task queue and a fake Universign for one transaction. */
  withWorkflow(
    input: Omit<SignatureTransactionInput, 'transactionId'>,
    body: (ctx: WorkflowContext) => Promise<void>,
    prepare?: (fake: FakeSyncActivities) => void,
  ): Promise<void>;
  /** Skips time on the test server. */
  sleep(ms: number): Promise<void>;
}

/** Starts a time-skipping server before the file's tests and tears it down after them. */
export function useSignatureWorkflowEnv(): SignatureWorkflowTests {
  let env: TestWorkflowEnvironment;
  let counter = 0;

  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  async function withWorkflow(
    input: Omit<SignatureTransactionInput, 'transactionId'>,
    body: (ctx: WorkflowContext) => Promise<void>,
    prepare?: (fake: FakeSyncActivities) => void,
  ): Promise<void> {
    counter += 1;
    const transactionId = `tx_wf${counter}_${Date.now()}`;
    const taskQueue = `wf-test-${counter}`;
    const fake = createFakeSyncActivities(env, transactionId);
    prepare?.(fake);
    const worker = await createQueueWorkers({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: fake.activities,
    });
    await worker.runUntil(async () => {
      await env.client.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: signatureWorkflowId(transactionId),
        // The time-skipping server knows no custom search attributes (the dev-server tests cover them).
        args: [{ transactionId, publishSearchAttributes: false, ...input }],
      });
      await body({ fake, taskQueue, handle: env.client.workflow.getHandle(signatureWorkflowId(transactionId)) });
    });
  }

  return { withWorkflow, sleep: (ms) => env.sleep(ms) };
}

export async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}
