/**
 * Everything a benchmark run needs, on loopback and free ports: a Temporal dev server (as
 * `npm start` runs it), a fresh database, the simulators, and the product's worker and API run
 * as `npm run worker` / `npm run api` run them (tsx, configured only by the environment, defaults
 * everywhere else). close() stops all of it and drops the database.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { applyMigrations } from '../../prisma/migrate';
import { freePort } from '../../shared/free-port';
import { type ProductProcess, spawnProductProcess, waitForHttp, waitForWorker } from '../../test/support/product-process';
import { startTemporalDevServer } from '../../test/support/temporal-dev-server';
import { type BenchDatabase, createBenchDatabase } from './bench-database';
import { type ChildHandle, forkChild } from './child-rpc';
import { commandRef, type ProcessRef, pidRef } from './process-usage';

export const BENCH_API_TOKEN = 'bench-token-0123456789abcdef';
/** Product settings a benchmark run may override from its environment (named in the report). */
export function isProductOverride(name: string): boolean {
  return name.startsWith('WORKER_') || name === 'UNIVERSIGN_MAX_REQUESTS_PER_SECOND' || name === 'DATABASE_POOL_SIZE';
}

export const TASK_QUEUE = 'universign-sync';

export interface SimulatorsReady {
  universignUrl: string;
  sageUrl: string;
  smtpUrl: string;
  universignKey: string;
  sageToken: string;
}

export interface BenchStack {
  workDir: string;
  database: BenchDatabase;
  temporalAddress: string;
  temporalUiPort: number;
  apiUrl: string;
  pg: pg.Pool;
  temporal: Client;
  simulators: ChildHandle;
  sims: SimulatorsReady;
  probe: ChildHandle;
  bareFastify: { child: ChildHandle; url: string };
  worker: ProductProcess;
  api: ProductProcess;
  /** Environment the worker and API were started with (no secrets of any real system here). */
  productEnv: NodeJS.ProcessEnv;
  /** Starts another worker with extra environment (e.g. another task queue or database address). */
  spawnWorker(name: string, env: NodeJS.ProcessEnv): Promise<ProductProcess>;
  restartWorker(env?: NodeJS.ProcessEnv): Promise<void>;
  parts(): ProcessRef[];
  close(): Promise<void>;
}

export async function startBenchStack(options: { log: (line: string) => void; logDir: string }): Promise<BenchStack> {
  const { log } = options;
  mkdirSync(options.logDir, { recursive: true });
  const workDir = await mkdtemp(join(tmpdir(), 'bench-'));
  const cleanups: Array<() => Promise<unknown>> = [];
  const logStream = (name: string): WriteStream => {
    const stream = createWriteStream(join(options.logDir, `${name}.log`));
    cleanups.unshift(() => new Promise((resolve) => stream.end(resolve)));
    return stream;
  };
  try {
    const database = await createBenchDatabase({ log, workDir, register: cleanups });
    log(`database     ${database.kind} (${database.server})`);
    await applyMigrations(database.url);
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    cleanups.unshift(() => pool.end());

    const {
      address: temporalAddress,
      uiPort: temporalUiPort,
      child: temporalChild,
      client: temporal,
    } = await startTemporalDevServer({
      workDir,
      logFile: logStream('temporal'),
      register: cleanups,
    });
    log(`temporal     dev server ${temporalAddress} (SQLite file in WAL mode, as npm start runs it)`);

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const { child: simulators, ready: sims } = await forkChild<SimulatorsReady>(
      'simulators',
      'simulators.ts',
      { ...process.env, BENCH_WEBHOOK_TARGET: `${apiUrl}/webhooks/universign` },
      { logFile: logStream('simulators') },
    );
    cleanups.unshift(() => simulators.stop());
    log(`simulators   Universign ${sims.universignUrl}, Sage ${sims.sageUrl}, SMTP ${sims.smtpUrl}`);

    const archiveDir = join(workDir, 'archive');
    const productEnv: NodeJS.ProcessEnv = {
      // Worker settings to measure pass through (e.g. WORKER_MAX_CACHED_WORKFLOWS=2000 npm run bench).
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => isProductOverride(name))),
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      UNIVERSIGN_API_URL: sims.universignUrl,
      UNIVERSIGN_API_KEY: sims.universignKey,
      SAGE_GATEWAY_URL: sims.sageUrl,
      SAGE_GATEWAY_TOKEN: sims.sageToken,
      SMTP_URL: sims.smtpUrl,
      NOTIFY_TO: 'ventes@entreprise.example',
      ARCHIVE_DIR: archiveDir,
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      API_TOKENS: BENCH_API_TOKEN,
    };

    const spawnProduct = async (name: string, entry: string, env: NodeJS.ProcessEnv): Promise<ProductProcess> => {
      const product = spawnProductProcess(name, entry, env, logStream(name));
      cleanups.unshift(product.stop);
      return product;
    };

    const extraWorkers: ProductProcess[] = [];
    const spawnWorker = async (name: string, env: NodeJS.ProcessEnv) => {
      const worker = await spawnProduct(name, 'worker/main.ts', { ...productEnv, ...env });
      await waitForWorker(temporal, env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE, worker);
      if (name !== 'worker') extraWorkers.push(worker);
      return worker;
    };
    let worker = await spawnWorker('worker', {});
    log(`worker       pid ${worker.pid} (tsx worker/main.ts)`);
    const api = await spawnProduct('api', 'api/main.ts', productEnv);
    await waitForHttp(`${apiUrl}/ready`, api);
    log(`api          ${apiUrl} pid ${api.pid} (tsx api/main.ts)`);

    const { child: probe } = await forkChild(
      'probe',
      'probe.ts',
      { ...process.env, TEMPORAL_ADDRESS: temporalAddress },
      { logFile: logStream('probe') },
    );
    cleanups.unshift(() => probe.stop());
    const { child: bareChild, ready: bare } = await forkChild<{ url: string }>('bare-fastify', 'bare-fastify.ts', process.env, {
      logFile: logStream('bare-fastify'),
    });
    cleanups.unshift(() => bareChild.stop());

    const stack: BenchStack = {
      workDir,
      database,
      temporalAddress,
      temporalUiPort,
      apiUrl,
      pg: pool,
      temporal,
      simulators,
      sims,
      probe,
      bareFastify: { child: bareChild, url: bare.url },
      get worker() {
        return worker;
      },
      api,
      productEnv,
      spawnWorker,
      async restartWorker(env = {}) {
        await worker.stop();
        worker = await spawnWorker('worker', env);
      },
      parts: () => [
        pidRef('worker', () => worker.pid),
        ...extraWorkers.map((extra) => pidRef(extra.name, () => (extra.child.exitCode === null ? extra.pid : undefined))),
        pidRef('api', () => api.pid),
        pidRef('temporal', () => temporalChild.pid),
        ...(database.kind === 'postgresql' ? [commandRef('postgres', 'postgres')] : []),
        pidRef('simulators', () => simulators.pid),
        pidRef('probe', () => probe.pid),
        pidRef('bare-fastify', () => bareChild.pid),
        pidRef('bench', () => process.pid),
      ],
      async close() {
        for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
        await rm(workDir, { recursive: true, force: true });
      },
    };
    return stack;
  } catch (err) {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}
