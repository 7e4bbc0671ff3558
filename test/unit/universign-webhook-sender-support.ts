/**
 * Shared pieces of the Universign webhook sender tests: a bare receiver standing in for the
 * service's webhook route, a refused URL, a seeded shuffle, and per-test resources closed after each test.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'node:test';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { createWebhookKeys } from '../../simulators/universign-webhook-keys';
import { createWebhookSender, type WebhookSender } from '../../simulators/universign-webhook-sender';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A bare HTTP endpoint standing in for the service's webhook route; `answer` picks each status. */
async function startReceiver(answer: (index: number) => number = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const status = answer(received.length - 1);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/universign`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A closed port: connections are refused at once. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/webhooks/universign`;
}

/** Deterministic shuffle source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a test reads untyped JSON answers by path.
export const bodyOf = (request: Received) => JSON.parse(request.body.toString('utf8')) as Record<string, any>;

/** Registers an afterEach that closes what the test started; returns the starters. Call inside a describe. */
export function useSenderResources() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function receiver(answer?: (index: number) => number): Promise<Receiver> {
    const started = await startReceiver(answer);
    cleanups.push(started.close);
    return started;
  }
  async function simulatorWith(
    webhooks: NonNullable<Parameters<typeof startUniversignSimulator>[0]['webhooks']>,
    extra: Partial<Parameters<typeof startUniversignSimulator>[0]> = {},
  ): Promise<UniversignSimulator & { webhooks: WebhookSender }> {
    const simulator = await startUniversignSimulator({ apiKey: 'sim-key', webhooks, ...extra });
    cleanups.push(simulator.close);
    assert.ok(simulator.webhooks);
    return simulator as UniversignSimulator & { webhooks: WebhookSender };
  }
  async function standaloneSender(options: Omit<Parameters<typeof createWebhookSender>[0], 'keys'>): Promise<WebhookSender> {
    const sender = createWebhookSender({ ...options, keys: await createWebhookKeys() });
    cleanups.push(sender.close);
    return sender;
  }

  return { receiver, simulatorWith, standaloneSender };
}
