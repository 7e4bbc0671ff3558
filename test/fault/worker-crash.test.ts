/**
 * Fault: worker processes killed (SIGKILL, no shutdown) three times, alternating the two replicas
 * and restarting each, while 50 quotes are signed and Universign delivers every webhook twice in
 * shuffled order. Nothing may be lost or done twice (an e-mail whose SMTP reply a kill may have
 * cut is counted apart); the time until every business effect is visible after the last kill is
 * printed and held to the goal: 60 s. Every (re)started worker ensures the reconciliation
 * schedule: the namespace still holds exactly one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RECONCILE_SCHEDULE_ID } from '../../workflows/reconcile-messages';
import { type ReplicaStack, startReplicaStack } from '../support/start-replica-stack';
import { checkSigned, createQuotes, faultLine, outcomeText, signQuotes, waitForSigned, waitForStatus } from './fault-outcome';

const QUOTES = 50;
const KILLS = 3;
/** The goal: business effects visible at most this long after a worker crash. */
const RECOVERY_GOAL_MS = 60_000;

let stack: ReplicaStack;
let flusher: NodeJS.Timeout;

before(async () => {
  stack = await startReplicaStack({ name: 'worker-crash', webhooks: { duplicate: 2, reorder: true } });
  // The shuffled webhooks go out in batches, as a sender catching up would deliver them.
  flusher = setInterval(() => void stack.universign.webhooks?.flush(), 300);
});
after(async () => {
  clearInterval(flusher);
  await stack?.close();
});

test('worker SIGKILL ×3 under 50 signed quotes with duplicated, shuffled webhooks: nothing lost or doubled', {
  timeout: 360_000,
}, async (t) => {
  const quotes = createQuotes(stack, 'K', QUOTES);
  await waitForStatus(stack, quotes, 'EN_COURS', 120_000);

  const kills: number[] = [];
  const batch = Math.ceil(QUOTES / KILLS);
  for (let round = 0; round < KILLS; round += 1) {
    signQuotes(stack, quotes.slice(round * batch, (round + 1) * batch));
    // Long enough for the replica to take some of the round's tasks, short enough to kill it amid them.
    await sleep(1_500);
    const victim = round % 2;
    kills.push(await stack.killWorker(victim));
    await stack.startWorker(victim);
  }
  const lastKill = kills.at(-1) as number;
  const settledAt = await waitForSigned(stack, quotes, 180_000);
  await stack.universign.webhooks?.settled();

  const outcome = await checkSigned(stack, quotes, kills);
  const deliveries = stack.universign.webhooks?.deliveries() ?? [];
  const line = faultLine(
    `worker SIGKILL x${KILLS} (alternating replicas, restarted)`,
    `${QUOTES} quotes signed, ${deliveries.length} webhook deliveries (each event twice, shuffled)`,
    'statuses (DB + API), Sage orders, e-mails',
    outcomeText(outcome),
    settledAt - lastKill,
  );
  t.diagnostic(line);
  for (const detail of outcome.details) t.diagnostic(detail);
  assert.equal(outcome.lost, 0, outcome.details.join('\n'));
  assert.equal(outcome.duplicatedOrders, 0, outcome.details.join('\n'));
  assert.equal(outcome.duplicatedMails, 0, outcome.details.join('\n'));
  assert.ok(settledAt - lastKill <= RECOVERY_GOAL_MS, `effects visible ${settledAt - lastKill} ms after the last kill (goal 60 s)`);

  const schedules: string[] = [];
  for await (const schedule of stack.temporal.schedule.list()) schedules.push(schedule.scheduleId);
  assert.deepEqual(schedules, [RECONCILE_SCHEDULE_ID], 'two replicas started four times: one reconciliation schedule');
});
