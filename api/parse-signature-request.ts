/**
 * The meaning of a POST /api/signature-requests body, beyond the shape its JSON schema checks:
 * zod for the fields, then the PDF (base64, size, magic bytes) and the expiry date. Throws a 400
 * (413 for a PDF over the limit) naming the field; nothing is sent before it passes.
 */
import { z } from 'zod';
import type { SageDocumentRef } from '../activities/sync-contracts';
import type { SendSigner } from '../workflows/send-messages';
import { HttpError } from './plugins/error-handler';

export const SIGNATURE_LANGUAGES = ['fr', 'en', 'de', 'es', 'it', 'nl'] as const;
export const MAX_PDF_BYTES = 20 * 1024 * 1024;
export const MAX_SIGNERS = 50;
export const MAX_EXPIRY_DAYS = 90;
export const SAGE_FIELD_MAX = 50;
// E.164: a plus, a country code not starting with 0, at most 15 digits in all.
const E164 = /^\+[1-9]\d{6,14}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A request validated (the PDF decoded and checked). */
export interface SignatureRequestInput {
  sageDocument: SageDocumentRef;
  document: { name: string; content: Uint8Array };
  signers: SendSigner[];
  name?: string;
  language: string;
  /** ISO-8601 UTC. */
  expiresAt?: string;
}

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

/** The checks a JSON schema cannot make; throws a 400 (413 for a PDF over the limit) naming the field. */
export function parseSignatureRequest(body: unknown, now: Date): SignatureRequestInput {
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
