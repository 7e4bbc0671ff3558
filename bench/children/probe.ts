/**
 * Benchmark helper process measuring the ceilings of the Temporal server on this machine, with
 * nothing of the product in the way: a raw signalWithStart loop (the call the webhook endpoint
 * makes) and a raw activity round trip (a chain of no-op activities on a worker of its own).
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId, universignEventSignal } from '../../workflows/messages';
import { serveRpc } from '../lib/child-rpc';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
const connection = await Connection.connect({ address });
const client = new Client({ connection });
const nativeConnection = await NativeConnection.connect({ address });
const probeQueue = `bench-probe-${process.pid}`;

/** chain → execution times (performance.now()) of its steps. */
const touches = new Map<string, number[]>();
const worker = await Worker.create({
  connection: nativeConnection,
  taskQueue: probeQueue,
  workflowsPath: fileURLToPath(new URL('./probe-workflows.ts', import.meta.url)),
  activities: {
    async touch(chain: string) {
      const times = touches.get(chain) ?? [];
      times.push(performance.now());
      touches.set(chain, times);
    },
  },
});
const running = worker.run();

interface SignalTarget {
  transactionId: string;
}

/** One signalWithStart exactly as the webhook endpoint makes it (existing workflow: a signal). */
function signalOnce(taskQueue: string, target: SignalTarget, index: number): Promise<unknown> {
  return client.workflow.signalWithStart(SIGNATURE_WORKFLOW_TYPE, {
    workflowId: signatureWorkflowId(target.transactionId),
    taskQueue,
    args: [{ transactionId: target.transactionId }],
    signal: universignEventSignal,
    signalArgs: [
      { eventId: `evt_probe_${process.pid}_${Date.now()}_${index}`, type: 'action.reminder.sent', receivedAt: new Date().toISOString() },
    ],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  });
}

serveRpc(
  {
    /** Closed loop: `concurrency` callers for `durationMs`. */
    async signalClosedLoop({
      taskQueue,
      targets,
      concurrency,
      durationMs,
    }: {
      taskQueue: string;
      targets: SignalTarget[];
      concurrency: number;
      durationMs: number;
    }) {
      const latencies: number[] = [];
      let errors = 0;
      let issued = 0;
      const started = performance.now();
      const deadline = started + durationMs;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            const index = issued++;
            const t0 = performance.now();
            try {
              await signalOnce(taskQueue, targets[index % targets.length] as SignalTarget, index);
              latencies.push(performance.now() - t0);
            } catch {
              errors += 1;
            }
          }
        }),
      );
      const wallSeconds = (performance.now() - started) / 1000;
      return { latencies, errors, wallSeconds, throughput: latencies.length / wallSeconds };
    },
    /** Open loop: `rate` calls per second for `durationMs`. */
    async signalOpenLoop({
      taskQueue,
      targets,
      rate,
      durationMs,
    }: {
      taskQueue: string;
      targets: SignalTarget[];
      rate: number;
      durationMs: number;
    }) {
      const latencies: number[] = [];
      let errors = 0;
      const total = Math.round((rate * durationMs) / 1000);
      const started = performance.now();
      const pending: Array<Promise<void>> = [];
      for (let index = 0; index < total; index += 1) {
        const wait = started + (index * 1000) / rate - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const t0 = performance.now();
        pending.push(
          signalOnce(taskQueue, targets[index % targets.length] as SignalTarget, index).then(
            () => void latencies.push(performance.now() - t0),
            () => {
              errors += 1;
            },
          ),
        );
      }
      await Promise.all(pending);
      return { latencies, errors, wallSeconds: (performance.now() - started) / 1000 };
    },
    /** `chains` workflows at once, each running `steps` no-op activities in a row; the gaps between steps are round trips. */
    async activityRoundTrips({ chains, steps }: { chains: number; steps: number }) {
      const ids = Array.from({ length: chains }, (_, index) => `probe-${process.pid}-${Date.now()}-${index}`);
      const started = performance.now();
      await Promise.all(
        ids.map((id) => client.workflow.execute('activityChain', { taskQueue: probeQueue, workflowId: id, args: [id, steps] })),
      );
      const wallSeconds = (performance.now() - started) / 1000;
      const roundTrips: number[] = [];
      for (const id of ids) {
        const times = touches.get(id) ?? [];
        for (let i = 1; i < times.length; i += 1) roundTrips.push((times[i] as number) - (times[i - 1] as number));
        touches.delete(id);
      }
      return { roundTrips, wallSeconds, activities: chains * steps };
    },
  },
  { taskQueue: probeQueue },
  async () => {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await nativeConnection.close();
  },
);
