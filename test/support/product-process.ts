/**
 * The product's processes in a benchmark or fault-suite run (worker, API) and the helpers their
 * stacks use for all their children: spawn with tsx as `npm run worker` / `npm run api` do (or, from a
 * production build, with plain node as production does), wait until a worker polls its task queue or
 * an HTTP endpoint answers, and stop (SIGTERM, then SIGKILL after 20 s).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ProductProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** When it was spawned and (once its stack saw it serve) when it was ready, epoch ms: its start time. */
  spawnedAt: number;
  readyAt?: number;
  stop(): Promise<void>;
}

/**
 * Runs `entry` (a source path relative to the repository root, e.g. `worker/main.ts`) with tsx, its output going to
 * `logFile`; with `build` (a folder holding a production build's dist/, package.json and node_modules), runs the
 * compiled entry (`dist/worker/main.js`) with plain node, no loader.
 */
export function spawnProductProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  logFile: WriteStream,
  build?: string,
): ProductProcess {
  const spawnedAt = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      ...(build ? [join(build, 'dist', entry.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', join(ROOT, entry)]),
    ],
    { cwd: build ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(logFile, { end: false });
  child.stderr?.pipe(logFile, { end: false });
  const product: ProductProcess = { name, child, pid: child.pid ?? 0, spawnedAt, stop: () => stopProcess(child) };
  return product;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** A worker is up once it polls its task queue (its identity is `<pid>@<host>`; older pollers stay listed a while). */
export async function waitForWorker(client: Client, taskQueue: string, worker: ProductProcess): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    if (worker.child.exitCode !== null) throw new Error(`${worker.name} exited (${worker.child.exitCode}); see its log`);
    const described = await client.workflowService
      .describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType: 1 })
      .catch(() => null);
    if (described?.pollers?.some((poller) => poller.identity?.startsWith(`${worker.pid}@`))) return;
    await sleep(500);
  }
  throw new Error(`${worker.name} did not poll ${taskQueue}`);
}

export async function waitForHttp(url: string, owner: ProductProcess): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    if (owner.child.exitCode !== null) throw new Error(`${owner.name} exited (${owner.child.exitCode}); see its log`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(500);
  }
  throw new Error(`${url} did not answer`);
}
