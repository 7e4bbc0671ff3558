/**
 * The polling safety net's cadence. Pure, so the workflow and its tests share it.
 * - Webhooks arriving (one came, and no poll has since found a change before its webhook):
 *   short right after something moved, doubling while nothing does, up to a cap (about one read
 *   an hour: webhooks bring the news, polls only check).
 * - Webhooks not arriving: one read every `withoutWebhooksSeconds` (15 minutes), so a change is
 *   seen within that time at a third of the old service's 5-minute rate. No faster polls after a
 *   change there: they would cost more than that third.
 */
import type { PollSettings } from './messages';

export const DEFAULT_POLL_MIN_SECONDS = 60;
export const DEFAULT_POLL_MAX_SECONDS = 3600;
export const DEFAULT_POLL_WITHOUT_WEBHOOKS_SECONDS = 900;
export const POLL_BACKOFF_FACTOR = 2;

export interface ResolvedPollSettings {
  minSeconds: number;
  maxSeconds: number;
  withoutWebhooksSeconds: number;
}

export function resolvePollSettings(settings: PollSettings | undefined): ResolvedPollSettings {
  const minSeconds = positiveOr(settings?.minSeconds, DEFAULT_POLL_MIN_SECONDS);
  const maxSeconds = Math.max(minSeconds, positiveOr(settings?.maxSeconds, DEFAULT_POLL_MAX_SECONDS));
  const withoutWebhooks = positiveOr(settings?.withoutWebhooksSeconds, DEFAULT_POLL_WITHOUT_WEBHOOKS_SECONDS);
  return { minSeconds, maxSeconds, withoutWebhooksSeconds: Math.min(maxSeconds, Math.max(minSeconds, withoutWebhooks)) };
}

/**
 * The interval before the next poll, given the current one, whether the last sync saw a change,
 * and whether webhooks are arriving for this transaction (default: yes, the cadence of old runs).
 */
export function nextPollInterval(
  currentSeconds: number,
  changed: boolean,
  settings: ResolvedPollSettings,
  webhooksArriving = true,
): number {
  if (!webhooksArriving) return settings.withoutWebhooksSeconds;
  if (changed) return settings.minSeconds;
  const grown = Math.max(currentSeconds, settings.minSeconds) * POLL_BACKOFF_FACTOR;
  return Math.min(grown, settings.maxSeconds);
}

/**
 * Whether webhooks are arriving, from the workflow times (epoch ms) of the last webhook and of
 * the last change a poll found first (a webhook that arrived after that read counts).
 */
export function webhooksArriving(lastWebhookAtMs: number | null, lastMissedAtMs: number | null): boolean {
  return lastWebhookAtMs !== null && (lastMissedAtMs === null || lastWebhookAtMs > lastMissedAtMs);
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
