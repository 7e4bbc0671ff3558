/** Driving the product from the benchmark: starting workflows as the API does, waiting on the database, webhook requests. */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { buildSignatureWorkflowStart } from '../../workflows/build-signature-workflow-start';
import type { SignatureTransactionInput } from '../../workflows/messages';
import type { OpenTransaction } from './context';
import type { LoadRequest } from './http-load';

/** Runs `work` over `items`, `concurrency` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

/** Starts each transaction's workflow with the options the send workflow and the webhook path use (one builder). */
export async function startTransactionWorkflows(
  client: Client,
  taskQueue: string,
  transactions: readonly OpenTransaction[],
  input: (transaction: OpenTransaction) => Partial<SignatureTransactionInput> = () => ({}),
): Promise<void> {
  await forEachLimited(transactions, 32, async (transaction) => {
    const sageDocument = { type: 'devis', number: transaction.sageNumber };
    const start = buildSignatureWorkflowStart({ transactionId: transaction.id, sageDocument, taskQueue });
    const [defaults] = start.options.args;
    await client.workflow.start(start.workflowType, { ...start.options, args: [{ ...defaults, ...input(transaction) }] });
  });
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}

export interface SignedEvent {
  eventId: string;
  body: string;
  signature: string;
  transactionId: string;
}

export function webhookRequest(event: SignedEvent): LoadRequest {
  return {
    method: 'POST',
    path: '/webhooks/universign',
    headers: { 'content-type': 'application/json', 'x-jws-signature': event.signature },
    body: Buffer.from(event.body, 'base64'),
  };
}
