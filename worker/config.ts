/**
 * The worker's configuration, read from the environment and validated once at start, so a
 * missing or malformed variable stops the process with a message naming it.
 */
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const workerConfigSchema = z
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
  UNIVERSIGN_TIMEOUT_MS: positiveInt(10_000),
  /** Global cap on activity starts per second across every worker of the task queue (Universign's rate limit). */
  UNIVERSIGN_MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().default(10),
  SAGE_GATEWAY_URL: optionalText.pipe(z.string().url().optional()),
  SAGE_GATEWAY_TOKEN: optionalText,
  SAGE_GATEWAY_TIMEOUT_MS: positiveInt(10_000),
  SAGE_FIELD_STATUS: z.string().default('STATUT_SIGNATURE'),
  SAGE_FIELD_DATE: z.string().default('DATE_SIGNATURE'),
  SAGE_FIELD_TRANSACTION_ID: z.string().default('ID_UNIVERSIGN'),
  /** Sage document types converted into an order once signed (comma separated). */
  SAGE_QUOTE_TYPES: z.string().default('devis').transform(commaList),
  SMTP_URL: optionalText.pipe(z.string().url().optional()),
  MAIL_FROM: z.string().default('Signature Universign <signature@localhost>'),
  NOTIFY_TO: z.string().default('').transform(commaList),
  ARCHIVE_DIR: optionalText,
  CANCEL_ON_REFUSAL: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default('true')
    .transform((value) => ['true', '1', 'yes'].includes(value)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((config) => !config.SAGE_GATEWAY_URL || config.SAGE_GATEWAY_TOKEN, {
    message: 'SAGE_GATEWAY_TOKEN is required when SAGE_GATEWAY_URL is set',
    path: ['SAGE_GATEWAY_TOKEN'],
  })
  .refine((config) => config.NOTIFY_TO.every((address) => /^[^@\s]+@[^@\s]+$/.test(address)), {
    message: 'NOTIFY_TO must be comma-separated e-mail addresses',
    path: ['NOTIFY_TO'],
  });

function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter(Boolean);
}

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = workerConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
