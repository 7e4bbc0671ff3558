/**
 * POST /api/signature-requests: send a Sage document for signature on Universign and start its
 * workflow. The JSON schema gives the shape (and the OpenAPI document); zod and the PDF checks
 * below give the meaning. An invalid request is refused before anything is recorded or sent.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../plugins/error-handler';
import { type SignatureRequestInput, sendSignatureRequest } from '../send-signature-request';

export const SIGNATURE_LANGUAGES = ['fr', 'en', 'de', 'es', 'it', 'nl'] as const;
export const MAX_PDF_BYTES = 20 * 1024 * 1024;
// Base64 makes 20 MB of PDF 26.7 MB; the rest of the JSON is small.
export const SIGNATURE_REQUEST_BODY_LIMIT = 28 * 1024 * 1024;
const MAX_SIGNERS = 50;
const MAX_EXPIRY_DAYS = 90;
const SAGE_FIELD_MAX = 50;
// E.164: a plus, a country code not starting with 0, at most 15 digits in all.
const E164 = /^\+[1-9]\d{6,14}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface SignatureRequestBody {
  sageDocument: { type: string; number: string };
  document: { name: string; contentBase64: string };
  signers: Array<{ email: string; fullName?: string; phone?: string }>;
  name?: string;
  language?: string;
  expiresAt?: string;
}

const sageFieldSchema = { type: 'string', minLength: 1, maxLength: SAGE_FIELD_MAX } as const;

const bodySchema = {
  type: 'object',
  required: ['sageDocument', 'document', 'signers'],
  properties: {
    sageDocument: {
      type: 'object',
      required: ['type', 'number'],
      properties: {
        type: { ...sageFieldSchema, description: "Sage document type, e.g. devis (no ':')" },
        number: { ...sageFieldSchema, description: "Sage document number, e.g. D0042 (no ':')" },
      },
    },
    document: {
      type: 'object',
      required: ['name', 'contentBase64'],
      properties: {
        name: { type: 'string', minLength: 5, maxLength: 200, description: 'File name, ending with .pdf' },
        contentBase64: { type: 'string', minLength: 1, description: 'The PDF, base64-encoded (at most 20 MB decoded)' },
      },
    },
    signers: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_SIGNERS,
      description: 'Distinct e-mails; they sign in parallel',
      items: {
        type: 'object',
        required: ['email'],
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 254 },
          fullName: { type: 'string', minLength: 1, maxLength: 200 },
          phone: { type: 'string', maxLength: 32, description: 'E.164, e.g. +33612345678' },
        },
      },
    },
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Transaction name (default: "<Type> <number>")' },
    language: { type: 'string', enum: [...SIGNATURE_LANGUAGES], default: 'fr', description: "Signers' interface language" },
    expiresAt: { type: 'string', format: 'date-time', description: `ISO-8601, in the future, at most ${MAX_EXPIRY_DAYS} days ahead` },
  },
} as const;

const headersSchema = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x20-\\x7E]+$',
      description: 'Makes retries safe: the same key and body resume or replay the first request',
    },
  },
} as const;

const resultSchema = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    workflowId: { type: 'string' },
    status: { type: 'string', enum: ['EN_COURS'] },
  },
} as const;

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    step: { type: 'string' },
    transactionId: { type: 'string' },
  },
} as const;

const sageField = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(SAGE_FIELD_MAX, `must be at most ${SAGE_FIELD_MAX} characters`)
  .refine((value) => !value.includes(':'), "must not contain ':'");

const optionalText = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional();

// Strict objects: a misspelt optional field (expireAt) is an error, not silently ignored.
const bodyValidator = z.strictObject({
  sageDocument: z.strictObject({ type: sageField, number: sageField }),
  document: z.strictObject({
    name: z
      .string()
      .trim()
      .max(200, 'must be at most 200 characters')
      .refine((name) => /^.+\.pdf$/i.test(name), 'must end with .pdf'),
    contentBase64: z.string(),
  }),
  signers: z
    .array(
      z.strictObject({
        email: z.string().trim().pipe(z.email('is not a valid e-mail address')),
        fullName: optionalText,
        phone: z
          .string()
          // Spaces, dots, dashes and brackets are how people write numbers; Universign gets E.164.
          .transform((phone) => phone.replace(/[\s.()-]/g, ''))
          .pipe(z.string().regex(E164, 'must be an international number such as +33612345678'))
          .optional(),
      }),
    )
    .min(1, 'at least one signer is required')
    .max(MAX_SIGNERS, `at most ${MAX_SIGNERS} signers`)
    .superRefine((signers, ctx) => {
      const seen = new Set<string>();
      signers.forEach((signer, index) => {
        const key = signer.email.toLowerCase();
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index, 'email'], message: `${signer.email} is listed twice` });
        seen.add(key);
      });
    }),
  name: optionalText,
  language: z.enum(SIGNATURE_LANGUAGES, `must be one of ${SIGNATURE_LANGUAGES.join(', ')}`).default('fr'),
  expiresAt: z.string().optional(),
});

export async function signatureRequestRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SignatureRequestBody; Headers: { 'idempotency-key'?: string } }>(
    '/',
    {
      prefixTrailingSlash: 'no-slash',
      bodyLimit: SIGNATURE_REQUEST_BODY_LIMIT,
      schema: {
        tags: ['signature-requests'],
        summary: 'Send a Sage document for signature on Universign and start its workflow',
        description:
          'Creates and starts a Universign transaction (one signature per signer) and its Temporal workflow. ' +
          'With an Idempotency-Key, a retry resumes an interrupted request and a repeat replays the first answer ' +
          '(header Idempotent-Replayed: true).',
        headers: headersSchema,
        body: bodySchema,
        response: {
          201: resultSchema,
          400: errorSchema,
          401: errorSchema,
          409: errorSchema,
          413: errorSchema,
          422: errorSchema,
          502: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const input = parseSignatureRequest(request.body, new Date());
      const key = request.headers['idempotency-key'];
      const { result, replayed } = await sendSignatureRequest(app.deps, input, {
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
        log: request.log,
      });
      if (replayed) reply.header('Idempotent-Replayed', 'true');
      return reply.code(201).send(result);
    },
  );
}

/** The checks a JSON schema cannot make; throws a 400 (413 for a PDF over the limit) naming the field. */
function parseSignatureRequest(body: unknown, now: Date): SignatureRequestInput {
  const parsed = bodyValidator.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new HttpError(400, `invalid signature request: ${problems.join('; ')}`);
  }
  const { sageDocument, document, signers, name, language, expiresAt } = parsed.data;
  return {
    sageDocument,
    document: { name: document.name, content: decodePdf(document.contentBase64) },
    signers: signers.map((signer) => ({
      email: signer.email,
      ...(signer.fullName !== undefined ? { fullName: signer.fullName } : {}),
      ...(signer.phone !== undefined ? { phone: signer.phone } : {}),
    })),
    ...(name !== undefined ? { name } : {}),
    language,
    ...(expiresAt !== undefined ? { expiresAt: checkExpiry(expiresAt, now) } : {}),
  };
}

