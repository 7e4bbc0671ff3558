/**
 * Helpers of the signature-request integration tests: requests to the API, what the Universign
 * simulator received and holds, store faults, and checks on the send workflows.
 */
import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sendWorkflowId } from '../../api/signature-requests/identify-signature-request';
import { renderSimulatedPdf } from '../../simulators/render-simulated-pdf';
import type { SimulatedTransaction } from '../../simulators/simulated-transaction';
import type { SimulatorRequestLogEntry } from '../../simulators/universign-simulator-api-handler';
import { SimulatorError } from '../../simulators/universign-simulator-error';
import { TEST_API_TOKEN, type TestStack } from './start-test-stack';
import { waitUntil } from './wait-until';

export const PDF_BASE64 = Buffer.from(renderSimulatedPdf(['Devis for signature'])).toString('base64');

export interface Signer {
  email: string;
  fullName?: string;
  phone?: string;
}

type Store = TestStack['universign']['store'];
type PatchableOperation = 'start' | 'addDocument' | 'addSignature' | 'addField' | 'uploadFile';

export const serverError = () => new SimulatorError(500, 'internal_error', 'simulated crash');

/** Every byte string in a workflow history, decoded: payloads, memos, summaries. */
function historyBytes(value: unknown, found: string[] = []): string[] {
  if (value instanceof Uint8Array) found.push(Buffer.from(value).toString('latin1'));
  else if (Array.isArray(value)) for (const each of value) historyBytes(each, found);
  else if (value !== null && typeof value === 'object') for (const each of Object.values(value)) historyBytes(each, found);
  return found;
}

/** The helpers, bound to the test file's stack (`current` is read at each call: the stack starts in before()). */
export function signatureRequestHelpers(current: () => TestStack) {
  function requestBody(number: string, overrides: Record<string, unknown> = {}) {
    return {
      sageDocument: { type: 'devis', number },
      document: { name: `devis-${number}.pdf`, contentBase64: PDF_BASE64 },
      signers: [
        { email: 'alice@client.example', fullName: 'Alice Martin', phone: '+33 6 12 34 56 78' },
        { email: 'bob@client.example', fullName: 'Bob Durand' },
        { email: 'carol@client.example' },
      ] as Signer[],
      ...overrides,
    };
  }

  async function post(body: unknown, { key, token = TEST_API_TOKEN, raw }: { key?: string; token?: string | null; raw?: string } = {}) {
    const response = await fetch(`${current().apiUrl}/api/signature-requests`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: raw ?? JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  /** Simulator transactions sent for one Sage document number. */
  function transactionsFor(number: string): SimulatedTransaction[] {
    return current()
      .universign.store.list()
      .filter((tx) => tx.metadata.sageDocumentNumber === number);
  }

  /** Simulator requests that write (GETs are the running workflows' syncs). */
  function writeCount(): number {
    return current()
      .universign.requests()
      .filter((entry) => entry.method !== 'GET').length;
  }

  /** The simulator requests made while `work` ran, GETs (the workflows' syncs) left out. */
  async function writesDuring<T>(work: () => Promise<T>): Promise<{ result: T; writes: SimulatorRequestLogEntry[] }> {
    const start = current().universign.requests().length;
    const result = await work();
    const writes = current()
      .universign.requests()
      .slice(start)
      .filter((entry) => entry.method !== 'GET');
    return { result, writes };
  }

  /** Waits for the transaction's workflow to record its first sync (EN_COURS). */
  async function recordedInProgress(transactionId: string): Promise<void> {
    await waitUntil(
      async () =>
        (await current().db.prisma.signatureTransaction.findUnique({ where: { universignId: transactionId } }))?.status === 'EN_COURS',
      `the workflow of ${transactionId} recording EN_COURS`,
    );
  }

  /** The send workflow's id for an Idempotency-Key (readable keys are used as they are). */
  const sendId = (key: string) => `send-key-${key}`;

  function getRequest(requestId: string) {
    return current().api('GET', `/api/signature-requests/${requestId}`);
  }

  /** No byte string of the workflow's history holds the PDF (raw or base64). */
  async function assertNoPdfInHistory(workflowId: string): Promise<void> {
    const history = await current().env.client.workflow.getHandle(workflowId).fetchHistory();
    const bytes = historyBytes(history);
    assert.ok(bytes.length > 0);
    for (const each of bytes) {
      assert.ok(!each.includes('%PDF-') && !each.includes(PDF_BASE64.slice(0, 40)), `no PDF in the history of ${workflowId}`);
    }
    assert.ok(!JSON.stringify(history).includes(PDF_BASE64.slice(0, 40)), `no base64 PDF in the history JSON of ${workflowId}`);
  }

  /** Swaps a simulator store operation (the HTTP router calls the store) until `restore` is called. */
  function patchStore<K extends PatchableOperation>(name: K, make: (original: Store[K], restore: () => void) => Store[K]): void {
    const store = current().universign.store;
    const original = store[name].bind(store) as Store[K];
    const restore = () => void Reflect.deleteProperty(store, name);
    (store as unknown as Record<string, unknown>)[name] = make(original, restore);
  }

  async function assertNoSendWorkflow(key: string): Promise<void> {
    await assert.rejects(
      current().env.client.workflow.getHandle(sendWorkflowId(key)).describe(),
      WorkflowNotFoundError,
      `no send workflow for ${key}`,
    );
  }

  /** A store operation that answers 500 the next `times` calls, having done the work when `done` (a lost answer). */
  function failNext(name: 'start' | 'addSignature' | 'addDocument', times: number, { done = false } = {}): void {
    let left = times;
    patchStore(
      name,
      (original, restore) =>
        ((...args: unknown[]) => {
          left -= 1;
          if (left <= 0) restore();
          if (done) (original as (...each: unknown[]) => unknown)(...args);
          throw serverError();
        }) as never,
    );
  }

  return {
    requestBody,
    post,
    transactionsFor,
    writeCount,
    writesDuring,
    recordedInProgress,
    sendId,
    getRequest,
    assertNoPdfInHistory,
    patchStore,
    assertNoSendWorkflow,
    failNext,
  };
}
