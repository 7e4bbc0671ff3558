/**
 * The API process's configuration, validated once at start (names and defaults in design.md).
 * Secrets (API key, tokens) are kept out of every error message.
 */
import { z } from 'zod';
import {
  checkSageGateway,
  checkTemporalTls,
  connectionFields,
  optionalText,
  parseConfig,
  pollFields,
  sageGatewayFields,
} from '../shared/config-fields';

export const apiConfigSchema = z
  .object({
    ...connectionFields,
    /** When set, POST /api/signature-requests checks the Sage document exists before sending anything. */
    ...sageGatewayFields,
    UNIVERSIGN_JWKS_URL: optionalText.pipe(z.string().url().optional()),
    UNIVERSIGN_SIGNATURE_HEADER: z.string().trim().toLowerCase().default('x-jws-signature'),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    API_HOST: z.string().default('0.0.0.0'),
    API_TOKENS: z
      .string({ error: 'API_TOKENS is required (comma-separated bearer tokens for /api/*)' })
      .transform((value) =>
        value
          .split(',')
          .map((token) => token.trim())
          .filter(Boolean),
      )
      .refine((tokens) => tokens.length > 0, 'API_TOKENS holds no token')
      .refine((tokens) => tokens.every((token) => token.length >= 16), 'every API token must be at least 16 characters'),
    WEBHOOK_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    ...pollFields,
    /** How long POST /api/signature-requests waits for the transaction to be started before answering 202. */
    SIGNATURE_REQUEST_WAIT_SECONDS: z.coerce.number().positive().default(20),
  })
  .superRefine(checkTemporalTls)
  .superRefine(checkSageGateway)
  .transform((config) => ({
    ...config,
    UNIVERSIGN_JWKS_URL: config.UNIVERSIGN_JWKS_URL ?? `${config.UNIVERSIGN_API_URL.replace(/\/+$/, '')}/webhooks/jwks.json`,
  }));

export type ApiConfig = z.infer<typeof apiConfigSchema>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseConfig(apiConfigSchema, env);
}
