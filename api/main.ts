/**
 * API process entry (`npm run api`): validates the configuration, connects to PostgreSQL and
 * Temporal, serves the Fastify app on API_HOST:API_PORT, and on SIGINT/SIGTERM closes everything
 * (close-gracefully.ts), exiting 1 if anything failed to close.
 */
import { Client } from '@temporalio/client';
import pg from 'pg';
import pino from 'pino';
import { createPrismaClient } from '../activities/create-prisma-client';
import { createSageGatewayClient } from '../activities/sage-gateway-client';
import { createUniversignClient } from '../activities/universign-client';
import { ConfigError, pollSettings, sageGatewayOptions } from '../shared/config-fields';
import { connectTemporalClient, connectTemporalNative } from '../shared/connect-temporal';
import { startTracing, tracingClientInterceptors } from '../shared/tracing';
import { createWebhookStore } from '../shared/webhooks/webhook-store';
import { closeGracefully } from './close-gracefully';
import { loadApiConfig } from './config';
import { createApp, LOG_REDACTIONS } from './create-app';
import { createLazyNativeClient } from './lazy-native-client';
import { createUniversignKeySet } from './webhooks/universign-jwks';

async function main(): Promise<void> {
  const config = loadApiConfig();
  // First, so that every span of the process has a provider to go to (off without OTEL_EXPORTER_OTLP_ENDPOINT).
  const tracing = startTracing('universign-sync-api');
  // What logs outside the HTTP app's own logger (the JWKS, the webhook pool): same level, same output.
  const log = pino({ level: config.LOG_LEVEL });
  const sageOptions = sageGatewayOptions(config);
  if (!sageOptions) log.warn('SAGE_GATEWAY_URL is not set: Sage documents are not checked before they are sent for signature');
  const prisma = createPrismaClient(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const webhookPool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
  // An idle connection dropped by the server must not take the process down.
  webhookPool.on('error', (err) => log.error({ err: err.message }, 'webhook database pool: idle connection lost'));
  // Lazy: the API starts (and answers /health, 503 on /ready and webhooks) while Temporal is still down.
  const connection = await connectTemporalClient({ ...config, lazy: true });
  const signalClient = createLazyNativeClient(
    () => connectTemporalNative(config),
    config.TEMPORAL_NAMESPACE,
    tracingClientInterceptors(tracing),
  );
  const app = await createApp(
    {
      prisma,
      webhooks: createWebhookStore(webhookPool),
      temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: tracingClientInterceptors(tracing) }),
      signalClient: signalClient.get,
      universign: createUniversignClient({
        baseUrl: config.UNIVERSIGN_API_URL,
        apiKey: config.UNIVERSIGN_API_KEY,
        timeoutMs: config.UNIVERSIGN_TIMEOUT_MS,
      }),
      sage: sageOptions ? createSageGatewayClient(sageOptions) : null,
      keySet: createUniversignKeySet({ jwksUrl: config.UNIVERSIGN_JWKS_URL, log: log.child({ component: 'universign-jwks' }) }),
      settings: {
        apiTokens: config.API_TOKENS,
        signatureHeader: config.UNIVERSIGN_SIGNATURE_HEADER,
        webhookMaxBytes: config.WEBHOOK_MAX_BYTES,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        poll: pollSettings(config),
        redeliveryIntervalMs: 5_000,
        sendWaitMs: config.SIGNATURE_REQUEST_WAIT_SECONDS * 1000,
      },
    },
    {
      logger: {
        level: config.LOG_LEVEL,
        redact: [...LOG_REDACTIONS, `req.headers["${config.UNIVERSIGN_SIGNATURE_HEADER}"]`],
      },
    },
  );

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'stopping');
    const exitCode = await closeGracefully(
      [
        { name: 'http server', close: () => app.close() },
        { name: 'temporal connection', close: () => connection.close() },
        { name: 'temporal signal connection', close: () => signalClient.close() },
        { name: 'database (prisma)', close: () => prisma.$disconnect() },
        { name: 'database (webhook pool)', close: () => webhookPool.end() },
        ...(tracing ? [{ name: 'traces exporter', close: () => tracing.shutdown() }] : []),
      ],
      app.log,
    );
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ host: config.API_HOST, port: config.API_PORT });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `api failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
