/**
 * Sends a Sage document for signature: Universign upload, transaction, document, one signature
 * field and signature per signer, participants' details, start; then the transaction's workflow.
 * Every step is recorded on a SignatureRequest row as soon as it succeeds, so a retry with the same
 * Idempotency-Key resumes after the last recorded step instead of creating a second transaction.
 * The PDF only goes to Universign: never into the database, the workflow input or the logs.
 */
import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { FastifyBaseLogger } from 'fastify';
import type { SageDocumentRef } from '../activities/sync-contracts';
import type { UniversignJson } from '../activities/universign-client';
import { UniversignAuthError, UniversignError, UniversignUnavailableError } from '../activities/universign-errors';
import { Prisma, type SignatureRequest } from '../prisma/generated/client';
import { SIGNATURE_WORKFLOW_TYPE, type SignatureTransactionInput, signatureWorkflowId } from '../workflows/messages';
import { sageDocumentMetadata } from '../workflows/sage-document-metadata';
import { SAGE_DOCUMENT_KEY, sageDocumentKeyword } from '../workflows/search-attributes';
import type { AppDeps } from './app-deps';
import { describeSignatureWorkflow } from './describe-signature-workflow';
import { HttpError } from './plugins/error-handler';

export interface SignatureRequestSigner {
  email: string;
  fullName?: string;
  /** E.164, e.g. `+33612345678`. */
  phone?: string;
}

/** A request already validated by the route (the PDF decoded and checked). */
export interface SignatureRequestInput {
  sageDocument: SageDocumentRef;
  document: { name: string; content: Uint8Array };
  signers: SignatureRequestSigner[];
  name?: string;
  language: string;
  /** ISO-8601 UTC. */
  expiresAt?: string;
}

export interface SignatureRequestResult {
  transactionId: string;
  workflowId: string;
  status: 'EN_COURS';
}

export interface SendSignatureRequestOptions {
  idempotencyKey?: string;
  log: FastifyBaseLogger;
}

// Refreshed at every recorded step: only a stalled attempt loses the request to a retry.
const LOCK_MS = 2 * 60_000;
// Universign keeps an uploaded file for 24 h; an hour of margin covers the steps still to come.
const FILE_REUSE_MS = 23 * 60 * 60_000;
// The caller is waiting for the answer; a 503 tells it to come back with the same key.
const TEMPORAL_DEADLINE_MS = 5_000;
const REQUEST_ID_METADATA_KEY = 'requestId';

/** Per-signer steps, keyed by lower-cased e-mail. */
interface SignerProgress {
  fieldId?: string;
  signed?: boolean;
  participant?: boolean;
}

interface Progress {
  fileUploadedAt?: string;
  signers: Record<string, SignerProgress>;
  started?: boolean;
}

/** A Universign or Temporal call that failed, with the step it was for (named in the answer). */
class StepError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepError';
  }
}

