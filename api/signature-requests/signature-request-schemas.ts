/**
 * The /api/signature-requests shapes, defined once: the body (strict: no coercion, no unknown
 * field), the Idempotency-Key header, the id, the 201/202/GET answers and the errors that carry the
 * request's id and step. What a schema cannot say (the decoded PDF, the expiry against now) is
 * checked in api/parse-signature-request.ts, which throws domain errors.
 */
import { z } from 'zod';
import { errorResponse } from '../error-response-schema';

export const SIGNATURE_LANGUAGES = ['fr', 'en', 'de', 'es', 'it', 'nl'] as const;
export const MAX_PDF_BYTES = 20 * 1024 * 1024;
export const MAX_SIGNERS = 50;
export const MAX_EXPIRY_DAYS = 90;
export const SAGE_FIELD_MAX = 50;
// E.164: a plus, a country code not starting with 0, at most 15 digits in all.
const E164 = /^\+[1-9]\d{6,14}$/;
// PostgreSQL text cannot hold a NUL byte: accepted, it would leave the transaction unrecordable.
const withoutNul = (value: string) => !value.includes('\u0000');
const NUL_MESSAGE = 'must not contain a NUL character';

const sageField = (description: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(SAGE_FIELD_MAX, `must be at most ${SAGE_FIELD_MAX} characters`)
    .refine((value) => !value.includes(':'), "must not contain ':'")
    .refine(withoutNul, NUL_MESSAGE)
    .describe(description);

const optionalText = (description: string) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine(withoutNul, NUL_MESSAGE)
    .optional()
    .describe(description);

const signer = z.strictObject({
  email: z.string().trim().max(254, 'must be at most 254 characters').pipe(z.email('is not a valid e-mail address')),
  fullName: optionalText("The signer's name"),
  phone: z
    .string()
    .max(32, 'must be at most 32 characters')
    // Spaces, dots, dashes and brackets are how people write numbers; Universign gets E.164.
    .transform((phone) => phone.replace(/[\s.()-]/g, ''))
    .pipe(z.string().regex(E164, 'must be an international number such as +33612345678'))
    .optional()
    .describe('E.164, e.g. +33612345678 (spaces, dots, dashes and brackets are removed)'),
});

/** Strict objects: a misspelt optional field (expireAt) or a number where a string is due is a 400. */
export const signatureRequestBody = z
  .strictObject({
    sageDocument: z.strictObject({
      type: sageField("Sage document type, e.g. devis (no ':')"),
      number: sageField("Sage document number, e.g. D0042 (no ':')"),
    }),
    document: z.strictObject({
      name: z
        .string()
        .trim()
        .max(200, 'must be at most 200 characters')
        .refine((name) => /^.+\.pdf$/i.test(name), 'must end with .pdf')
        .refine(withoutNul, NUL_MESSAGE)
        .describe('File name, ending with .pdf'),
      contentBase64: z
        .string()
        .min(1, 'must not be empty')
        .describe(`The PDF, base64-encoded (at most ${MAX_PDF_BYTES / 1024 / 1024} MB decoded; 413 beyond)`),
    }),
    signers: z
      .array(signer)
      .min(1, 'at least one signer is required')
      .max(MAX_SIGNERS, `at most ${MAX_SIGNERS} signers`)
      .superRefine((signers, ctx) => {
        const seen = new Set<string>();
        signers.forEach((each, index) => {
          const key = each.email.toLowerCase();
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index, 'email'], message: `${each.email} is listed twice` });
          seen.add(key);
        });
      })
      .describe('Distinct e-mails; they sign in parallel'),
    name: optionalText('Transaction name (default: "<Type> <number>")'),
    language: z
      .enum(SIGNATURE_LANGUAGES, `must be one of ${SIGNATURE_LANGUAGES.join(', ')}`)
      .default('fr')
      .describe("Signers' interface language"),
    expiresAt: z
      .string()
      .optional()
      .meta({ format: 'date-time', description: `ISO-8601 with a time zone, in the future, at most ${MAX_EXPIRY_DAYS} days ahead` }),
  })
  .meta({ id: 'SignatureRequest' });

export type SignatureRequestBody = z.output<typeof signatureRequestBody>;

/** Other headers pass through untouched (validation replaces `request.headers` with its result). */
export const signatureRequestHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x20-\x7E]+$/, 'must be printable ASCII')
    .optional()
    .describe('Makes retries safe: the same key and body join the send in progress or answer its outcome'),
});

export const signatureRequestParams = z.strictObject({
  id: z.string().max(200).describe('The request id, as the 202 answer or the transaction metadata give it (send-…)'),
});

const sageDocument = z.object({ type: z.string(), number: z.string() });

export const sendResult = z
  .object({ transactionId: z.string(), workflowId: z.string(), status: z.literal('EN_COURS') })
  .meta({ id: 'SignatureRequestSent', description: 'The transaction is started, and its workflow too' });

export type SendResultAnswer = z.output<typeof sendResult>;

export const sendPending = z
  .object({ requestId: z.string(), status: z.literal('running'), message: z.string() })
  .meta({ id: 'SignatureRequestPending', description: 'Still sending: GET /api/signature-requests/{id} reports its progress' });

export const signatureRequestView = z
  .object({
    requestId: z.string(),
    sageDocument: sageDocument.nullable(),
    status: z.enum(['running', 'sent', 'failed']),
    step: z.string().nullable().describe('The step running now, or the one that failed'),
    stepsDone: z.array(z.string()).nullable(),
    transactionId: z.string().nullable(),
    workflowId: z.string().nullable().describe("The transaction's workflow, once started"),
    error: z.object({ step: z.string().nullable(), message: z.string() }).nullable(),
  })
  .meta({ id: 'SignatureRequestProgress' });

export type SignatureRequestView = z.output<typeof signatureRequestView>;

/** A send refused or failed: which request, at which step, and the transaction if one was created. */
export const signatureRequestError = errorResponse
  .extend({
    requestId: z.string().optional(),
    step: z.string().optional().describe('The step that failed'),
    transactionId: z.string().optional().describe('The Universign transaction, when the failure came after its creation'),
  })
  .meta({ id: 'SignatureRequestError' });
