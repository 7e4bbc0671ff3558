/**
 * The in-memory Universign v1 API: uploaded files and transactions, and the operations the API
 * routes call (upload, create, add documents, fields, signatures and participants, start, cancel,
 * download), with the state rules of shared/universign-api.md. Every change is reported to
 * onTransactionChanged. The test controls are added on top by universign-simulator-store.ts.
 */

import { evidencePdfFor, signedPdfFor } from './simulated-archive-pdfs';
import type {
  CreateTransactionFields,
  SimulatedAction,
  SimulatedDocument,
  SimulatedField,
  SimulatedFile,
  SimulatedParticipant,
  SimulatedTransaction,
} from './simulated-transaction';
import {
  type ActionJson,
  actionToJson,
  type SimulatedEventType,
  type TransactionChangedHook,
  type TransactionJson,
  transactionToJson,
} from './simulated-transaction-json';
import {
  DEFAULT_EXPIRY_MS,
  EMAIL_PATTERN,
  ensureParticipant,
  FILE_LIFETIME_MS,
  findDocument,
  generateId,
  MAX_DOCUMENTS,
  openActions,
  startsWithPdfMagic,
  validateFieldPosition,
  validateFutureDate,
  validateMetadata,
  withoutContent,
} from './simulated-transaction-rules';
import { invalid, invalidState, SimulatorError } from './universign-simulator-error';

export interface UniversignSimulatorStoreOptions {
  clock?: () => Date;
  /** Personal signing link of an action (`actions[].url`). */
  signingUrl: (actionId: string) => string;
  onTransactionChanged?: TransactionChangedHook;
}

export class SimulatedUniversignApi {
  protected readonly files = new Map<string, SimulatedFile & { content: Uint8Array }>();
  protected readonly transactions = new Map<string, SimulatedTransaction>();
  protected readonly clock: () => Date;

