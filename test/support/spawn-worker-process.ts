/**
 * The product's worker as its own process (`npm run worker`'s entry, run with tsx) on a test
 * stack's servers, so a test can really kill it (SIGKILL) or give it its own DATABASE_URL (through
 * a proxy it cuts). Its output is kept and printed if it exits on its own.
 */

import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProductProcess, spawnProductProcess, waitForWorker } from './product-process';
import { TEST_NOTIFY_TO, TEST_SAGE_TOKEN, TEST_UNIVERSIGN_KEY, type TestStack } from './start-test-stack';

export interface WorkerProcess {
  pid: number;
  /** Kills it at once, as a crash or an OOM kill would; resolves once it is gone. */
  kill(): Promise<void>;
  /** What it printed (pino JSON lines). */
  output(): Promise<string>;
  close(): Promise<void>;
}

export interface WorkerProcessOptions {
  databaseUrl?: string;
  sageGatewayUrl?: string;
  /** More (or overriding) environment, e.g. WORKER_METRICS_PORT, LOG_LEVEL. */
  env?: Record<string, string>;
}

let spawned = 0;

/** Starts a worker process on the stack's task queue and resolves once it polls it. */
export async function spawnWorkerProcess(stack: TestStack, options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const world = stack.world;
  if (!world) throw new Error('spawnWorkerProcess needs a stack with businessActions');
  spawned += 1;
  const logDir = await mkdtemp(join(tmpdir(), 'worker-process-'));
  const logPath = join(logDir, 'worker.log');
  const log = createWriteStream(logPath);
  const child: ProductProcess = spawnProductProcess(
    `worker ${spawned}`,
    'worker/main.ts',
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: options.databaseUrl ?? stack.db.url,
      DATABASE_POOL_SIZE: '4',
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      UNIVERSIGN_API_URL: stack.universign.url,
      UNIVERSIGN_API_KEY: TEST_UNIVERSIGN_KEY,
      SAGE_GATEWAY_URL: options.sageGatewayUrl ?? world.sage.url,
      SAGE_GATEWAY_TOKEN: TEST_SAGE_TOKEN,
      SMTP_URL: world.smtp.url,
      NOTIFY_TO: TEST_NOTIFY_TO,
      ARCHIVE_DIR: world.archiveDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    log,
  );
  const exited = new Promise<void>((resolve) => child.child.once('exit', () => resolve()));
  const output = () => readFile(logPath, 'utf8').catch(() => '');
  try {
    await waitForWorker(stack.env.client, stack.taskQueue, child);
  } catch (err) {
    child.child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${await output()}`);
  }
  return {
    pid: child.pid,
    async kill() {
      child.child.kill('SIGKILL');
      await exited;
    },
    output,
    async close() {
      await child.stop();
      log.end();
      await rm(logDir, { recursive: true, force: true });
    },
  };
}
