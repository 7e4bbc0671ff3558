/**
 * The pure status machine: Universign state → local status, which moves are allowed, how a
 * disallowed observation is resolved, the Sage label of each status and the business actions
 * each status calls for. Deterministic, no imports with side effects: used by workflows and activities.
 */

export const LOCAL_STATUSES = ['EN_ATTENTE', 'EN_COURS', 'SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE'] as const;
export type LocalStatus = (typeof LOCAL_STATUSES)[number];

export const FINAL_STATUSES: readonly LocalStatus[] = ['SIGNE', 'REFUSE', 'EXPIRE', 'ANNULE'];

export function isFinalStatus(status: LocalStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export function isLocalStatus(value: unknown): value is LocalStatus {
  return typeof value === 'string' && (LOCAL_STATUSES as readonly string[]).includes(value);
}

/** Stalled reasons that mean somebody refused (inactivity also stalls, but is not a refusal). */
export const REFUSAL_STALL_REASONS: readonly string[] = ['signature_refusal', 'action_refusal', 'consultation_refusal', 'review_refusal'];

export function isRefusalStall(stalled: boolean, stalledReason: string | null | undefined): boolean {
  return stalled && stalledReason != null && REFUSAL_STALL_REASONS.includes(stalledReason);
}

/**
 * Maps what Universign reports to a local status. Returns null for a state this code does not
 * know (a future Universign state): the caller keeps its current status and records the oddity.
 */
export function statusFromUniversign(state: string, stalled: boolean, stalledReason: string | null | undefined): LocalStatus | null {
  switch (state) {
    case 'draft':
      return 'EN_ATTENTE';
    case 'started':
    case 'paused':
      return isRefusalStall(stalled, stalledReason) ? 'REFUSE' : 'EN_COURS';
    case 'completed':
      return 'SIGNE';
    case 'expired':
      return 'EXPIRE';
    case 'cancelled':
    case 'canceled':
      return 'ANNULE';
    default:
      return null;
  }
}

const RANK: Record<LocalStatus, number> = {
  EN_ATTENTE: 0,
  EN_COURS: 1,
  SIGNE: 2,
  REFUSE: 2,
  EXPIRE: 2,
  ANNULE: 2,
};

/** Forward moves only; a final status never changes. Staying put is not a transition. */
export function canTransition(from: LocalStatus, to: LocalStatus): boolean {
  if (from === to) return false;
  if (isFinalStatus(from)) return false;
  return RANK[to] > RANK[from];
}

export type TransitionResolution =
  | { kind: 'unchanged'; status: LocalStatus }
  | { kind: 'changed'; status: LocalStatus; previous: LocalStatus | null }
  | { kind: 'conflict'; status: LocalStatus; observed: LocalStatus | null; reason: string };

/**
 * Decides the status to hold after observing `observed` while holding `current` (null before the
 * first sync). Disallowed observations keep the current status and say why, so the sync log shows it.
 */
export function resolveTransition(current: LocalStatus | null, observed: LocalStatus | null): TransitionResolution {
  if (observed === null) {
    const status = current ?? 'EN_ATTENTE';
    return { kind: 'conflict', status, observed, reason: 'unknown Universign state; status kept' };
  }
  if (current === null) return { kind: 'changed', status: observed, previous: null };
  if (observed === current) return { kind: 'unchanged', status: current };
  if (canTransition(current, observed)) return { kind: 'changed', status: observed, previous: current };
  const reason = isFinalStatus(current)
    ? `status ${current} is final; observed ${observed} ignored`
    : `backward move ${current} → ${observed} refused`;
  return { kind: 'conflict', status: current, observed, reason };
}

/** The label written to the Sage document's signature-status free field. */
export const SAGE_STATUS_LABELS: Record<LocalStatus, string> = {
  EN_ATTENTE: 'En attente',
  EN_COURS: 'En cours de signature',
  SIGNE: 'Signé',
  REFUSE: 'Refusé',
  EXPIRE: 'Expiré',
  ANNULE: 'Annulé',
};

export const BUSINESS_ACTIONS = [
  'UPDATE_SAGE_FIELDS',
  'CONVERT_QUOTE_TO_ORDER',
  'NOTIFY_BY_EMAIL',
  'ARCHIVE_SIGNED_DOCUMENTS',
  'CANCEL_UNIVERSIGN_TRANSACTION',
] as const;
export type BusinessAction = (typeof BUSINESS_ACTIONS)[number];

/** What entering `status` calls for. Whether the Sage document is a quote is decided by the action itself. */
export function actionsForStatus(status: LocalStatus): BusinessAction[] {
  switch (status) {
    case 'EN_ATTENTE':
      return [];
    case 'EN_COURS':
      return ['UPDATE_SAGE_FIELDS'];
    case 'SIGNE':
      return ['UPDATE_SAGE_FIELDS', 'ARCHIVE_SIGNED_DOCUMENTS', 'CONVERT_QUOTE_TO_ORDER', 'NOTIFY_BY_EMAIL'];
    case 'REFUSE':
      return ['UPDATE_SAGE_FIELDS', 'CANCEL_UNIVERSIGN_TRANSACTION', 'NOTIFY_BY_EMAIL'];
    case 'EXPIRE':
      return ['UPDATE_SAGE_FIELDS', 'NOTIFY_BY_EMAIL'];
    case 'ANNULE':
      return ['UPDATE_SAGE_FIELDS'];
  }
}
