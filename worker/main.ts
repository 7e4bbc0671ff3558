/**
 * Worker process entry (`npm run worker`): validates the configuration, connects to PostgreSQL,
 * Temporal and Universign, ensures the reconciliation schedule, and serves the task queue until
 * SIGINT/SIGTERM, then drains and closes.
 */
import { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import pg from 'pg';
import pino from 'pino';
import { createArchiveStore } from '../activities/archive-store';
import { createMailer } from '../activities/create-mailer';
import { createPrismaClient } from '../activities/create-prisma-client';
import { createSageGatewayClient } from '../activities/sage-gateway-client';
import { createUniversignClient } from '../activities/universign-client';
import { pollSettings, sageGatewayOptions } from '../shared/config-fields';
import { connectTemporalClient, connectTemporalNative } from '../shared/connect-temporal';
import { startTracing, tracingClientInterceptors } from '../shared/tracing';
import { createWebhookStore } from '../shared/webhooks/webhook-store';
import { ConfigError, loadWorkerConfig } from './config';
import { createSyncWorker } from './create-sync-worker';
import { ensureReconcileSchedule } from './ensure-reconcile-schedule';
import { ensureSearchAttributes } from './ensure-search-attributes';
import { prebuiltWorkflowBundle, WorkflowBundleError } from './prebuilt-workflow-bundle';
import { sdkMetricsExporter } from './sdk-metrics-exporter';
import { createTemporalPinoLogger } from './temporal-pino-logger';
import { createWorkerMetrics, serveWorkerMetrics } from './worker-metrics';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // First, so that every span of the process has a provider to go to (off without OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = startTracing('universign-sync-worker');
  const log = pino({ level: config.LOG_LEVEL, name: 'worker' });
  // Checked before anything connects: a build whose bundle disagrees with its workflow code must not serve.
  const workflowBundle = await prebuiltWorkflowBundle();
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  // With a metrics port, the SDK's own metrics are exported on loopback and appended to its /metrics.
  const sdkMetrics = config.WORKER_METRICS_PORT !== undefined ? await sdkMetricsExporter() : null;
  Runtime.install({
    logger: createTemporalPinoLogger(log.child({ component: 'temporal-sdk' }), verbose ? 'DEBUG' : 'WARN'),
    ...(sdkMetrics ? { telemetryOptions: sdkMetrics.telemetryOptions } : {}),
  });
  const prisma = createPrismaClient(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const sageOptions = sageGatewayOptions(config);
  const mailer = config.SMTP_URL ? createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }) : null;
  const disabled = [
    !sageOptions && 'Sage updates and quote conversion (SAGE_GATEWAY_URL)',
    (!config.SMTP_URL || config.NOTIFY_TO.length === 0) && 'e-mails (SMTP_URL, NOTIFY_TO)',
    !config.ARCHIVE_DIR && 'archiving of signed documents (ARCHIVE_DIR)',
  ].filter(Boolean);
  if (disabled.length > 0) log.warn({ disabled }, 'some business actions are not configured: they will be recorded as skipped');
  const metrics = createWorkerMetrics();
  const metricsServer =
    config.WORKER_METRICS_PORT !== undefined
      ? await serveWorkerMetrics(metrics.registry, config.WORKER_METRICS_PORT, config.WORKER_METRICS_HOST, sdkMetrics?.url)
      : null;
  // The reconciliation claims and marks webhook events as the API does (shared/webhooks/): a small pool of its own.
  const webhookPool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
  webhookPool.on('error', (err) => log.error({ err: err.message }, 'webhook database pool: idle connection lost'));
  const connection = await connectTemporalNative(config);
  try {
    await registerSearchAttributes(config, log);
    // The reconciliation's starts and signals go through the worker's own connection.
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracingClientInterceptors(tracing) });
    await scheduleReconciliation(temporal, config, log);
    const worker = await createSyncWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      ...(workflowBundle ? { workflowBundle } : {}),
      maxActivitiesPerSecond: config.UNIVERSIGN_MAX_REQUESTS_PER_SECOND,
      tuning: { maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS, workflowThreadPoolSize: config.WORKER_WORKFLOW_THREADS },
      onUniversignQueueWait: metrics.universignQueueWaited,
      tracing,
      deps: {
        prisma,
        metrics,
        universign: createUniversignClient({
          baseUrl: config.UNIVERSIGN_API_URL,
          apiKey: config.UNIVERSIGN_API_KEY,
          timeoutMs: config.UNIVERSIGN_TIMEOUT_MS,
          onAnswer: metrics.universignAnswered,
        }),
      },
      reconcile: {
        temporal,
        webhooks: createWebhookStore(webhookPool),
        metrics,
        settings: { taskQueue: config.TEMPORAL_TASK_QUEUE, poll: pollSettings(config) },
      },
      actions: {
        metrics,
        sage: sageOptions ? createSageGatewayClient(sageOptions) : null,
        mailer,
        archive: config.ARCHIVE_DIR ? createArchiveStore({ rootDir: config.ARCHIVE_DIR }) : null,
        settings: {
          notifyTo: config.NOTIFY_TO,
          sageFreeFields: {
            status: config.SAGE_FIELD_STATUS,
            date: config.SAGE_FIELD_DATE,
            transactionId: config.SAGE_FIELD_TRANSACTION_ID,
          },
          quoteTypes: config.SAGE_QUOTE_TYPES,
          cancelOnRefusal: config.CANCEL_ON_REFUSAL,
        },
      },
    });
    log.info(
      {
        temporal: config.TEMPORAL_ADDRESS,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        universign: config.UNIVERSIGN_API_URL,
        universignRatePerSecond: config.UNIVERSIGN_MAX_REQUESTS_PER_SECOND,
        maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        workflowThreads: config.WORKER_WORKFLOW_THREADS,
        workflows: workflowBundle ? `prebuilt ${workflowBundle.codePath}` : 'bundled at start from workflows/',
        metrics: metricsServer ? `http://${config.WORKER_METRICS_HOST}:${metricsServer.port}/metrics` : 'off (WORKER_METRICS_PORT)',
        traces: tracing ? 'OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)' : 'off (OTEL_EXPORTER_OTLP_ENDPOINT)',
      },
      'worker started',
    );
    // The SDK's runtime turns SIGINT/SIGTERM into a graceful shutdown: run() resolves once drained.
    await worker.run();
    log.info('worker stopped');
  } finally {
    await metricsServer?.close();
    await connection.close();
    await mailer?.close();
    await prisma.$disconnect();
    await webhookPool.end();
    // Last: the spans of the drain above are exported too.
    await tracing?.shutdown();
  }
}

