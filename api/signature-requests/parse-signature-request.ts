/**
 * The meaning of a POST /api/signature-requests body, past its schema (signature-request-schemas.ts,
 * which checks every field's type and form): the PDF (base64, decoded size, magic bytes) and the
 * expiry against now. Throws a domain error naming the field; nothing is sent before it passes.
 */
import type { SageDocumentRef } from '../../activities/sync-contracts';
import type { SendSigner } from '../../workflows/send-messages';
import { DocumentTooLargeError, InvalidSignatureRequestError } from '../domain-errors';
import { MAX_EXPIRY_DAYS, MAX_PDF_BYTES, type SignatureRequestBody } from './signature-request-schemas';

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

/** The checks a schema cannot make; throws InvalidSignatureRequestError (DocumentTooLargeError for a PDF over the limit). */
export function parseSignatureRequest(body: SignatureRequestBody, now: Date): SignatureRequestInput {
  const { sageDocument, document, signers, name, language, expiresAt } = body;
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
    throw new InvalidSignatureRequestError('invalid signature request: document.contentBase64 is not valid base64');
  }
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const size = (compact.length / 4) * 3 - padding;
  if (size > MAX_PDF_BYTES) {
    throw new DocumentTooLargeError(`document is ${(size / 1024 / 1024).toFixed(1)} MB; at most ${MAX_PDF_BYTES / 1024 / 1024} MB`);
  }
  const content = Buffer.from(compact, 'base64');
  if (content.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new InvalidSignatureRequestError('invalid signature request: document.contentBase64 is not a PDF (it must start with %PDF-)');
  }
  return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
}

function checkExpiry(expiresAt: string, now: Date): string {
  const time = Date.parse(expiresAt);
  // Without an offset the instant would depend on the server's time zone.
  if (Number.isNaN(time) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(expiresAt)) {
    throw new InvalidSignatureRequestError('invalid signature request: expiresAt must be an ISO-8601 date with a time zone');
  }
  if (time <= now.getTime()) throw new InvalidSignatureRequestError('invalid signature request: expiresAt is in the past');
  if (time > now.getTime() + MAX_EXPIRY_DAYS * 24 * 60 * 60_000) {
    throw new InvalidSignatureRequestError(`invalid signature request: expiresAt is more than ${MAX_EXPIRY_DAYS} days ahead`);
  }
  return new Date(time).toISOString();
}
