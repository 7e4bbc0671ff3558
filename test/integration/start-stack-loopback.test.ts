/**
 * `npm start` (scripts/start-stack.ts) serves a public development token: every socket it and its
 * children listen on, and every socket of a Temporal dev server started with its arguments (Web UI
 * and the ports the server picks itself included), must be on loopback. Read from /proc, as
 * `ss -ltnp` would show them, once the API is ready and the worker serves its metrics.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../shared/free-port';
import { listeningSockets, processTree } from '../support/listening-sockets';
import { stopProcess } from '../support/product-process';
import { type BenchTemporal, startTemporalDevServer } from '../support/temporal-dev-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let workDir: string;
let db: TestDatabase;
let temporal: BenchTemporal;
const cleanups: Array<() => Promise<unknown>> = [];

before(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'start-stack-loopback-'));
  db = await createTestDatabase();
  cleanups.unshift(() => db.close());
  temporal = await startTemporalDevServer({ workDir, logFile: createWriteStream(join(workDir, 'temporal.log')), register: cleanups });
});
after(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  await rm(workDir, { recursive: true, force: true });
});

test('npm start listens on loopback only: API, worker metrics, simulators, SMTP sink, Temporal and its Web UI', {
  timeout: 120_000,
}, async () => {
  const ports = {
    API_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
    UNIVERSIGN_SIMULATOR_PORT: await freePort(),
    SAGE_SIMULATOR_PORT: await freePort(),
    SMTP_SINK_PORT: await freePort(),
  };
  const logPath = join(workDir, 'stack.log');
  const log = createWriteStream(logPath);
  const stack = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start-stack.ts')], {
    cwd: ROOT,
    // No API_HOST, no WORKER_METRICS_HOST, no API_TOKENS: the stack's own defaults, with the development token.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: temporal.address,
      ARCHIVE_DIR: join(workDir, 'archive'),
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout.pipe(log);
  stack.stderr.pipe(log);
  cleanups.unshift(() => stopProcess(stack));
  const answers = (url: string) =>
    fetch(url).then(
      (response) => response.ok,
      () => false,
    );
  try {
    await waitUntil(
      async () => {
        if (stack.exitCode !== null) throw new Error(`npm start exited (${stack.exitCode})`);
        return (
          (await answers(`http://127.0.0.1:${ports.API_PORT}/ready`)) &&
          (await answers(`http://127.0.0.1:${ports.WORKER_METRICS_PORT}/metrics`))
        );
      },
      'the API ready and the worker metrics served',
      90_000,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await readFile(logPath, 'utf8')}`);
  }

  const sockets = [
    ...(await listeningSockets(await processTree(stack.pid ?? 0))),
    ...(await listeningSockets(await processTree(temporal.child.pid ?? 0))),
  ];
  const listed = sockets.map((socket) => `${socket.host}:${socket.port} (pid ${socket.pid})`).join(', ');
  for (const port of [...Object.values(ports), Number(temporal.address.split(':')[1]), temporal.uiPort]) {
    assert.ok(
      sockets.some((socket) => socket.port === port),
      `nothing listens on port ${port}: ${listed}`,
    );
  }
  assert.deepEqual(
    sockets.filter((socket) => !socket.loopback).map((socket) => `${socket.host}:${socket.port} (pid ${socket.pid})`),
    [],
    `listening: ${listed}`,
  );
});