/** Creates or updates the reconciliation's schedule; a failure is logged, the worker serves its queue anyway. */
async function scheduleReconciliation(temporal: Client, config: ReturnType<typeof loadWorkerConfig>, log: pino.Logger): Promise<void> {
  try {
    const schedule = await ensureReconcileSchedule(temporal, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      intervalSeconds: config.RECONCILE_INTERVAL_SECONDS,
      staleAfterSeconds: config.RECONCILE_STALE_AFTER_SECONDS,
    });
    log.info(
      { ...schedule, intervalSeconds: config.RECONCILE_INTERVAL_SECONDS, staleAfterSeconds: config.RECONCILE_STALE_AFTER_SECONDS },
      'reconciliation schedule ensured',
    );
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot create or update the reconciliation schedule');
  }
}

/** Adds the workflow's search attributes if the namespace lacks them; where that is not allowed, says how. */
async function registerSearchAttributes(config: ReturnType<typeof loadWorkerConfig>, log: pino.Logger): Promise<void> {
  const client = await connectTemporalClient(config);
  try {
    const { added } = await ensureSearchAttributes(client, config.TEMPORAL_NAMESPACE);
    if (added.length > 0) log.info({ added }, 'search attributes registered');
  } catch (err) {
    log.error(
      { err: err instanceof Error ? err.message : String(err) },
      'cannot check or register search attributes SignatureStatus, UniversignState, SageDocument: create them (see README) or workflows will be stuck',
    );
  } finally {
    await client.close();
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof WorkflowBundleError) {
    console.error(err.message);
  } else {
    console.error('worker failed:', err);
  }
  process.exit(1);
});
