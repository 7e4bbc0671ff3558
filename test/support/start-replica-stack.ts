/**
 * The product as it runs in production, for the fault suite: two worker processes and two API
 * processes (by default) started as `npm run worker` / `npm run api` start them (tsx, or plain node
 * on a production build; configured only by the environment), sharing one database, one Temporal dev server and one task queue. Around them, in
 * this process: the Universign simulator (signed webhooks spread over both APIs), the Sage gateway
 * simulator, a real SMTP sink and an archive folder. The product reaches the database through a
 * TCP proxy a test can cut; Temporal can be paused (SIGSTOP); a worker can be killed (SIGKILL).
 */
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import { freePort } from '../../shared/free-port';
import { type SageGatewaySimulator, startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';
import { startUniversignSimulator, type TransactionChangedHook, type UniversignSimulator } from '../../simulators/universign-simulator';
import type { WebhookSenderOptions } from '../../simulators/universign-webhook-sender';
import { type ProductProcess, spawnProductProcess, waitForHttp, waitForWorker } from './product-process';
import { type ReceivedMail, type SmtpSink, startSmtpSink } from './smtp-sink';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';
import { startTemporalDevServer } from './temporal-dev-server';
import { createTestDatabase, type TestDatabase } from './test-database';

export const REPLICA_TASK_QUEUE = 'universign-sync';
export const REPLICA_API_TOKEN = 'fault-token-0123456789abcdef';
export const REPLICA_NOTIFY_TO = 'ventes@entreprise.example';
const UNIVERSIGN_KEY = 'fault-universign-key';
const SAGE_TOKEN = 'fault-sage-token';

export interface ReplicaStackOptions {
  /** Names the log folder's files. */
  name: string;
  /** How the simulator misbehaves when delivering webhooks (duplicates, reordering, retries). */
  webhooks?: Partial<Pick<WebhookSenderOptions, 'duplicate' | 'reorder' | 'retryDelaysMs' | 'timeoutMs'>>;
  /** Told of every change in the simulated Universign (with or without webhooks). */
  onTransactionChanged?: TransactionChangedHook;
  /** Extra environment of the product processes. */
  env?: NodeJS.ProcessEnv;
  /** Run a production build's compiled worker and API (a folder with dist/, see product-process.ts) instead of tsx. */
  build?: string;
  /** Worker processes and API processes started (default 2 of each). */
  replicas?: number;
}

/** A message received by the SMTP sink, with when it arrived. */
export interface TimedMail {
  mail: ReceivedMail;
  at: number;
}

export interface ReplicaStack {
  workDir: string;
  db: TestDatabase;
  /** A pool on the database itself (not through the proxy), for the test's own checks. */
  pg: pg.Pool;
  dbProxy: TcpProxy;
  temporal: Client;
  universign: UniversignSimulator;
  sage: SageGatewaySimulator;
  smtp: SmtpSink;
  mails: TimedMail[];
  apiUrls: string[];
  workers: ProductProcess[];
  apis: ProductProcess[];
  /** SIGKILL one worker and wait until it is gone; returns when it died. */
  killWorker(index: number): Promise<number>;
  /** Starts worker `index` again and waits until it polls the task queue. */
  startWorker(index: number): Promise<void>;
  pauseTemporal(): void;
  resumeTemporal(): void;
  /** Authorised JSON call to one API replica (round robin when `replica` is omitted). */
  // biome-ignore lint/suspicious/noExplicitAny: a test reads untyped JSON answers by path.
  api(method: string, path: string, body?: unknown, replica?: number): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startReplicaStack(options: ReplicaStackOptions): Promise<ReplicaStack> {
  const workDir = await mkdtemp(join(tmpdir(), `fault-${options.name}-`));
  const cleanups: Array<() => Promise<unknown>> = [];
  const logStream = (name: string): WriteStream => {
    const stream = createWriteStream(join(workDir, `${name}.log`), { flags: 'a' });
    cleanups.unshift(() => new Promise((resolve) => stream.end(resolve)));
    return stream;
  };
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
    // FAULT_KEEP_LOGS=1 keeps the product's logs for a look after a failure.
    if (!process.env.FAULT_KEEP_LOGS) await rm(workDir, { recursive: true, force: true });
    else console.log(`fault: logs of ${options.name} kept in ${workDir}`);
  };
  try {
    const db = await createTestDatabase();
    cleanups.unshift(() => db.close());
    const checks = new pg.Pool({ connectionString: db.url, max: 3 });
    cleanups.unshift(() => checks.end());
    const dbProxy = await startTcpProxy(new URL(db.url).host);
    cleanups.unshift(() => dbProxy.close());
    const productDbUrl = new URL(db.url);
    productDbUrl.host = dbProxy.address;

    const temporalServer = await startTemporalDevServer({ workDir, logFile: logStream('temporal'), register: cleanups });
    const temporalChild: ChildProcess = temporalServer.child;
    // A paused server must be resumed before it can be stopped.
    cleanups.unshift(async () => void temporalChild.kill('SIGCONT'));

    const replicas = options.replicas ?? 2;
    const apiPorts: number[] = [];
    for (let index = 0; index < replicas; index += 1) apiPorts.push(await freePort());
    const apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    let nextWebhookReplica = 0;
    const universign = await startUniversignSimulator({
      apiKey: UNIVERSIGN_KEY,
      ...(options.onTransactionChanged ? { onTransactionChanged: options.onTransactionChanged } : {}),
      webhooks: {
        targetUrl: `${apiUrls[0]}/webhooks/universign`,
        logLimit: 100_000,
        ...options.webhooks,
        // Like a load balancer in front of the replicas: each delivery attempt goes to the next API.
        fetch: (input, init) => {
          const target = new URL(String(input));
          const replica = new URL(apiUrls[nextWebhookReplica++ % apiUrls.length] as string);
          target.host = replica.host;
          return fetch(target, init);
        },
      },
    });
    cleanups.unshift(() => universign.close());
    const sage = await startSageGatewaySimulator({ token: SAGE_TOKEN });
    cleanups.unshift(() => sage.close());
    const mails: TimedMail[] = [];
    const smtp = await startSmtpSink({ onMessage: (mail) => mails.push({ mail, at: Date.now() }) });
    cleanups.unshift(() => smtp.close());

    const productEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: productDbUrl.toString(),
      TEMPORAL_ADDRESS: temporalServer.address,
      TEMPORAL_TASK_QUEUE: REPLICA_TASK_QUEUE,
      UNIVERSIGN_API_URL: universign.url,
      UNIVERSIGN_API_KEY: UNIVERSIGN_KEY,
      SAGE_GATEWAY_URL: sage.url,
      SAGE_GATEWAY_TOKEN: SAGE_TOKEN,
      SMTP_URL: smtp.url,
      NOTIFY_TO: REPLICA_NOTIFY_TO,
      ARCHIVE_DIR: join(workDir, 'archive'),
      API_HOST: '127.0.0.1',
      API_TOKENS: REPLICA_API_TOKEN,
      LOG_LEVEL: 'warn',
      // The embedded server (no DATABASE_URL) resets connections past its 32: four processes' default pools would pass it.
      ...(process.env.DATABASE_URL ? {} : { DATABASE_POOL_SIZE: '3' }),
      ...options.env,
    };

    const workers: ProductProcess[] = [];
    const apis: ProductProcess[] = [];
    const spawnWorker = async (index: number) => {
      const worker = spawnProductProcess(`worker-${index}`, 'worker/main.ts', productEnv, logStream(`worker-${index}`), options.build);
      cleanups.unshift(() => worker.stop());
      workers[index] = worker;
      await waitForWorker(temporalServer.client, REPLICA_TASK_QUEUE, worker);
      worker.readyAt = Date.now();
    };
    const spawnApi = async (index: number) => {
      const env = { ...productEnv, API_PORT: String(apiPorts[index]) };
      const api = spawnProductProcess(`api-${index}`, 'api/main.ts', env, logStream(`api-${index}`), options.build);
      cleanups.unshift(() => api.stop());
      apis[index] = api;
      await waitForHttp(`${apiUrls[index]}/ready`, api);
      api.readyAt = Date.now();
    };
    await Promise.all(apiPorts.flatMap((_, index) => [spawnWorker(index), spawnApi(index)]));

    let nextApiReplica = 0;
    return {
      workDir,
      db,
      pg: checks,
      dbProxy,
      temporal: temporalServer.client,
      universign,
      sage,
      smtp,
      mails,
      apiUrls,
      workers,
      apis,
      async killWorker(index) {
        const worker = workers[index];
        if (!worker) throw new Error(`no worker ${index}`);
        const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
        worker.child.kill('SIGKILL');
        await exited;
        return Date.now();
      },
      startWorker: spawnWorker,
      pauseTemporal() {
        temporalChild.kill('SIGSTOP');
      },
      resumeTemporal() {
        temporalChild.kill('SIGCONT');
      },
      async api(method, path, body, replica) {
        const base = apiUrls[(replica ?? nextApiReplica++) % apiUrls.length];
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${REPLICA_API_TOKEN}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
