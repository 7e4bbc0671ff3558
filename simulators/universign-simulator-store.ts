/**
 * In-memory state of the Universign simulator: files, transactions and the state rules of the v1
 * API (see shared/universign-api.md), plus the test controls (sign, refuse, expire, force a state,
 * inject failures). No HTTP here: the router in universign-simulator.ts maps requests onto it.
 */
import { randomBytes } from 'node:crypto';
import { renderSimulatedPdf } from './render-simulated-pdf';

/** Universign states, plus whatever a test forces (an unknown future state). */
export type SimulatedTransactionState = 'draft' | 'started' | 'paused' | 'completed' | 'cancelled' | 'expired';
export type SimulatedSignerState = 'open' | 'completed' | 'refused';

export interface SimulatedFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  createdAt: string;
}

export interface SimulatedField {
  id: string;
  type: 'signature';
  page: number | null;
  x: number | null;
  y: number | null;
}

export interface SimulatedDocument {
  id: string;
  name: string;
  fileId: string;
  fields: SimulatedField[];
}

export interface SimulatedParticipant {
  email: string;
  fullName: string | null;
  phoneNumber: string | null;
  minSignatureLevel: string;
  state: SimulatedSignerState;
}

export interface SimulatedTask {
  type: 'signature';
  field: string;
  state: 'todo' | 'done' | 'refused';
}

export interface SimulatedAction {
  id: string;
  actor: string;
  state: SimulatedSignerState;
  startedAt: string;
  completedAt: string | null;
  tasks: SimulatedTask[];
}

export interface SimulatedTransaction {
  id: string;
  name: string | null;
  language: string;
  state: string;
  stalled: boolean;
  stalledReason: string | null;
  createdAt: string;
  startedAt: string | null;
  expiresAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  /** `duration` given at creation (minutes), applied at start when no `expires_at` was given. */
  durationMinutes: number | null;
  metadata: Record<string, string>;
  documents: SimulatedDocument[];
  signatures: Array<{ signer: string; field: string }>;
  participants: SimulatedParticipant[];
  actions: SimulatedAction[];
  /** Injected failure: the next `remaining` API calls about this transaction answer `status`. */
  failure: { status: number; remaining: number } | null;
}

/** Universign webhook event types the simulator reports through onTransactionChanged. */
export type SimulatedEventType =
  | 'transaction.lifecycle.created'
  | 'transaction.lifecycle.started'
  | 'transaction.lifecycle.paused'
  | 'transaction.lifecycle.cancelled'
  | 'transaction.lifecycle.expired'
  | 'transaction.lifecycle.completed'
  | 'action.opened'
  | 'action.closed'
  | 'action.stalled';

/** The wire shape of GET /v1/transactions/{id}. */
export type TransactionJson = Record<string, unknown> & { object: 'transaction'; id: string; state: string };
export type ActionJson = Record<string, unknown> & { object: 'action'; id: string; actor: string };

/** Called after every change, with the transaction as the API would now return it. */
export type TransactionChangedHook = (
  transaction: TransactionJson,
  eventType: SimulatedEventType,
  action?: ActionJson,
) => void | Promise<void>;

/** A refusal by the simulated API or control; the router turns it into an HTTP answer. */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

export interface CreateTransactionFields {
  name?: string;
  language?: string;
  expiresAt?: string;
  durationMinutes?: number;
  metadata?: Record<string, string>;
}

export interface SimulatedSignerInput {
  email: string;
  fullName?: string;
  phoneNumber?: string;
}

/** Control input: a transaction built in one go, already in the wanted state. */
export interface CreateSimulatedTransactionInput {
  /** Default `started`. */
  state?: string;
  name?: string;
  language?: string;
  metadata?: Record<string, string>;
  expiresAt?: string;
  signers?: SimulatedSignerInput[];
  /** Document names; default one `document.pdf`. Each signer gets a signature field on each. */
  documents?: string[];
  stalled?: boolean;
  stalledReason?: string | null;
}

export interface ForceStateInput {
  state: string;
  stalled?: boolean;
  stalledReason?: string | null;
}

export interface UniversignSimulatorStoreOptions {
  clock?: () => Date;
  /** Personal signing link of an action (`actions[].url`). */
  signingUrl: (actionId: string) => string;
  onTransactionChanged?: TransactionChangedHook;
}