function decodePdf(contentBase64: string): Uint8Array {
  // Line breaks are common in base64 produced by mail and shell tools.
  const compact = /\s/.test(contentBase64) ? contentBase64.replace(/\s+/g, '') : contentBase64;
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    throw new HttpError(400, 'invalid signature request: document.contentBase64 is not valid base64');
  }
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const size = (compact.length / 4) * 3 - padding;
  if (size > MAX_PDF_BYTES) {
    throw new HttpError(413, `document is ${(size / 1024 / 1024).toFixed(1)} MB; at most ${MAX_PDF_BYTES / 1024 / 1024} MB`);
  }
  const content = Buffer.from(compact, 'base64');
  if (content.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new HttpError(400, 'invalid signature request: document.contentBase64 is not a PDF (it must start with %PDF-)');
  }
  return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
}

function checkExpiry(expiresAt: string, now: Date): string {
  const time = Date.parse(expiresAt);
  // Without an offset the instant would depend on the server's time zone.
  if (Number.isNaN(time) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(expiresAt)) {
    throw new HttpError(400, 'invalid signature request: expiresAt must be an ISO-8601 date with a time zone');
  }
  if (time <= now.getTime()) throw new HttpError(400, 'invalid signature request: expiresAt is in the past');
  if (time > now.getTime() + MAX_EXPIRY_DAYS * 24 * 60 * 60_000) {
    throw new HttpError(400, `invalid signature request: expiresAt is more than ${MAX_EXPIRY_DAYS} days ahead`);
  }
  return new Date(time).toISOString();
}

function formatPath(path: PropertyKey[]): string {
  return (
    path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}${text ? '.' : ''}${String(part)}`), '') ||
    'body'
  );
}
