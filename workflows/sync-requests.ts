/**
 * Requests for a sync before the next poll is due (webhook signals, forceResync, the resync
 * update), and which sync answers each update: updates are numbered, and the first sync that
 * starts after one serves it.
 */
import type { SyncSource } from '../activities/sync-contracts';

/** What asks for a sync before the next poll is due. */
export type WakeReason = Exclude<SyncSource, 'start' | 'poll'>;

export class SyncRequests {
  private readonly reasons: WakeReason[] = [];
  private requestedTicket = 0;
  private servedTicket = 0;

  /** A signal asks for a sync. */
  add(reason: WakeReason): void {
    this.reasons.push(reason);
  }

  /** An update asks for a sync; its ticket tells when a sync has served it. */
  addUpdate(): number {
    this.reasons.push('update');
    return ++this.requestedTicket;
  }

  /** A sync was asked for and has not started yet. */
  get pending(): boolean {
    return this.reasons.length > 0;
  }

  /**
   * The source of the sync about to start: the first request when `requested` (that one sync
   * answers them all: it re-reads the whole transaction), else the poll. Clears the requests.
   */
  take(requested: boolean): SyncSource {
    const source: SyncSource = requested ? (this.reasons[0] ?? 'poll') : 'poll';
    this.reasons.length = 0;
    return source;
  }

  /** The last update ticket a sync starting now serves. */
  get lastTicket(): number {
    return this.requestedTicket;
  }

  isServed(ticket: number): boolean {
    return this.servedTicket >= ticket;
  }

  /** A sync ended: the updates up to `ticket` are answered. */
  serve(ticket: number): void {
    this.servedTicket = ticket;
  }

  /** Every update asked for so far is answered (no sync will follow). */
  serveAll(): void {
    this.servedTicket = this.requestedTicket;
  }
}
