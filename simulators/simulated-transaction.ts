/**
 * The records the Universign simulator keeps: files, transactions with their documents, fields,
 * signatures, participants and actions (the v1 API model of shared/universign-api.md), and the
 * inputs the test controls accept to build or force one. Types only; the rules that change them
 * live in simulated-universign-api.ts and universign-simulator-store.ts.
 */

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
