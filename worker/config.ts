/**
 * The worker's configuration, read from the environment and validated once at start, so a
 * missing or malformed variable stops the process with a message naming it.
 */
import { z } from 'zod';
import { checkTemporalTls, connectionFields, optionalText, parseConfig, positiveInt } from './config-fields';

export { ConfigError } from './config-fields';

export const workerConfigSchema = z
  .object({
    ...connectionFields,
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
  })
  .superRefine(checkTemporalTls)
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

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseConfig(workerConfigSchema, env);
}
