/**
 * The polling safety net's cadence: short right after something moved, doubling while nothing
 * does, up to a cap. Pure, so the workflow and its tests share it.
 */
import type { PollSettings } from './messages';

export const DEFAULT_POLL_MIN_SECONDS = 60;
export const DEFAULT_POLL_MAX_SECONDS = 3600;
export const POLL_BACKOFF_FACTOR = 2;

export interface ResolvedPollSettings {
  minSeconds: number;
  maxSeconds: number;
}

export function resolvePollSettings(settings: PollSettings | undefined): ResolvedPollSettings {
  const minSeconds = positiveOr(settings?.minSeconds, DEFAULT_POLL_MIN_SECONDS);
  const maxSeconds = Math.max(minSeconds, positiveOr(settings?.maxSeconds, DEFAULT_POLL_MAX_SECONDS));
  return { minSeconds, maxSeconds };
}

/** The interval before the next poll, given the current one and whether the last sync saw a change. */
export function nextPollInterval(currentSeconds: number, changed: boolean, settings: ResolvedPollSettings): number {
  if (changed) return settings.minSeconds;
  const grown = Math.max(currentSeconds, settings.minSeconds) * POLL_BACKOFF_FACTOR;
  return Math.min(grown, settings.maxSeconds);
}

function positiveOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
