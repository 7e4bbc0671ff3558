/**
 * The whole product on real servers for API and webhook tests: Temporal dev server, database,
 * the Universign simulator sending signed webhooks, a worker, and the Fastify app listening on
 * loopback. Each stack has its own task queue; close() stops everything it started.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { DEFAULT_BUSINESS_ACTION_SETTINGS } from '../../activities/actions/business-action-deps';
import { createArchiveStore } from '../../activities/archive-store';
import { createMailer, type Mailer } from '../../activities/create-mailer';
import { createSageGatewayClient } from '../../activities/sage-gateway-client';
import { createUniversignClient } from '../../activities/universign-client';
import type { AppSettings } from '../../api/app-deps';
import { createApp } from '../../api/create-app';
import { createUniversignKeySet } from '../../api/webhooks/universign-jwks';
import { createWebhookStore } from '../../shared/webhooks/webhook-store';
import { type SageGatewaySimulator, startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import type { WebhookSenderOptions } from '../../simulators/universign-webhook-sender';
import { createSyncWorker, type SyncWorker } from '../../worker/create-sync-worker';
import { type SmtpSink, startSmtpSink } from './smtp-sink';
import { createDevServerEnv, workflowBundle } from './temporal-env';
import { createTestDatabase, type TestDatabase } from './test-database';

export const TEST_API_TOKEN = 'test-token-0123456789abcdef';
export const TEST_UNIVERSIGN_KEY = 'stack-universign-key';
export const TEST_SAGE_TOKEN = 'stack-sage-token';
export const TEST_NOTIFY_TO = 'ventes@entreprise.example';

export interface TestStackOptions {
  /** Settings for the app (defaults: long polling, so webhooks drive the workflows). */
  settings?: Partial<AppSettings>;
  /** Options for the simulator's webhook sender. */
  webhooks?: Partial<Omit<WebhookSenderOptions, 'targetUrl' | 'keys'>>;
  /** The Temporal client the app uses (default: the dev server's). */
  temporalClient?: (env: TestWorkflowEnvironment) => Client | Promise<Client>;
  /** Start without a worker (call startWorker later). */
  withoutWorker?: boolean;
  /**
   * Also run the Sage gateway simulator, a real SMTP server and an archive folder for the business
   * actions; the app then checks documents on the simulator (seed them before sending).
   */
  businessActions?: boolean;
}

/** The business actions' outside world, when the stack has them. */
export interface TestBusinessWorld {
  sage: SageGatewaySimulator;
  smtp: SmtpSink;
  archiveDir: string;
}

export interface TestStack {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  universign: UniversignSimulator;
  app: FastifyInstance;
  apiUrl: string;
  taskQueue: string;
  world: TestBusinessWorld | null;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** Authorised JSON call to the API. */
  // biome-ignore lint/suspicious/noExplicitAny: a test reads untyped JSON answers by path.
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

let stacks = 0;

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  stacks += 1;
  const taskQueue = `stack-${process.pid}-${stacks}`;
  const [env, db, universign] = await Promise.all([
    createDevServerEnv(),
    createTestDatabase(),
    startUniversignSimulator({
      apiKey: TEST_UNIVERSIGN_KEY,
      webhooks: { targetUrl: 'http://127.0.0.1:9/unset', ...options.webhooks },
    }),
  ]);
  const universignClient = createUniversignClient({ baseUrl: universign.url, apiKey: TEST_UNIVERSIGN_KEY });
  const world: TestBusinessWorld | null = options.businessActions
    ? {
        sage: await startSageGatewaySimulator({ token: TEST_SAGE_TOKEN }),
        smtp: await startSmtpSink(),
        archiveDir: await mkdtemp(join(tmpdir(), 'archive-')),
      }
    : null;
  let mailer: Mailer | null = null;
  const webhookPool = new pg.Pool({ connectionString: db.url, max: 4 });
  const app = await createApp({
    prisma: db.prisma,
    webhooks: createWebhookStore(webhookPool),
    temporal: (await options.temporalClient?.(env)) ?? env.client,
    universign: universignClient,
    sage: world ? createSageGatewayClient({ baseUrl: world.sage.url, token: TEST_SAGE_TOKEN }) : null,
    keySet: createUniversignKeySet({ jwksUrl: `${universign.url}/webhooks/jwks.json` }),
    settings: {
      apiTokens: [TEST_API_TOKEN],
      signatureHeader: 'x-jws-signature',
      webhookMaxBytes: 64 * 1024,
      taskQueue,
      poll: { minSeconds: 3600, maxSeconds: 3600 },
      redeliveryIntervalMs: 0,
      ...options.settings,
    },
  });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  universign.webhooks?.setTarget(`${apiUrl}/webhooks/universign`);

  let running: { worker: SyncWorker; done: Promise<void> } | null = null;
  const stack: TestStack = {
    env,
    db,
    universign,
    app,
    apiUrl,
    taskQueue,
    world,
    async startWorker() {
      if (running) return;
      mailer ??= world ? createMailer({ smtpUrl: world.smtp.url, from: 'Signature <signature@entreprise.example>' }) : null;
      const worker = await createSyncWorker({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        deps: { prisma: db.prisma, universign: universignClient },
        ...(world
          ? {
              actions: {
                sage: createSageGatewayClient({ baseUrl: world.sage.url, token: TEST_SAGE_TOKEN }),
                mailer,
                archive: createArchiveStore({ rootDir: world.archiveDir }),
                settings: { ...DEFAULT_BUSINESS_ACTION_SETTINGS, notifyTo: [TEST_NOTIFY_TO] },
              },
            }
          : {}),
      });
      running = { worker, done: worker.run() };
    },
    async stopWorker() {
      if (!running) return;
      running.worker.shutdown();
      await running.done;
      running = null;
    },
    async api(method, path, body) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TEST_API_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await stack.stopWorker().catch(() => undefined);
      await Promise.allSettled([app.close(), universign.close(), mailer?.close()]);
      await webhookPool.end();
      if (world) {
        await Promise.allSettled([world.sage.close(), world.smtp.close(), rm(world.archiveDir, { recursive: true, force: true })]);
      }
      await Promise.allSettled([env.teardown(), db.close()]);
    },
  };
  if (!options.withoutWorker) await stack.startWorker();
  return stack;
}
