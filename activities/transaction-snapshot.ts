/**
 * The normalised view of one Universign transaction, as read by `GET /v1/transactions/{id}`.
 * Plain JSON (no Dates) so it travels through Temporal history unchanged.
 * Fields Universign does not document are optional on the wire and `null` here when absent.
 */
export interface SignerSnapshot {
  email: string;
  name: string | null;
  /** Participant or action state as Universign reports it (`open`, `completed`, `refused`, …). */
  state: string;
  /** Personal signing link (`actions[].url`). */
  url: string | null;
  signedAt: string | null;
  refusedAt: string | null;
}

export interface DocumentSnapshot {
  id: string;
  name: string | null;
}

export interface TransactionSnapshot {
  transactionId: string;
  name: string | null;
  /** Universign transaction state: draft, started, paused, completed, cancelled, expired (or an unknown future one). */
  state: string;
  stalled: boolean;
  stalledReason: string | null;
  createdAt: string | null;
  startedAt: string | null;
  expiresAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  metadata: Record<string, string>;
  documents: DocumentSnapshot[];
  signers: SignerSnapshot[];
  /** When this snapshot was read (ISO-8601, from the activity's clock). */
  fetchedAt: string;
}