const FILE_LIFETIME_MS = 24 * 60 * 60 * 1000;
const DEFAULT_EXPIRY_MS = 14 * 24 * 60 * 60 * 1000;
const MAX_DOCUMENTS = 20;
const MAX_PARTICIPANTS = 50;
const MAX_METADATA_ENTRIES = 15;
const MAX_METADATA_KEY = 20;
const MAX_METADATA_VALUE = 200;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LIFECYCLE_EVENTS: Record<string, SimulatedEventType> = {
  started: 'transaction.lifecycle.started',
  paused: 'transaction.lifecycle.paused',
  cancelled: 'transaction.lifecycle.cancelled',
  expired: 'transaction.lifecycle.expired',
  completed: 'transaction.lifecycle.completed',
};

export function generateId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export class UniversignSimulatorStore {
  private readonly files = new Map<string, SimulatedFile & { content: Uint8Array }>();
  private readonly transactions = new Map<string, SimulatedTransaction>();
  private readonly clock: () => Date;

  constructor(private readonly options: UniversignSimulatorStoreOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  private now(): string {
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
    if (fields.expiresAt !== undefined) this.validateFutureDate(fields.expiresAt, 'expires_at');
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
    const document = this.document(transaction, documentId);
    if (input.type !== 'signature') throw invalid(`field type ${input.type} is not supported`);
    if (input.page !== undefined && !(Number.isInteger(input.page) && input.page >= 1)) throw invalid('page must be ≥ 1');
    for (const [key, value] of [
      ['x', input.x],
      ['y', input.y],
    ] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw invalid(`${key} must be an integer ≥ 0`);
    }
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
    this.ensureParticipant(transaction, signer);
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
    const participant = this.ensureParticipant(transaction, input.email);
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
    transaction.actions = this.openActions(transaction);
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
    const document = this.document(transaction, documentId);
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
    const signatureTasks = transaction.actions.flatMap((action) => action.tasks);
    const done = signatureTasks.filter((task) => task.state === 'done').length;
    return {
      object: 'transaction',
      id: transaction.id,
      name: transaction.name,
      language: transaction.language,
      state: transaction.state,
      stalled: transaction.stalled,
      stalled_reason: transaction.stalledReason,
      created_at: transaction.createdAt,
      started_at: transaction.startedAt,
      expires_at: transaction.expiresAt,
      ...(transaction.completedAt ? { completed_at: transaction.completedAt } : {}),
      ...(transaction.cancelledAt ? { cancelled_at: transaction.cancelledAt } : {}),
      metadata: { ...transaction.metadata },
      documents: transaction.documents.map((doc) => ({ object: 'document', id: doc.id, name: doc.name })),
      participants: transaction.participants.map((participant) => ({
        object: 'participant',
        email: participant.email,
        full_name: participant.fullName,
        phone_number: participant.phoneNumber,
        min_signature_level: participant.minSignatureLevel,
        state: participant.state,
      })),
      actions: transaction.actions.map((action) => this.actionJson(transaction, action)),
      progress_value: signatureTasks.length === 0 ? 0 : Math.round((done / signatureTasks.length) * 100),
    };
  }

  actionJson(transaction: SimulatedTransaction, action: SimulatedAction): ActionJson {
    return {
      object: 'action',
      id: action.id,
      transaction_id: transaction.id,
      actor: action.actor,
      state: action.state,
      started_at: action.startedAt,
      ...(action.completedAt ? { completed_at: action.completedAt } : {}),
      url: this.options.signingUrl(action.id),
      tasks: action.tasks.map((task) => ({ ...task })),
    };
  }

  // ---- test controls -----------------------------------------------------------------------

  /** Builds a transaction (documents, fields, signatures, participants) and moves it to `state`. */
  createDirect(input: CreateSimulatedTransactionInput): SimulatedTransaction {
    const state = input.state ?? 'started';
    const signers = input.signers ?? [];
    if (state !== 'draft' && signers.length === 0) throw invalid('a transaction past draft needs at least one signer');
    const transaction = this.createTransaction({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.language !== undefined ? { language: input.language } : {}),
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    });
    for (const documentName of input.documents ?? ['document.pdf']) {
      const file = this.uploadFile(documentName, 'application/pdf', renderSimulatedPdf([documentName]));
      const document = this.addDocument(transaction.id, file.id, documentName);
      for (const signer of signers) {
        const field = this.addField(transaction.id, document.id, { type: 'signature' });
        this.addSignature(transaction.id, signer.email, field.id);
      }
    }
    for (const signer of signers) {
      this.upsertParticipant(transaction.id, {
        email: signer.email,
        ...(signer.fullName !== undefined ? { fullName: signer.fullName } : {}),
        ...(signer.phoneNumber !== undefined ? { phoneNumber: signer.phoneNumber } : {}),
      });
    }
    if (state === 'draft') return transaction;
    this.start(transaction.id);
    if (state === 'completed') {
      for (const signer of signers) this.sign(transaction.id, signer.email);
    } else if (state !== 'started') {
      this.forceState(transaction.id, { state });
    }
    if (input.stalled !== undefined || input.stalledReason !== undefined) {
      this.forceState(transaction.id, {
        state: transaction.state,
        stalled: input.stalled ?? transaction.stalled,
        stalledReason: input.stalledReason ?? transaction.stalledReason,
      });
    }
    return transaction;
  }

  /** That signer signs every task; the transaction completes when nobody is left. */
  sign(transactionId: string, email: string): SimulatedTransaction {
    const { transaction, participant, action } = this.openSigner(transactionId, email);
    const now = this.now();
    participant.state = 'completed';
    action.state = 'completed';
    action.completedAt = now;
    for (const task of action.tasks) task.state = 'done';
    this.emit(transaction, 'action.closed', action);
    if (transaction.actions.every((each) => each.state === 'completed')) {
      transaction.state = 'completed';
      transaction.completedAt = now;
      this.emit(transaction, 'transaction.lifecycle.completed');
    }
    return transaction;
  }

  /** That signer refuses: the transaction stays `started` but stalls, as Universign does. */
  refuse(transactionId: string, email: string, reason = 'signature_refusal'): SimulatedTransaction {
    const { transaction, participant, action } = this.openSigner(transactionId, email);
    participant.state = 'refused';
    action.state = 'refused';
    action.completedAt = this.now();
    for (const task of action.tasks) if (task.state === 'todo') task.state = 'refused';
    transaction.stalled = true;
    transaction.stalledReason = reason;
    this.emit(transaction, 'action.stalled', action);
    return transaction;
  }

  expire(transactionId: string): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'started' && transaction.state !== 'paused') {
      throw invalidState(transaction, 'only a started or paused transaction can expire');
    }
    transaction.state = 'expired';
    this.emit(transaction, 'transaction.lifecycle.expired');
    return transaction;
  }

  /** Sets any state, even a backward or unknown one, for tests of odd observations. */
  forceState(transactionId: string, input: ForceStateInput): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (typeof input.state !== 'string' || input.state === '') throw invalid('state is required');
    const now = this.now();
    const changedState = transaction.state !== input.state;
    transaction.state = input.state;
    if (input.state !== 'draft') {
      transaction.startedAt ??= now;
      transaction.expiresAt ??= new Date(Date.parse(now) + DEFAULT_EXPIRY_MS).toISOString();
      // A draft forced forward gets its signers' actions, as a real start would give it.
      if (transaction.actions.length === 0) transaction.actions = this.openActions(transaction);
    }
    if (input.state === 'completed') transaction.completedAt ??= now;
    if (input.state === 'cancelled') transaction.cancelledAt ??= now;
    if (input.stalled !== undefined) transaction.stalled = input.stalled;
    if (input.stalledReason !== undefined) transaction.stalledReason = input.stalledReason;
    if (!transaction.stalled && input.stalledReason === undefined) transaction.stalledReason = null;
    const lifecycleEvent = LIFECYCLE_EVENTS[input.state];
    if (changedState && lifecycleEvent) this.emit(transaction, lifecycleEvent);
    if (input.stalled === true) this.emit(transaction, 'action.stalled');
    return transaction;
  }

  /** The next `times` API calls about this transaction answer HTTP `status` (0 times clears). */
  failNext(transactionId: string, status: number, times: number): void {
    const transaction = this.get(transactionId);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw invalid('status must be an HTTP error status');
    if (!Number.isInteger(times) || times < 0) throw invalid('times must be an integer ≥ 0');
    transaction.failure = times === 0 ? null : { status, remaining: times };
  }

  /** Consumes one injected failure, if any is pending. */
  takeFailure(transactionId: string): number | null {
    const failure = this.transactions.get(transactionId)?.failure;
    if (!failure) return null;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.get(transactionId).failure = null;
    return failure.status;
  }

  // ---- internals ---------------------------------------------------------------------------

  private editableDraft(transactionId: string): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'draft') throw invalidState(transaction, 'only a draft can be edited');
    return transaction;
  }

  private document(transaction: SimulatedTransaction, documentId: string): SimulatedDocument {
    const document = transaction.documents.find((doc) => doc.id === documentId);
    if (!document) throw new SimulatorError(404, 'not_found', `document ${documentId} not found`);
    return document;
  }

  private ensureParticipant(transaction: SimulatedTransaction, email: string): SimulatedParticipant {
    const existing = transaction.participants.find((each) => each.email.toLowerCase() === email.toLowerCase());
    if (existing) return existing;
    if (transaction.participants.length >= MAX_PARTICIPANTS) throw invalid(`at most ${MAX_PARTICIPANTS} participants`);
    const participant: SimulatedParticipant = {
      email,
      fullName: null,
      phoneNumber: null,
      minSignatureLevel: 'level1',
      state: 'open',
    };
    transaction.participants.push(participant);
    return participant;
  }

  /** One action per participant with signatures (parallel signing), one task per field. */
  private openActions(transaction: SimulatedTransaction): SimulatedAction[] {
    const now = this.now();
    return transaction.participants.flatMap((participant) => {
      const fields = transaction.signatures.filter((signature) => signature.signer.toLowerCase() === participant.email.toLowerCase());
      if (fields.length === 0) return [];
      return [
        {
          id: generateId('act'),
          actor: participant.email,
          state: 'open' as const,
          startedAt: now,
          completedAt: null,
          tasks: fields.map((signature) => ({ type: 'signature' as const, field: signature.field, state: 'todo' as const })),
        },
      ];
    });
  }

  private openSigner(transactionId: string, email: string) {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'started') throw invalidState(transaction, 'signers act only on a started transaction');
    if (transaction.stalled) throw invalidState(transaction, `transaction is stalled (${transaction.stalledReason ?? 'unknown'})`);
    const key = String(email ?? '').toLowerCase();
    const participant = transaction.participants.find((each) => each.email.toLowerCase() === key);
    const action = transaction.actions.find((each) => each.actor.toLowerCase() === key);
    if (!participant || !action) throw new SimulatorError(404, 'not_found', `no signer ${email} in ${transaction.id}`);
    if (action.state !== 'open') throw invalid(`signer ${email} has already ${action.state === 'refused' ? 'refused' : 'signed'}`);
    return { transaction, participant, action };
  }

  private validateFutureDate(value: string, name: string): void {
    const time = Date.parse(value);
    if (Number.isNaN(time)) throw invalid(`${name} must be an ISO-8601 date`);
    if (time <= this.clock().getTime()) throw invalid(`${name} is in the past`);
  }

  private emit(transaction: SimulatedTransaction, eventType: SimulatedEventType, action?: SimulatedAction): void {
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

/** The bytes the simulator serves for a signed document: tests compare their sha256. */
export function signedPdfFor(documentId: string): Uint8Array {
  return renderSimulatedPdf(['Universign simulator', `Signed document ${documentId}`]);
}

export function evidencePdfFor(transactionId: string): Uint8Array {
  return renderSimulatedPdf(['Universign simulator', `Requester attestation for ${transactionId}`]);
}

function validateMetadata(metadata: Record<string, string>): Record<string, string> {
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_ENTRIES) throw invalid(`at most ${MAX_METADATA_ENTRIES} metadata entries`);
  for (const [key, value] of entries) {
    if (key === '' || key.length > MAX_METADATA_KEY || /[=+_]/.test(key)) {
      throw invalid(`metadata key "${key}" must be 1-${MAX_METADATA_KEY} characters without = + _`);
    }
    if (typeof value !== 'string' || value.length > MAX_METADATA_VALUE) {
      throw invalid(`metadata value of "${key}" must be a string of at most ${MAX_METADATA_VALUE} characters`);
    }
  }
  return { ...metadata };
}

function startsWithPdfMagic(content: Uint8Array): boolean {
  return Buffer.from(content.subarray(0, 5)).toString('latin1') === '%PDF-';
}

function withoutContent(file: SimulatedFile & { content: Uint8Array }): SimulatedFile {
  const { content: _content, ...rest } = file;
  return rest;
}

function invalid(message: string): SimulatorError {
  return new SimulatorError(400, 'invalid_request', message);
}

function invalidState(transaction: SimulatedTransaction, message: string): SimulatorError {
  return new SimulatorError(400, 'invalid_transaction_state', `${message} (${transaction.id} is ${transaction.state})`);
}
