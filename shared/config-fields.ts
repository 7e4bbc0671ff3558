/**
 * Configuration pieces shared by the worker and the API process: the connection variables of
 * design.md with their defaults, the Sage gateway's, and one way of turning a failed validation
 * into a clear message.
 */
import { z } from 'zod';
import type { SageGatewayClientOptions } from '../activities/sage-gateway-client';
import { DEFAULT_POLL_MAX_SECONDS, DEFAULT_POLL_MIN_SECONDS, DEFAULT_POLL_WITHOUT_WEBHOOKS_SECONDS } from '../workflows/poll-cadence';

export const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Database, Temporal and Universign: what both processes connect to. */
export const connectionFields = {
  DATABASE_URL: z.string({ error: 'DATABASE_URL is required (postgresql://user@host:5432/db)' }).url(),
  /** Connections each process keeps to PostgreSQL. */
  DATABASE_POOL_SIZE: positiveInt(10),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('universign-sync'),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_TLS_CA: optionalText,
  UNIVERSIGN_API_URL: z.string().url().default('https://api.universign.com/v1'),
  UNIVERSIGN_API_KEY: z.string({ error: 'UNIVERSIGN_API_KEY is required' }).min(1, 'UNIVERSIGN_API_KEY is empty'),
  UNIVERSIGN_TIMEOUT_MS: positiveInt(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** The Sage 100 gateway: the worker's Sage actions, and the API's check that a document exists before sending it. */
export const sageGatewayFields = {
  SAGE_GATEWAY_URL: optionalText.pipe(z.string().url().optional()),
  SAGE_GATEWAY_TOKEN: optionalText,
  SAGE_GATEWAY_TIMEOUT_MS: positiveInt(10_000),
};

interface SageGatewayConfig {
  SAGE_GATEWAY_URL?: string | undefined;
  SAGE_GATEWAY_TOKEN?: string | undefined;
  SAGE_GATEWAY_TIMEOUT_MS: number;
}

/** A URL without its token (or the reverse) is a half setup: refused rather than silently running without the gateway. */
export function checkSageGateway(config: SageGatewayConfig, ctx: z.RefinementCtx): void {
  if (config.SAGE_GATEWAY_URL && !config.SAGE_GATEWAY_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SAGE_GATEWAY_TOKEN'], message: 'SAGE_GATEWAY_TOKEN is required when SAGE_GATEWAY_URL is set' });
  }
  if (!config.SAGE_GATEWAY_URL && config.SAGE_GATEWAY_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SAGE_GATEWAY_URL'], message: 'SAGE_GATEWAY_URL is required when SAGE_GATEWAY_TOKEN is set' });
  }
}

/** The gateway client's options, or null when no gateway is configured. */
export function sageGatewayOptions(config: SageGatewayConfig): SageGatewayClientOptions | null {
  if (!config.SAGE_GATEWAY_URL || !config.SAGE_GATEWAY_TOKEN) return null;
  return { baseUrl: config.SAGE_GATEWAY_URL, token: config.SAGE_GATEWAY_TOKEN, timeoutMs: config.SAGE_GATEWAY_TIMEOUT_MS };
}

/** The poll cadence of the workflows a process starts: the API (sends, webhooks) and the worker (reconciliation). */
export const pollFields = {
  POLL_INTERVAL_MIN_SECONDS: z.coerce.number().positive().default(DEFAULT_POLL_MIN_SECONDS),
  POLL_INTERVAL_MAX_SECONDS: z.coerce.number().positive().default(DEFAULT_POLL_MAX_SECONDS),
  /** The fixed poll interval of a transaction whose webhooks are not arriving (bounds how long a lost one goes unseen). */
  POLL_INTERVAL_WITHOUT_WEBHOOKS_SECONDS: z.coerce.number().positive().default(DEFAULT_POLL_WITHOUT_WEBHOOKS_SECONDS),
};

/** The workflow input those variables give. */
export function pollSettings(config: {
  POLL_INTERVAL_MIN_SECONDS: number;
  POLL_INTERVAL_MAX_SECONDS: number;
  POLL_INTERVAL_WITHOUT_WEBHOOKS_SECONDS: number;
}): { minSeconds: number; maxSeconds: number; withoutWebhooksSeconds: number } {
  return {
    minSeconds: config.POLL_INTERVAL_MIN_SECONDS,
    maxSeconds: config.POLL_INTERVAL_MAX_SECONDS,
    withoutWebhooksSeconds: config.POLL_INTERVAL_WITHOUT_WEBHOOKS_SECONDS,
  };
}

/** mTLS needs the certificate and its key together; half a setup must not fall back to plaintext. */
export function checkTemporalTls(
  config: { TEMPORAL_TLS_CERT?: string | undefined; TEMPORAL_TLS_KEY?: string | undefined; TEMPORAL_TLS_CA?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  const { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca } = config;
  if (Boolean(cert) !== Boolean(key)) {
    ctx.addIssue({
      code: 'custom',
      path: [cert ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'],
      message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
    });
  }
  if (ca && !cert) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CA'], message: 'TEMPORAL_TLS_CA needs TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY' });
  }
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; the message names every bad variable and never echoes a value. */
export function parseConfig<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
