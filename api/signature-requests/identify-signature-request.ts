/**
 * A send request's identity: its workflow id, derived from the Idempotency-Key (a fresh one
 * without), which is also the request's id in the API; and the hash of its body, kept in the
 * workflow's memo so the same key with another body is refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SignatureRequestInput } from './parse-signature-request';

/** Keys used as they are in the id; any other (spaces, slashes, very long) is hashed. */
const READABLE_KEY = /^[A-Za-z0-9._:-]{1,100}$/;
export const SEND_WORKFLOW_ID = /^send-(?:key-[A-Za-z0-9._:-]{1,100}|keyhash-[0-9a-f]{64}|[0-9a-f-]{36})$/;

export function sendWorkflowId(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return `send-${randomUUID()}`;
  return READABLE_KEY.test(idempotencyKey) ? `send-key-${idempotencyKey}` : `send-keyhash-${sha256(idempotencyKey)}`;
}

/** sha256 of the canonical JSON of the request; the PDF counts by its own sha256. */
export function hashSignatureRequest(input: SignatureRequestInput): string {
  return sha256(
    canonicalJson({
      sageDocument: input.sageDocument,
      document: { name: input.document.name, sha256: sha256(input.document.content) },
      signers: input.signers.map((signer) => ({ email: signer.email, fullName: signer.fullName ?? null, phone: signer.phone ?? null })),
      name: input.name ?? null,
      language: input.language,
      expiresAt: input.expiresAt ?? null,
    }),
  );
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, each]) => `${JSON.stringify(key)}:${canonicalJson(each)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
