/**
 * The limits and pure rules of the simulated Universign v1 API: ids, metadata and PDF checks, and
 * how participants, actions and signers are found or opened on a transaction. No state of its
 * own; the store (simulated-universign-api.ts, universign-simulator-store.ts) applies them.
 */
import { randomBytes } from 'node:crypto';
import type {
  SimulatedAction,
  SimulatedDocument,
  SimulatedFile,
  SimulatedParticipant,
  SimulatedTransaction,
} from './simulated-transaction';
import { invalid, invalidState, SimulatorError } from './universign-simulator-error';

export const FILE_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_EXPIRY_MS = 14 * 24 * 60 * 60 * 1000;
export const MAX_DOCUMENTS = 20;
const MAX_PARTICIPANTS = 50;
const MAX_METADATA_ENTRIES = 15;
const MAX_METADATA_KEY = 20;
const MAX_METADATA_VALUE = 200;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function generateId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function validateMetadata(metadata: Record<string, string>): Record<string, string> {
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

export function startsWithPdfMagic(content: Uint8Array): boolean {
  return Buffer.from(content.subarray(0, 5)).toString('latin1') === '%PDF-';
}

export function withoutContent(file: SimulatedFile & { content: Uint8Array }): SimulatedFile {
  const { content: _content, ...rest } = file;
  return rest;
}

/** A field's optional position: page ≥ 1, x and y ≥ 0. */
export function validateFieldPosition(input: { page?: number; x?: number; y?: number }): void {
  if (input.page !== undefined && !(Number.isInteger(input.page) && input.page >= 1)) throw invalid('page must be ≥ 1');
  for (const [key, value] of [
    ['x', input.x],
    ['y', input.y],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw invalid(`${key} must be an integer ≥ 0`);
  }
}

export function validateFutureDate(value: string, name: string, now: Date): void {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid(`${name} must be an ISO-8601 date`);
  if (time <= now.getTime()) throw invalid(`${name} is in the past`);
}

export function findDocument(transaction: SimulatedTransaction, documentId: string): SimulatedDocument {
  const document = transaction.documents.find((doc) => doc.id === documentId);
  if (!document) throw new SimulatorError(404, 'not_found', `document ${documentId} not found`);
  return document;
}

export function ensureParticipant(transaction: SimulatedTransaction, email: string): SimulatedParticipant {
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
export function openActions(transaction: SimulatedTransaction, now: string): SimulatedAction[] {
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

/** The participant and open action of `email` on a started, unstalled transaction. */
export function openSigner(transaction: SimulatedTransaction, email: string) {
  if (transaction.state !== 'started') throw invalidState(transaction, 'signers act only on a started transaction');
  if (transaction.stalled) throw invalidState(transaction, `transaction is stalled (${transaction.stalledReason ?? 'unknown'})`);
  const key = String(email ?? '').toLowerCase();
  const participant = transaction.participants.find((each) => each.email.toLowerCase() === key);
  const action = transaction.actions.find((each) => each.actor.toLowerCase() === key);
  if (!participant || !action) throw new SimulatorError(404, 'not_found', `no signer ${email} in ${transaction.id}`);
  if (action.state !== 'open') throw invalid(`signer ${email} has already ${action.state === 'refused' ? 'refused' : 'signed'}`);
  return { transaction, participant, action };
}
