/**
 * The API's client for webhook signals: over the native connection, connected on first use, and
 * again after a failed attempt (Temporal down at start), then kept.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { createLazyNativeClient } from '../../api/lazy-native-client';
import { createDevServerEnv } from '../support/temporal-env';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createDevServerEnv();
});
after(async () => {
  await env?.teardown();
});

test('connects on first use, retries after a failed attempt, then reuses one connection', async () => {
  let attempts = 0;
  const lazy = createLazyNativeClient(async () => {
    attempts += 1;
    if (attempts === 1) throw new Error('Temporal not reachable yet');
    return NativeConnection.connect({ address: env.address });
  }, 'default');
  assert.equal(attempts, 0, 'nothing connects before the first use');
  await assert.rejects(lazy.get(), /not reachable yet/);

  const client = await lazy.get();
  assert.equal(await lazy.get(), client, 'the same client while connected');
  assert.equal(attempts, 2);

  const workflowId = `lazy-native-${Date.now()}`;
  await client.connection.withDeadline(Date.now() + 5_000, () =>
    client.workflow.signalWithStart('anyWorkflow', { workflowId, taskQueue: 'nobody-polls', args: [], signal: 'hello', signalArgs: [1] }),
  );
  const description = await env.client.workflow.getHandle(workflowId).describe();
  assert.equal(description.status.name, 'RUNNING', 'started and signalled through the native connection');
  await env.client.workflow.getHandle(workflowId).terminate('test done');
  await lazy.close();
});
