/**
 * Everything a benchmark run needs, on loopback and free ports: a Temporal dev server (as
 * `npm start` runs it), a fresh database, the simulators, and the product's worker and API run
 * as `npm run worker` / `npm run api` run them (tsx, configured only by the environment, defaults
 * everywhere else). close() stops all of it and drops the database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { applyMigrations } from '../../prisma/migrate';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';
import { resolveTemporalCli, TEMPORAL_SQLITE_PRAGMAS } from '../../scripts/temporal-binaries';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { type ChildHandle, forkChild } from './child-rpc';
import { freePort } from './free-port';
import { commandRef, type ProcessRef, pidRef } from './process-usage';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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

export interface ProductProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

export interface BenchStack {
  workDir: string;
  database: { url: string; kind: 'postgresql' | 'embedded'; server: string };
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
    const database = await createDatabase(cleanups);
    log(`database     ${database.kind} (${database.server})`);
    await applyMigrations(database.url);
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    cleanups.unshift(() => pool.end());

    const temporalPort = await freePort();
    const temporalUiPort = await freePort();
    const temporalAddress = `127.0.0.1:${temporalPort}`;
    const temporalLog = logStream('temporal');
    const temporalChild = spawn(
      resolveTemporalCli(),
      [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(temporalPort),
        '--ui-port',
        String(temporalUiPort),
        '--db-filename',
        join(workDir, 'temporal.sqlite'),
        ...TEMPORAL_SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
        '--log-level',
        'error',
        ...SEARCH_ATTRIBUTE_KEYS.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    temporalChild.stdout?.pipe(temporalLog, { end: false });
    temporalChild.stderr?.pipe(temporalLog, { end: false });
    cleanups.unshift(() => stopProcess(temporalChild));
    const connection = await waitForTemporal(temporalAddress);
    cleanups.unshift(() => connection.close());
    const temporal = new Client({ connection });
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
      const stream = logStream(name);
      const child = spawn(
        process.execPath,
        [
          ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
          '--import',
          'tsx',
          join(ROOT, entry),
        ],
        { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stdout?.pipe(stream, { end: false });
      child.stderr?.pipe(stream, { end: false });
      const product: ProductProcess = { name, child, pid: child.pid ?? 0, stop: () => stopProcess(child) };
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

  async function createDatabase(register: Array<() => Promise<unknown>>) {
    const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
    const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2_000 });
    try {
      await admin.connect();
    } catch {
      log('PostgreSQL not reachable: using the embedded database (PGlite runs one transaction at a time; figures are not representative)');
      const embedded = await startEmbeddedPostgres({ dataDir: join(workDir, 'pglite') });
      register.unshift(() => embedded.stop());
      return { url: embedded.url, kind: 'embedded' as const, server: 'PGlite' };
    }
    const name = `bench_${process.pid}`;
    const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    register.unshift(async () => {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    });
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return { url: url.toString(), kind: 'postgresql' as const, server: `PostgreSQL ${version} at ${url.host}` };
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function waitForTemporal(address: string): Promise<Connection> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      return await Connection.connect({ address, connectTimeout: 1_000 });
    } catch {
      await sleep(500);
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address}`);
}

/** A worker is up once it polls its task queue (its identity is `<pid>@<host>`; older pollers stay listed a while). */
async function waitForWorker(client: Client, taskQueue: string, worker: ProductProcess): Promise<void> {
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

async function waitForHttp(url: string, owner: ProductProcess): Promise<void> {
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
