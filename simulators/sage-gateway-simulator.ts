/**
 * A local, in-memory stand-in for the Sage 100 gateway, speaking the HTTP contract of design.md
 * ("Sage 100 gateway") under `{url}` = `http://127.0.0.1:<port>/api`: bearer auth, documents with
 * free fields, and the idempotent quote → order transformation. Errors are JSON `{error, message}`.
 * `POST /_control/documents` (outside `{url}`, same token) adds a document over HTTP.
 * This file runs the server, logs calls and injects failures; the documents live in
 * simulated-sage-documents.ts and the routes in sage-gateway-simulator-routes.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleSageControl, SAGE_CONTROL_PATH } from './sage-gateway-simulator-control';
import { type Answer, HttpError, readBody } from './sage-gateway-simulator-http';
import { createSageRoutes } from './sage-gateway-simulator-routes';
import {
  type SeedSageDocumentInput,
  type SimulatedSageDocument,
  SimulatedSageDocuments,
  type SimulatedSageOrder,
} from './simulated-sage-documents';

export type { SageDocumentRef } from '../activities/sync-contracts';

/** One request as answered; never holds the token. */
export interface SageSimulatorCall {
  method: string;
  /** Path as received (still percent-encoded), e.g. `/api/documents/devis/D0042`. */
  path: string;
  status: number;
  authorized: boolean;
  idempotencyKey?: string;
  /** Parsed JSON body, when there was one. */
  body?: unknown;
}

export interface SageFailureMatch {
  method?: string;
  pathIncludes?: string;
}

export interface SageGatewaySimulatorOptions {
  token: string;
  port?: number;
  host?: string;
  /** Document types that can be transformed into an order (default `['devis']`, like SAGE_QUOTE_TYPES). */
  quoteTypes?: string[];
}

export interface SageGatewaySimulator {
  /** The value for SAGE_GATEWAY_URL. */
  url: string;
  close(): Promise<void>;
  /** Creates (or replaces) a document. */
  seedDocument(input: SeedSageDocumentInput): SimulatedSageDocument;
  /** A copy of the stored document, or undefined. */
  getDocument(type: string, number: string): SimulatedSageDocument | undefined;
  /** Orders created by transformations, oldest first. */
  orders(): SimulatedSageOrder[];
  calls(): SageSimulatorCall[];
  /** The next `times` authorized requests matching `match` are answered `status` without effect. */
  failNext(times: number, status?: number, match?: SageFailureMatch): void;
}

const BASE_PATH = '/api';

export async function startSageGatewaySimulator(options: SageGatewaySimulatorOptions): Promise<SageGatewaySimulator> {
  const documents = new SimulatedSageDocuments(new Set(options.quoteTypes ?? ['devis']));
  const route = createSageRoutes(documents);
  const callLog: SageSimulatorCall[] = [];
  const failures: Array<{ remaining: number; status: number; match: SageFailureMatch }> = [];

  function takeFailure(method: string, path: string): number | null {
    const failure = failures.find(
      ({ remaining, match }) =>
        remaining > 0 &&
        (match.method === undefined || match.method.toUpperCase() === method) &&
        (match.pathIncludes === undefined || path.includes(match.pathIncludes)),
    );
    if (!failure) return null;
    failure.remaining -= 1;
    if (failure.remaining === 0) failures.splice(failures.indexOf(failure), 1);
    return failure.status;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, entry: SageSimulatorCall): Promise<Answer> {
    // Authentication comes before anything about the request itself, as on the real gateway.
    if (!entry.authorized) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', req.headers.authorization ? 'invalid bearer token' : 'missing bearer token');
    }
    const raw = await readBody(req);
    if (raw !== '') {
      try {
        entry.body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'invalid_request', 'body must be JSON');
      }
    }
    // Injected failures stand for the gateway's; the control route is the simulator's own.
    if (entry.path === SAGE_CONTROL_PATH) return handleSageControl(documents, entry.method, entry.body);
    const injected = takeFailure(entry.method, entry.path);
    if (injected !== null) {
      if (injected === 429 || injected === 503) res.setHeader('retry-after', '1');
      return { status: injected, body: { error: 'simulated_failure', message: `simulated HTTP ${injected}` } };
    }
    if (!entry.path.startsWith(`${BASE_PATH}/`)) throw new HttpError(404, 'not_found', `no route ${entry.method} ${entry.path}`);
    const segments = entry.path.slice(BASE_PATH.length).split('/').filter(Boolean);
    return route(entry.method, segments, entry.body, entry.idempotencyKey, entry.path);
  }

  const server = createServer((req, res) => {
    const idempotencyKey = req.headers['idempotency-key'];
    const entry: SageSimulatorCall = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://simulator').pathname,
      status: 0,
      authorized: req.headers.authorization === `Bearer ${options.token}` && options.token !== '',
      ...(typeof idempotencyKey === 'string' ? { idempotencyKey } : {}),
    };
    callLog.push(entry);
    handle(req, res, entry)
      .catch((err: unknown): Answer => {
        if (err instanceof HttpError) return { status: err.status, body: { error: err.code, message: err.message } };
        console.error('sage gateway simulator: unexpected error', err);
        return { status: 500, body: { error: 'internal_error', message: 'unexpected simulator error' } };
      })
      .then((answer) => {
        // Recorded before answering, so a test reading calls() after its request sees the status.
        entry.status = answer.status;
        const text = JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `http://${urlHost}:${port}${BASE_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of fetch clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
    seedDocument: (input) => documents.seed(input),
    getDocument: (type, number) => documents.copy(type, number),
    orders: () => documents.orders(),
    calls: () => structuredClone(callLog),
    failNext: (times, status = 500, match = {}) => {
      if (!Number.isInteger(times) || times < 0) throw new RangeError('times must be an integer ≥ 0');
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('status must be an HTTP error status');
      if (times > 0) failures.push({ remaining: times, status, match: { ...match } });
    },
  };
}
