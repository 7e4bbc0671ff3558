/**
 * Turns the JSON of `GET /v1/transactions/{id}` into a TransactionSnapshot. Tolerant of absent or
 * undocumented fields (null), strict only where nothing sensible can be done (no id or state).
 */
import type { DocumentSnapshot, SignerSnapshot, TransactionSnapshot } from './transaction-snapshot';
import { UniversignBadResponseError, type UniversignErrorContext } from './universign-errors';

type Json = Record<string, unknown>;

/** Action states that mean the signer refused; used to read a generic `completed_at` as a refusal date. */
const REFUSED_STATES = new Set(['refused', 'declined']);
/** States that mean the signer's part is done; a generic `completed_at` then means "signed at". */
const DONE_STATES = new Set(['completed', 'signed', 'closed', 'done']);

/**
 * @param context method/path of the call that produced `raw`, so a rejection names it.
 */
export function normalizeTransaction(raw: unknown, fetchedAt: string, context: UniversignErrorContext = {}): TransactionSnapshot {
  const reject = (reason: string): never => {
    throw new UniversignBadResponseError({ ...context, reason, body: safeStringify(raw) });
  };
  if (!isObject(raw)) return reject('transaction is not a JSON object');
  const transactionId = nonEmptyString(raw.id);
  if (transactionId === null) return reject('transaction has no id');
  const state = nonEmptyString(raw.state);
  if (state === null) return reject('transaction has no state');

  return {
    transactionId,
    name: stringOrNull(raw.name),
    state,
    stalled: raw.stalled === true,
    stalledReason: stringOrNull(raw.stalled_reason),
    createdAt: stringOrNull(raw.created_at),
    startedAt: stringOrNull(raw.started_at),
    expiresAt: stringOrNull(raw.expires_at),
    completedAt: stringOrNull(raw.completed_at),
    cancelledAt: stringOrNull(raw.cancelled_at),
    metadata: readMetadata(raw.metadata),
    documents: readDocuments(raw.documents),
    signers: readSigners(raw.participants, raw.actions),
    fetchedAt,
  };
}

function readMetadata(value: unknown): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (!isObject(value)) return metadata;
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') metadata[key] = entry;
  }
  return metadata;
}

function readDocuments(value: unknown): DocumentSnapshot[] {
  return objects(value).flatMap((doc) => {
    const id = nonEmptyString(doc.id);
    return id === null ? [] : [{ id, name: stringOrNull(doc.name) }];
  });
}

interface SignerParts {
  email: string;
  participant: Json | null;
  actions: Json[];
}

/** Merges participants and actions by e-mail (case-insensitive), in order of first appearance. */
function readSigners(participants: unknown, actions: unknown): SignerSnapshot[] {
  const byEmail = new Map<string, SignerParts>();
  const partsFor = (email: string): SignerParts => {
    const key = email.toLowerCase();
    let parts = byEmail.get(key);
    if (!parts) {
      parts = { email, participant: null, actions: [] };
      byEmail.set(key, parts);
    }
    return parts;
  };
  for (const participant of objects(participants)) {
    const email = nonEmptyString(participant.email);
    if (email === null) continue;
    const parts = partsFor(email);
    parts.participant ??= participant;
  }
  for (const action of objects(actions)) {
    const email = actorEmail(action);
    if (email === null) continue;
    partsFor(email).actions.push(action);
  }
  return [...byEmail.values()].map(toSigner);
}

function toSigner({ email, participant, actions }: SignerParts): SignerSnapshot {
  const action = primaryAction(actions);
  const sources = [participant, action].filter((source): source is Json => source !== null);
  const first = (field: string): string | null => {
    for (const source of sources) {
      const value = stringOrNull(source[field]);
      if (value !== null) return value;
    }
    return null;
  };
  // A signer listed with no state at all is reported as such rather than guessed.
  const state = first('state') ?? 'unknown';
  const completedAt = first('completed_at');
  const lowerState = state.toLowerCase();
  return {
    email,
    name: first('full_name') ?? first('name'),
    state,
    url: stringOrNull(action?.url) ?? firstActionUrl(actions),
    signedAt: first('signed_at') ?? (DONE_STATES.has(lowerState) ? completedAt : null),
    refusedAt: first('refused_at') ?? (REFUSED_STATES.has(lowerState) ? completedAt : null),
  };
}

/** The action that carries this signer's signature task; a signer may also have review/consultation actions. */
function primaryAction(actions: Json[]): Json | null {
  const signing = actions.find((action) => objects(action.tasks).some((task) => task.type === 'signature'));
  return signing ?? actions[0] ?? null;
}

function firstActionUrl(actions: Json[]): string | null {
  for (const action of actions) {
    const url = stringOrNull(action.url);
    if (url !== null) return url;
  }
  return null;
}

/** `actor` is the participant's e-mail; some payloads name it `participant_email` or nest it. */
function actorEmail(action: Json): string | null {
  const actor = action.actor;
  if (isObject(actor)) return nonEmptyString(actor.email);
  return nonEmptyString(actor) ?? nonEmptyString(action.participant_email) ?? nonEmptyString(action.email);
}

function objects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Empty strings count as absent: Universign omits or blanks fields it has no value for. */
function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

const nonEmptyString = stringOrNull;

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