export async function sendSignatureRequest(
  deps: AppDeps,
  input: SignatureRequestInput,
  options: SendSignatureRequestOptions,
): Promise<{ result: SignatureRequestResult; replayed: boolean }> {
  const { prisma, universign, temporal, settings } = deps;
  const log = options.log;
  const hash = requestHash(input);
  const acquired = await acquire();
  if (acquired.kind === 'replay') return { result: acquired.result, replayed: true };

  const row = acquired.row;
  let lock = acquired.lock;
  let fileId = row.fileId;
  let transactionId = row.transactionId;
  let documentId = row.documentId;
  const progress = readProgress(row.progress);
  const resuming = transactionId !== null || fileId !== null;
  log.info({ requestId: row.id, sageDocument: input.sageDocument, signers: input.signers.length, resuming }, 'sending signature request');

  try {
    await sendOnUniversign();
    const workflowId = await startWorkflow(required(transactionId));
    // Unfenced: whichever attempt gets here has the same transaction and workflow to report.
    await prisma.signatureRequest.update({
      where: { id: row.id },
      data: { state: 'sent', workflowId, lockedUntil: null, lastError: null, progress: toJson(progress) },
    });
    log.info({ requestId: row.id, transactionId, workflowId }, 'signature request sent');
    return { result: { transactionId: required(transactionId), workflowId, status: 'EN_COURS' }, replayed: false };
  } catch (err) {
    const httpError = toHttpError(err, row.id, transactionId, options.idempotencyKey !== undefined);
    log.warn({ requestId: row.id, transactionId, err: err instanceof Error ? err.message : String(err) }, 'signature request failed');
    await prisma.signatureRequest
      .updateMany({ where: { id: row.id, lockedUntil: lock }, data: { lockedUntil: null, lastError: httpError.message } })
      .catch((releaseErr: unknown) => log.error({ requestId: row.id, err: releaseErr }, 'cannot release signature request lock'));
    throw httpError;
  }

  /** Finds, creates or takes over the request's row; answers the first result for a finished one. */
  async function acquire(): Promise<
    { kind: 'replay'; result: SignatureRequestResult } | { kind: 'owned'; row: SignatureRequest; lock: Date }
  > {
    const now = new Date();
    const lockedUntil = new Date(now.getTime() + LOCK_MS);
    const fresh = {
      requestHash: hash,
      sageDocumentType: input.sageDocument.type,
      sageDocumentNumber: input.sageDocument.number,
      lockedUntil,
    };
    const key = options.idempotencyKey;
    if (key === undefined) {
      return { kind: 'owned', row: await prisma.signatureRequest.create({ data: fresh }), lock: lockedUntil };
    }
    let existing = await prisma.signatureRequest.findUnique({ where: { idempotencyKey: key } });
    if (!existing) {
      try {
        const created = await prisma.signatureRequest.create({ data: { ...fresh, idempotencyKey: key } });
        return { kind: 'owned', row: created, lock: lockedUntil };
      } catch (err) {
        // Another attempt with the same key created it first: judge that row like any other.
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
        existing = await prisma.signatureRequest.findUnique({ where: { idempotencyKey: key } });
        if (!existing) throw err;
      }
    }
    if (existing.requestHash !== hash) {
      throw new HttpError(422, 'this Idempotency-Key was already used with a different request body; use a new key for a new request', {
        requestId: existing.id,
      });
    }
    const replay = replayOf(existing);
    if (replay) return { kind: 'replay', result: replay };
    if (existing.lockedUntil && existing.lockedUntil > now) throw inProgress(existing.id);
    // Conditional update: of two retries arriving together, exactly one takes the lock.
    const taken = await prisma.signatureRequest.updateMany({
      where: { id: existing.id, state: 'pending', OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
      data: { lockedUntil },
    });
    if (taken.count === 0) {
      const current = await prisma.signatureRequest.findUnique({ where: { id: existing.id } });
      const finished = current && replayOf(current);
      if (finished) return { kind: 'replay', result: finished };
      throw inProgress(existing.id);
    }
    return { kind: 'owned', row: existing, lock: lockedUntil };
  }

  /** Records what just succeeded and extends the lock; fenced on the lock this attempt holds. */
  async function record(data: Prisma.SignatureRequestUpdateManyMutationInput = {}): Promise<void> {
    const next = new Date(Date.now() + LOCK_MS);
    const updated = await prisma.signatureRequest.updateMany({
      where: { id: row.id, lockedUntil: lock },
      data: { ...data, progress: toJson(progress), lockedUntil: next },
    });
    if (updated.count === 0) {
      throw new HttpError(409, 'another attempt took over this signature request; retry with the same Idempotency-Key', {
        requestId: row.id,
      });
    }
    lock = next;
  }

  async function step<T>(name: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw new StepError(name, err);
    }
  }

  function signerProgress(email: string): SignerProgress {
    const key = email.toLowerCase();
    progress.signers[key] ??= {};
    return progress.signers[key];
  }

  async function sendOnUniversign(): Promise<void> {
    if (progress.started) return;
    // A previous attempt may have done a step without recording it: ask Universign what it has.
    if (transactionId !== null) {
      const txId = transactionId;
      const remote = await step('read the transaction', () => universign.getTransaction(txId));
      adoptRemoteState(remote);
      await record({ documentId });
      if (progress.started) return;
    }

    if (documentId === null) {
      const uploadedAt = progress.fileUploadedAt ? Date.parse(progress.fileUploadedAt) : Number.NaN;
      if (fileId === null || !(Date.now() - uploadedAt < FILE_REUSE_MS)) {
        const file = await step('upload the PDF', () =>
          universign.uploadFile({ name: input.document.name, content: input.document.content, contentType: 'application/pdf' }),
        );
        fileId = file.id;
        progress.fileUploadedAt = new Date().toISOString();
        await record({ fileId });
      }
    }

    if (transactionId === null) {
      const created = await step('create the transaction', () =>
        universign.createTransaction({
          name: input.name ?? defaultTransactionName(input.sageDocument),
          language: input.language,
          ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
          // The request id lets an operator tie a transaction to its request, even one never recorded.
          metadata: { ...sageDocumentMetadata(input.sageDocument), [REQUEST_ID_METADATA_KEY]: row.id },
        }),
      );
      transactionId = created.id;
      await record({ transactionId });
    }
    const txId = transactionId;

    if (documentId === null) {
      const file = required(fileId);
      const document = await step('add the document', () => universign.addDocument(txId, file, input.document.name));
      documentId = document.id;
      await record({ documentId });
    }
    const docId = documentId;

    for (const signer of input.signers) {
      const signerState = signerProgress(signer.email);
      if (signerState.signed) continue;
      if (!signerState.fieldId) {
        const field = await step(`add the signature field of ${signer.email}`, () => universign.addSignatureField(txId, docId));
        signerState.fieldId = field.id;
        await record();
      }
      const fieldId = signerState.fieldId;
      await step(`add the signature of ${signer.email}`, () => universign.addSignature(txId, { signer: signer.email, field: fieldId }));
      signerState.signed = true;
      await record();
    }

    for (const signer of input.signers) {
      if (signer.fullName === undefined && signer.phone === undefined) continue;
      const signerState = signerProgress(signer.email);
      if (signerState.participant) continue;
      await step(`set the details of participant ${signer.email}`, () =>
        universign.upsertParticipant(txId, {
          email: signer.email,
          ...(signer.fullName !== undefined ? { fullName: signer.fullName } : {}),
          ...(signer.phone !== undefined ? { phoneNumber: signer.phone } : {}),
        }),
      );
      signerState.participant = true;
      await record();
    }

    await step('start the transaction', () => universign.startTransaction(txId));
    progress.started = true;
    await record();
  }

  /** Marks as done what the transaction on Universign already shows. */
  function adoptRemoteState(remote: UniversignJson): void {
    if (typeof remote.state === 'string' && remote.state !== 'draft') {
      progress.started = true;
      return;
    }
    const documents = objects(remote.documents);
    if (documentId === null) {
      const found = documents.find((doc) => doc.name === input.document.name) ?? documents[0];
      if (typeof found?.id === 'string') documentId = found.id;
    }
    const participants = new Map(
      objects(remote.participants)
        .filter((each): each is UniversignJson & { email: string } => typeof each.email === 'string')
        .map((each) => [each.email.toLowerCase(), each]),
    );
    for (const signer of input.signers) {
      const present = participants.get(signer.email.toLowerCase());
      if (!present) continue;
      const signerState = signerProgress(signer.email);
      // Participants' details are set only once every signature is recorded, so before that a
      // participant on the transaction exists because its signature was added.
      signerState.signed = true;
      const sameName = signer.fullName === undefined || present.full_name === signer.fullName;
      const samePhone = signer.phone === undefined || present.phone_number === signer.phone;
      if (sameName && samePhone) signerState.participant = true;
    }
  }

  async function startWorkflow(txId: string): Promise<string> {
    const workflowId = signatureWorkflowId(txId);
    const workflowInput: SignatureTransactionInput = { transactionId: txId, sageDocument: input.sageDocument, poll: settings.poll };
    try {
      await temporal.connection.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () =>
        temporal.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: settings.taskQueue,
          args: [workflowInput],
          // Started already (a retry, or a webhook adopted it), or even finished: the job is done.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          staticSummary: describeSignatureWorkflow(txId, input.sageDocument),
          typedSearchAttributes: [{ key: SAGE_DOCUMENT_KEY, value: sageDocumentKeyword(input.sageDocument) }],
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw new StepError('start the workflow', err);
    }
    return workflowId;
  }
}

