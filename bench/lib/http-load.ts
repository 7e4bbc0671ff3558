/**
 * Load generators over keep-alive HTTP/1.1: a closed loop (N connections, each sending its next
 * request when the previous answer arrives: the throughput ceiling) and an open loop (a fixed
 * request rate whatever the answers do: latency at a given load). Each request is timed from just
 * before it is written to the end of its answer.
 */
import { Agent, request } from 'node:http';

export interface LoadRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface LoadSample {
  index: number;
  /** performance.now() when the request was sent, and Date.now() at the same moment. */
  sentAt: number;
  sentAtEpochMs: number;
  latencyMs: number;
  status: number;
}

export interface LoadResult {
  samples: LoadSample[];
  errors: number;
  wallSeconds: number;
  /** Answered requests per second. */
  throughput: number;
  statusCounts: Record<string, number>;
}

export function createLoadAgent(connections: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
}

function send(agent: Agent, baseUrl: URL, input: LoadRequest, index: number): Promise<LoadSample> {
  return new Promise((resolve, reject) => {
    const sentAtEpochMs = Date.now();
    const sentAt = performance.now();
    const req = request(
      {
        agent,
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: input.method ?? 'POST',
        path: input.path,
        headers: { ...(input.body ? { 'content-length': String(input.body.byteLength) } : {}), ...input.headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ index, sentAt, sentAtEpochMs, latencyMs: performance.now() - sentAt, status: res.statusCode ?? 0 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(input.body);
  });
}

function finish(samples: LoadSample[], errors: number, startedAt: number): LoadResult {
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const statusCounts: Record<string, number> = {};
  for (const sample of samples) statusCounts[sample.status] = (statusCounts[sample.status] ?? 0) + 1;
  return { samples, errors, wallSeconds, throughput: samples.length / wallSeconds, statusCounts };
}

/** `connections` loops, each sending the next request when its previous one is answered, until `durationMs` or `maxRequests`. */
export async function closedLoop(options: {
  baseUrl: string;
  connections: number;
  durationMs: number;
  maxRequests?: number;
  next: (index: number) => LoadRequest;
}): Promise<LoadResult> {
  const agent = createLoadAgent(options.connections);
  const baseUrl = new URL(options.baseUrl);
  const samples: LoadSample[] = [];
  let errors = 0;
  let issued = 0;
  const startedAt = performance.now();
  const deadline = startedAt + options.durationMs;
  const limit = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const loop = async () => {
    while (performance.now() < deadline && issued < limit) {
      const index = issued++;
      try {
        samples.push(await send(agent, baseUrl, options.next(index), index));
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  agent.destroy();
  return finish(samples, errors, startedAt);
}

/** Sends `ratePerSecond` requests per second for `durationMs`, on a fixed schedule (late sends are not skipped). */
export async function openLoop(options: {
  baseUrl: string;
  ratePerSecond: number;
  durationMs: number;
  connections?: number;
  next: (index: number) => LoadRequest;
}): Promise<LoadResult> {
  const agent = createLoadAgent(options.connections ?? 64);
  const baseUrl = new URL(options.baseUrl);
  const samples: LoadSample[] = [];
  const pending: Array<Promise<void>> = [];
  let errors = 0;
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const intervalMs = 1000 / options.ratePerSecond;
  const startedAt = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = startedAt + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      send(agent, baseUrl, options.next(index), index).then(
        (sample) => void samples.push(sample),
        () => {
          errors += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return finish(samples, errors, startedAt);
}
