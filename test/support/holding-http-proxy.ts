/**
 * A loopback HTTP proxy in front of a test server (here the Sage gateway simulator) that can hold
 * the requests a test picks: a held request waits, its caller still connected, until the test
 * forwards it. So a test knows an effect is under way, then crashes or cuts something in its middle.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldRequest {
  method: string;
  path: string;
  /** Sends the request on to the target; its answer goes to the caller if the caller is still there. */
  forward(): Promise<number>;
}

export interface HoldingHttpProxy {
  url: string;
  /** Holds the next request matching `match`; resolves once one arrived. */
  holdNext(match: (method: string, path: string) => boolean): Promise<HeldRequest>;
  close(): Promise<void>;
}

export async function startHoldingHttpProxy(targetUrl: string): Promise<HoldingHttpProxy> {
  const holds: Array<{ match: (method: string, path: string) => boolean; resolve: (held: HeldRequest) => void }> = [];
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const forward = () => forwardRequest(targetUrl, request, body, response);
    const hold = holds.find((candidate) => candidate.match(method, path));
    if (!hold) {
      await forward().catch(() => undefined);
      return;
    }
    holds.splice(holds.indexOf(hold), 1);
    hold.resolve({ method, path, forward });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdNext: (match) => new Promise((resolve) => holds.push({ match, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function forwardRequest(targetUrl: string, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<number> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && name !== 'host' && name !== 'connection' && name !== 'content-length') headers.set(name, value);
  }
  const answer = await fetch(`${targetUrl}${request.url ?? '/'}`, {
    method: request.method ?? 'GET',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const text = Buffer.from(await answer.arrayBuffer());
  if (!response.destroyed) {
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  }
  return answer.status;
}
