/** Sends a Sage quote for signature through the API, as a client of this product would. */
import assert from 'node:assert/strict';
import type { TestStack } from './start-test-stack';

export const QUOTE_PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

export async function sendQuote(stack: TestStack, number: string, signers: Array<{ email: string; fullName?: string }>) {
  stack.world?.sage.seedDocument({ type: 'devis', number, status: 'en_cours' });
  const sent = await stack.api('POST', '/api/signature-requests', {
    sageDocument: { type: 'devis', number },
    document: { name: `devis-${number}.pdf`, contentBase64: QUOTE_PDF.toString('base64') },
    signers,
  });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  return sent.body as { transactionId: string; workflowId: string; status: string };
}
