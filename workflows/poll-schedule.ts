/**
 * When the transaction's next poll is due, and whether webhooks are arriving for it (which sets
 * the cadence: see poll-cadence). Keeps the state's pollIntervalSeconds, nextPollAt and
 * webhooksArriving current.
 *
 * Runs made before FLEET_SCALE_PATCH (`modern` false): the back-off cadence whatever the webhooks,
 * counted from when the sync ended. Current ones: the cadence follows the webhooks, counted from
 * the read, so polls without webhooks are exactly their interval apart.
 */
import type { CarriedState, TransactionState } from './messages';
import { nextPollInterval, type ResolvedPollSettings, webhooksArriving } from './poll-cadence';

export type CarriedSchedule = Pick<CarriedState, 'nextPollAtMs' | 'lastWebhookAtMs' | 'lastMissedAtMs'>;

export class PollSchedule {
  private readonly state: TransactionState;
  private readonly settings: ResolvedPollSettings;
  private nextPollAtMs: number;
  /** Workflow time (epoch ms) of the last webhook signal, and of the last change a poll found first. */
  private lastWebhookAtMs: number | null;
  private lastMissedAtMs: number | null;

  constructor(state: TransactionState, settings: ResolvedPollSettings, carried: CarriedSchedule) {
    this.state = state;
    this.settings = settings;
    this.nextPollAtMs = carried.nextPollAtMs;
    // Carried from runs made before these fields existed: webhooks that came are taken as arriving.
    this.lastWebhookAtMs = carried.lastWebhookAtMs ?? (state.webhookReceived ? carried.nextPollAtMs : null);
    this.lastMissedAtMs = carried.lastMissedAtMs ?? null;
    this.updateWebhooksArriving();
  }

  /** When the next poll is due (epoch ms). */
  get dueAtMs(): number {
    return this.nextPollAtMs;
  }

  /** Time until the next poll is due (0 when overdue). */
  msUntilDue(): number {
    return Math.max(0, this.nextPollAtMs - Date.now());
  }

  webhookReceived(atMs: number): void {
    this.lastWebhookAtMs = atMs;
    this.updateWebhooksArriving();
  }

  /** A poll found a change before any webhook told of it: webhooks are not arriving (yet). */
  changeMissed(atMs: number): void {
    this.lastMissedAtMs = atMs;
    this.updateWebhooksArriving();
  }

  /** The next poll after a sync read Universign at `readAtMs`. */
  afterSync(modern: boolean, somethingMoved: boolean, readAtMs: number): void {
    this.schedule(
      nextPollInterval(this.state.pollIntervalSeconds, somethingMoved, this.settings, this.arriving(modern)),
      this.from(modern, readAtMs),
    );
  }

  /** The next poll after a failed read: soon for a missing transaction, backed off for any other failure. */
  afterFailure(modern: boolean, notFound: boolean, readAtMs: number): void {
    this.schedule(
      notFound ? this.settings.minSeconds : nextPollInterval(this.state.pollIntervalSeconds, false, this.settings, this.arriving(modern)),
      this.from(modern, readAtMs),
    );
  }

  carry(): CarriedSchedule {
    return { nextPollAtMs: this.nextPollAtMs, lastWebhookAtMs: this.lastWebhookAtMs, lastMissedAtMs: this.lastMissedAtMs };
  }

  private arriving(modern: boolean): boolean {
    return modern ? this.state.webhooksArriving : true;
  }

  private from(modern: boolean, readAtMs: number): number {
    return modern ? readAtMs : Date.now();
  }

  /** The next poll, `intervalSeconds` after `fromMs`. */
  private schedule(intervalSeconds: number, fromMs: number): void {
    this.state.pollIntervalSeconds = intervalSeconds;
    this.nextPollAtMs = fromMs + intervalSeconds * 1000;
    this.state.nextPollAt = new Date(this.nextPollAtMs).toISOString();
  }

  private updateWebhooksArriving(): void {
    this.state.webhooksArriving = webhooksArriving(this.lastWebhookAtMs, this.lastMissedAtMs);
  }
}