/** sha256 of the canonical JSON of the request; the PDF counts by its own sha256. */
function requestHash(input: SignatureRequestInput): string {
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

/** `Devis D0042` for `{type: 'devis', number: 'D0042'}`. */
function defaultTransactionName(document: SageDocumentRef): string {
  return `${document.type.charAt(0).toUpperCase()}${document.type.slice(1)} ${document.number}`;
}

function replayOf(row: SignatureRequest): SignatureRequestResult | null {
  if (row.state !== 'sent' || row.transactionId === null || row.workflowId === null) return null;
  return { transactionId: row.transactionId, workflowId: row.workflowId, status: 'EN_COURS' };
}

function inProgress(requestId: string): HttpError {
  return new HttpError(409, 'this signature request is in progress in another call; retry with the same Idempotency-Key shortly', {
    requestId,
  });
}

function toHttpError(err: unknown, requestId: string, transactionId: string | null, keyed: boolean): Error {
  if (err instanceof HttpError) return err;
  if (!(err instanceof StepError)) return err instanceof Error ? err : new Error(String(err));
  const extra = { requestId, step: err.step, ...(transactionId !== null ? { transactionId } : {}) };
  const retry = keyed
    ? 'retry with the same Idempotency-Key to resume'
    : 'send the request with an Idempotency-Key to make retries resume instead of starting over';
  const cause = err.cause;
  if (cause instanceof UniversignUnavailableError) {
    return new HttpError(503, `Universign is unavailable (could not ${err.step}: ${cause.message}); ${retry}`, extra);
  }
  if (cause instanceof UniversignAuthError) {
    // The status alone: an auth failure's body says nothing the operator needs and may say too much.
    return new HttpError(
      502,
      `Universign refused the API key (could not ${err.step}: HTTP ${cause.status ?? '?'}); check UNIVERSIGN_API_KEY`,
      extra,
    );
  }
  // Any other 4xx (or a 2xx Universign should not have sent): retrying as is will not help.
  if (cause instanceof UniversignError) {
    return new HttpError(502, `Universign refused to ${err.step}: ${cause.message}; fix the cause, then ${retry}`, extra);
  }
  if (err.step === 'start the workflow') {
    const message = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    return new HttpError(
      503,
      `the transaction is started on Universign but its workflow could not be started (Temporal: ${message}); ${retry}`,
      extra,
    );
  }
  return cause instanceof Error ? cause : err;
}

function readProgress(value: Prisma.JsonValue): Progress {
  const stored = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Partial<Progress>) : {};
  return {
    ...stored,
    signers: stored.signers && typeof stored.signers === 'object' ? { ...stored.signers } : {},
  };
}

function toJson(progress: Progress): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(progress)) as Prisma.InputJsonValue;
}

function objects(value: unknown): UniversignJson[] {
  return Array.isArray(value)
    ? value.filter((each): each is UniversignJson => typeof each === 'object' && each !== null && !Array.isArray(each))
    : [];
}

function required(value: string | null): string {
  if (value === null) throw new Error('signature request step recorded out of order');
  return value;
}
