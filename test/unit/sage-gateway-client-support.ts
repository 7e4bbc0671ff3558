/**
 * Shared pieces of the Sage gateway client tests: the token, throwaway HTTP servers, and a Sage
 * gateway simulator per file with a fresh quote seeded before each test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';
import { createSageGatewayClient, type SageGatewayClientOptions } from '../../activities/sage-gateway-client';
import { type SageGatewaySimulator, startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';

export const TOKEN = 'sage-token-9c41e2';

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A gateway answering every request with one fixed status and body. */
export async function withFixedAnswer<T>(status: number, body: unknown, run: (baseUrl: string) => Promise<T>): Promise<T> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  const port = await listen(server);
  try {
    return await run(`http://127.0.0.1:${port}`);
  } finally {
    await closeServer(server);
  }
}

export interface SageGatewayTests {
  readonly simulator: SageGatewaySimulator;
  /** A fresh quote number per test, so tests do not depend on each other's documents. */
  readonly quote: string;
  client(overrides?: Partial<SageGatewayClientOptions>): ReturnType<typeof createSageGatewayClient>;
}

/** Starts the simulator before the file's tests and seeds a fresh quote before each. Call inside a describe. */
export function useSageGatewaySimulator(): SageGatewayTests {
  let simulator: SageGatewaySimulator;
  let sequence = 0;
  let quote = '';

  before(async () => {
    simulator = await startSageGatewaySimulator({ token: TOKEN });
  });
  after(async () => {
    await simulator.close();
  });
  beforeEach(() => {
    sequence += 1;
    quote = `D${String(sequence).padStart(4, '0')}`;
    simulator.seedDocument({ number: quote, freeFields: { STATUT_SIGNATURE: 'EN_ATTENTE', REF_CLIENT: 'C42' } });
  });

  const client = (overrides: Partial<SageGatewayClientOptions> = {}) =>
    createSageGatewayClient({ baseUrl: simulator.url, token: TOKEN, ...overrides });

  return {
    get simulator() {
      return simulator;
    },
    get quote() {
      return quote;
    },
    client,
  };
}
