/**
 * The worker's configuration, read from the environment and validated once at start, so a
 * missing or malformed variable stops the process with a message naming it.
 */
import { z } from 'zod';
import { DEFAULT_BUSINESS_ACTION_SETTINGS } from '../activities/actions/business-action-deps';
import {
  checkSageGateway,
  checkTemporalTls,
  connectionFields,
  optionalText,
  parseConfig,
  pollFields,
  positiveInt,
  sageGatewayFields,
} from '../shared/config-fields';
import { DEFAULT_RECONCILE_SETTINGS } from '../workflows/reconcile-messages';
import { DEFAULT_WORKER_TUNING } from './worker-tuning';

export { ConfigError } from '../shared/config-fields';

export const workerConfigSchema = z
  .object({
    ...connectionFields,
    /** Cadence of the workflows the reconciliation starts: the same variables as the API's. */
    ...pollFields,
    /** Seconds between reconciliation runs (the universign-reconcile schedule); 0 pauses the schedule. */
    RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(DEFAULT_RECONCILE_SETTINGS.intervalSeconds),
    /** A non-final transaction not synced for this long is forced to resync by the reconciliation. */
    RECONCILE_STALE_AFTER_SECONDS: positiveInt(DEFAULT_RECONCILE_SETTINGS.staleAfterSeconds),
    /**
     * Universign calls started per second, across every worker: the rate limit of the Universign
     * task queue, which carries those calls and nothing else.
     */
    UNIVERSIGN_MAX_REQUESTS_PER_SECOND: z.coerce.number().positive().default(100),
    /** Workflows a worker keeps in memory between their tasks (see README, Worker sizing). */
    WORKER_MAX_CACHED_WORKFLOWS: positiveInt(DEFAULT_WORKER_TUNING.maxCachedWorkflows),
    /** Threads running workflow code in a worker. */
    WORKER_WORKFLOW_THREADS: positiveInt(DEFAULT_WORKER_TUNING.workflowThreadPoolSize),
    /** Port of the worker's Prometheus metrics (GET /metrics); unset: no metrics server. */
    WORKER_METRICS_PORT: optionalText.pipe(
      z.string().regex(/^\d+$/, 'a port number').transform(Number).pipe(z.number().int().min(1).max(65535)).optional(),
    ),
    WORKER_METRICS_HOST: z.string().default('0.0.0.0'),
    ...sageGatewayFields,
    SAGE_FIELD_STATUS: z.string().default(DEFAULT_BUSINESS_ACTION_SETTINGS.sageFreeFields.status),
    SAGE_FIELD_DATE: z.string().default(DEFAULT_BUSINESS_ACTION_SETTINGS.sageFreeFields.date),
    SAGE_FIELD_TRANSACTION_ID: z.string().default(DEFAULT_BUSINESS_ACTION_SETTINGS.sageFreeFields.transactionId),
    /** Sage document types converted into an order once signed (comma separated). */
    SAGE_QUOTE_TYPES: z.string().default(DEFAULT_BUSINESS_ACTION_SETTINGS.quoteTypes.join(',')).transform(commaList),
    SMTP_URL: optionalText.pipe(z.string().url().optional()),
    MAIL_FROM: z.string().default('Signature Universign <signature@localhost>'),
    NOTIFY_TO: z.string().default('').transform(commaList),
    ARCHIVE_DIR: optionalText,
    CANCEL_ON_REFUSAL: z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(String(DEFAULT_BUSINESS_ACTION_SETTINGS.cancelOnRefusal) as 'true' | 'false')
      .transform((value) => ['true', '1', 'yes'].includes(value)),
  })
  .superRefine(checkTemporalTls)
  .superRefine(checkSageGateway)
  .refine((config) => config.NOTIFY_TO.every((address) => /^[^@\s]+@[^@\s]+$/.test(address)), {
    message: 'NOTIFY_TO must be comma-separated e-mail addresses',
    path: ['NOTIFY_TO'],
  });

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseConfig(workerConfigSchema, env);
}