  constructor(protected readonly options: UniversignSimulatorStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  protected now(): string {
    return this.clock().toISOString();
  }

  // ---- v1 API operations -------------------------------------------------------------------

  uploadFile(name: string, contentType: string, content: Uint8Array): SimulatedFile {
    if (content.byteLength === 0) throw invalid('file is empty');
    if (content.byteLength > 25 * 1024 * 1024) throw invalid('file exceeds 25 MB');
    const file = { id: generateId('file'), name, contentType, size: content.byteLength, createdAt: this.now(), content };
    this.files.set(file.id, file);
    return withoutContent(file);
  }

  createTransaction(fields: CreateTransactionFields): SimulatedTransaction {
    const metadata = validateMetadata(fields.metadata ?? {});
    if (fields.expiresAt !== undefined) validateFutureDate(fields.expiresAt, 'expires_at', this.clock());
    if (fields.durationMinutes !== undefined && !(Number.isInteger(fields.durationMinutes) && fields.durationMinutes > 0)) {
      throw invalid('duration must be a positive number of minutes');
    }
    const transaction: SimulatedTransaction = {
      id: generateId('tx'),
      name: fields.name ?? null,
      language: fields.language ?? 'fr',
      state: 'draft',
      stalled: false,
      stalledReason: null,
      createdAt: this.now(),
      startedAt: null,
      expiresAt: fields.expiresAt === undefined ? null : new Date(fields.expiresAt).toISOString(),
      completedAt: null,
      cancelledAt: null,
      durationMinutes: fields.durationMinutes ?? null,
      metadata,
      documents: [],
      signatures: [],
      participants: [],
      actions: [],
      failure: null,
    };
    this.transactions.set(transaction.id, transaction);
    this.emit(transaction, 'transaction.lifecycle.created');
    return transaction;
  }

  addDocument(transactionId: string, fileId: string, name?: string): SimulatedDocument {
    const transaction = this.editableDraft(transactionId);
    const file = this.files.get(fileId);
    if (!file || this.clock().getTime() - Date.parse(file.createdAt) > FILE_LIFETIME_MS) {
      throw invalid(`document ${fileId} is not an uploaded file (or is older than 24 h)`);
    }
    if (!startsWithPdfMagic(file.content)) throw invalid(`file ${fileId} is not a PDF`);
    if (transaction.documents.length >= MAX_DOCUMENTS) throw invalid(`at most ${MAX_DOCUMENTS} documents`);
    const document: SimulatedDocument = { id: generateId('doc'), name: name ?? file.name, fileId, fields: [] };
    transaction.documents.push(document);
    return document;
  }

  addField(transactionId: string, documentId: string, input: { type: string; page?: number; x?: number; y?: number }): SimulatedField {
    const transaction = this.editableDraft(transactionId);
    const document = findDocument(transaction, documentId);
    if (input.type !== 'signature') throw invalid(`field type ${input.type} is not supported`);
    validateFieldPosition(input);
    const field: SimulatedField = {
      id: generateId('fld'),
      type: 'signature',
      page: input.page ?? null,
      x: input.x ?? null,
      y: input.y ?? null,
    };
    document.fields.push(field);
    return field;
  }

  addSignature(transactionId: string, signer: string, fieldId: string): { signer: string; field: string } {
    const transaction = this.editableDraft(transactionId);
    if (!EMAIL_PATTERN.test(signer)) throw invalid('signer must be an e-mail address');
    if (!transaction.documents.some((doc) => doc.fields.some((field) => field.id === fieldId))) {
      throw invalid(`field ${fieldId} does not belong to this transaction`);
    }
    if (transaction.signatures.some((signature) => signature.field === fieldId)) {
      throw invalid(`field ${fieldId} already has a signer`);
    }
    // A signature alone creates the participant.
    ensureParticipant(transaction, signer);
    const signature = { signer, field: fieldId };
    transaction.signatures.push(signature);
    return signature;
  }

  upsertParticipant(
    transactionId: string,
    input: { email: string; fullName?: string; phoneNumber?: string; minSignatureLevel?: string },
  ): SimulatedParticipant {
    const transaction = this.editableDraft(transactionId);
    if (!EMAIL_PATTERN.test(input.email)) throw invalid('email must be an e-mail address');
    if (input.minSignatureLevel !== undefined && !/^level[1-3]$/.test(input.minSignatureLevel)) {
      throw invalid('min_signature_level must be level1, level2 or level3');
    }
    const participant = ensureParticipant(transaction, input.email);
    if (input.fullName !== undefined) participant.fullName = input.fullName;
    if (input.phoneNumber !== undefined) participant.phoneNumber = input.phoneNumber;
    if (input.minSignatureLevel !== undefined) participant.minSignatureLevel = input.minSignatureLevel;
    return participant;
  }

  start(transactionId: string): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'draft') throw invalidState(transaction, 'only a draft can be started');
    if (transaction.signatures.length === 0) throw invalid('a transaction needs at least one signature to start');
    const now = this.clock();
    const expiresAt =
      transaction.expiresAt ??
      new Date(now.getTime() + (transaction.durationMinutes ? transaction.durationMinutes * 60_000 : DEFAULT_EXPIRY_MS)).toISOString();
    if (Date.parse(expiresAt) <= now.getTime()) throw invalid('expires_at is in the past');
    transaction.state = 'started';
    transaction.startedAt = now.toISOString();
    transaction.expiresAt = expiresAt;
    transaction.actions = openActions(transaction, this.now());
    this.emit(transaction, 'transaction.lifecycle.started');
    for (const action of transaction.actions) this.emit(transaction, 'action.opened', action);
    return transaction;
  }

  cancel(transactionId: string): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'started' && transaction.state !== 'paused') {
      throw invalidState(transaction, 'only a started or paused transaction can be cancelled');
    }
    transaction.state = 'cancelled';
    transaction.cancelledAt = this.now();
    this.emit(transaction, 'transaction.lifecycle.cancelled');
    return transaction;
  }

  /** Signed PDF of one document: only once the transaction is completed. Deterministic per document id. */
  signedDocument(transactionId: string, documentId: string): Uint8Array {
    const transaction = this.get(transactionId);
    const document = findDocument(transaction, documentId);
    if (transaction.state !== 'completed') throw invalidState(transaction, 'documents are archived once completed');
    return signedPdfFor(document.id);
  }

  /** Requester attestation (evidence) PDF: only once the transaction is completed. */
  evidence(transactionId: string): Uint8Array {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'completed') throw invalidState(transaction, 'evidence exists once completed');
    return evidencePdfFor(transaction.id);
  }

  get(transactionId: string): SimulatedTransaction {
    const transaction = this.transactions.get(transactionId);
    if (!transaction) throw new SimulatorError(404, 'not_found', `transaction ${transactionId} not found`);
    return transaction;
  }

  has(transactionId: string): boolean {
    return this.transactions.has(transactionId);
  }

  list(): SimulatedTransaction[] {
    return [...this.transactions.values()];
  }

  /** The transaction as GET /v1/transactions/{id} returns it. */
  toJson(transaction: SimulatedTransaction): TransactionJson {
    return transactionToJson(transaction, this.options.signingUrl);
  }

  actionJson(transaction: SimulatedTransaction, action: SimulatedAction): ActionJson {
    return actionToJson(transaction, action, this.options.signingUrl);
  }

  // ---- internals ---------------------------------------------------------------------------

  protected editableDraft(transactionId: string): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'draft') throw invalidState(transaction, 'only a draft can be edited');
    return transaction;
  }

  protected emit(transaction: SimulatedTransaction, eventType: SimulatedEventType, action?: SimulatedAction): void {
    const hook = this.options.onTransactionChanged;
    if (!hook) return;
    const report = (err: unknown) => console.error(`universign simulator: onTransactionChanged(${eventType}) failed`, err);
    try {
      const result = hook(this.toJson(transaction), eventType, action ? this.actionJson(transaction, action) : undefined);
      if (result instanceof Promise) result.catch(report);
    } catch (err) {
      report(err);
    }
  }
}
