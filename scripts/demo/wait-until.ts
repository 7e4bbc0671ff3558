/**
 * A bounded wait: calls `check` every `intervalMs` until it returns a value, telling the user
 * what it waits for every few seconds; past `timeoutSeconds` the step fails naming what never came.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DemoStepFailed } from './demo-http';
import type { DemoNarrator } from './demo-narrator';

export interface WaitUntilOptions<T> {
  step: string;
  /** What is awaited, as the progress line and the failure say it (may change as things arrive). */
  waitingFor: () => string;
  check: () => Promise<T | undefined>;
  timeoutSeconds: number;
  narrator: DemoNarrator;
  intervalMs?: number;
  progressEverySeconds?: number;
}

export async function waitUntil<T>(options: WaitUntilOptions<T>): Promise<T> {
  const { step, waitingFor, check, timeoutSeconds, narrator, intervalMs = 250, progressEverySeconds = 5 } = options;
  const startedAt = Date.now();
  let nextProgress = progressEverySeconds;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const waited = (Date.now() - startedAt) / 1000;
    if (waited >= timeoutSeconds) throw new DemoStepFailed(step, `gave up after ${timeoutSeconds} s waiting for ${waitingFor()}`);
    if (waited >= nextProgress) {
      narrator.say('…', `still waiting for ${waitingFor()} (${Math.round(waited)} s of ${timeoutSeconds} s)`);
      nextProgress += progressEverySeconds;
    }
    await sleep(intervalMs);
  }
}
