/** The probe's workflow: a chain of no-op activities, to time Temporal's own activity round trip. */
import { proxyActivities } from '@temporalio/workflow';

const { touch } = proxyActivities<{ touch(chain: string, step: number): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

export async function activityChain(chain: string, steps: number): Promise<void> {
  for (let step = 0; step < steps; step += 1) await touch(chain, step);
}
