/**
 * The API process's configuration, validated once at start (names and defaults in design.md).
 * Secrets (API key, tokens) are kept out of every error message.
 */
import { z } from 'zod';
import { ConfigError } from '../worker/config';

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

export const apiConfigSchema = z
  .object({
    DATABASE_URL: z.string({ error: 'DATABASE_URL is required (postgresql://user@host:5432/db)' }).url(),
    TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('universign-sync'),
    TEMPORAL_API_KEY: optionalText,
    TEMPORAL_TLS_CERT: optionalText,
    TEMPORAL_TLS_KEY: optionalText,
    TEMPORAL_TLS_CA: optionalText,
    UNIVERSIGN_API_URL: z.string().url().default('https://api.universign.com/v1'),
    UNIVERSIGN_API_KEY: z.string({ error: 'UNIVERSIGN_API_KEY is required' }).min(1, 'UNIVERSIGN_API_KEY is empty'),
    UNIVERSIGN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    UNIVERSIGN_JWKS_URL: optionalText.pipe(z.string().url().optional()),
    UNIVERSIGN_SIGNATURE_HEADER: z.string().trim().toLowerCase().default('x-jws-signature'),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    API_HOST: z.string().default('0.0.0.0'),
    API_TOKENS: z
      .string({ error: 'API_TOKENS is required (comma-separated bearer tokens for /api/*)' })
      .transform((value) => value.split(',').map((token) => token.trim()).filter(Boolean))
      .refine((tokens) => tokens.length > 0, 'API_TOKENS holds no token')
      .refine((tokens) => tokens.every((token) => token.length >= 16), 'every API token must be at least 16 characters'),
    WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
    POLL_INTERVAL_MIN_SECONDS: z.coerce.number().positive().default(60),
    POLL_INTERVAL_MAX_SECONDS: z.coerce.number().positive().default(3600),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .transform((config) => ({
    ...config,
    UNIVERSIGN_JWKS_URL: config.UNIVERSIGN_JWKS_URL ?? `${config.UNIVERSIGN_API_URL.replace(/\/+$/, '')}/webhooks/jwks.json`,
  }));

export type ApiConfig = z.infer<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = apiConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
