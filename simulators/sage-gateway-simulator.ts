/**
 * A local, in-memory stand-in for the Sage 100 gateway, speaking the HTTP contract of design.md
 * ("Sage 100 gateway") under `{url}` = `http://127.0.0.1:<port>/api`: bearer auth, documents with
 * free fields, and the idempotent quote → order transformation. Errors are JSON `{error, message}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SageDocumentRef } from '../activities/sync-contracts';

export type { SageDocumentRef } from '../activities/sync-contracts';

/** Conventional statuses: `en_cours` (open), `transforme` (a quote converted into an order). */
export type SimulatedSageStatus = 'en_cours' | 'transforme' | (string & {});

export interface SimulatedSageDocument extends SageDocumentRef {
  status: SimulatedSageStatus;
  freeFields: Record<string, unknown>;
  /** On a transformed quote: the order it became. */
  transformedTo?: SageDocumentRef;
  /** On an order created by a transformation: the quote it came from. */
  transformedFrom?: SageDocumentRef;
}

export interface SeedSageDocumentInput {
  /** Default `devis`. */
  type?: string;
  number: string;
  /** Default `en_cours`. */
  status?: SimulatedSageStatus;
  freeFields?: Record<string, unknown>;
}

export interface SimulatedSageOrder {
  from: SageDocumentRef;
  order: SageDocumentRef;
  idempotencyKey: string;
}

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
const ORDER_TYPE = 'commande';
const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Answer {
  status: number;
  body: unknown;
}

export async function startSageGatewaySimulator(options: SageGatewaySimulatorOptions): Promise<SageGatewaySimulator> {
  const quoteTypes = new Set(options.quoteTypes ?? ['devis']);
  const documents = new Map<string, SimulatedSageDocument>();
  const orders: SimulatedSageOrder[] = [];
  const callLog: SageSimulatorCall[] = [];
  const failures: Array<{ remaining: number; status: number; match: SageFailureMatch }> = [];
  // Idempotency-Key → the request it was first used for and the answer given then.
  const idempotent = new Map<string, { path: string; answer: Answer }>();
  let orderSequence = 0;

  const key = (type: string, number: string): string => `${type}\u0000${number}`;

  function findDocument(type: string, number: string): SimulatedSageDocument {
    const document = documents.get(key(type, number));
    if (!document) throw new HttpError(404, 'document_not_found', `document ${type} ${number} not found`);
    return document;
  }

  function nextOrderNumber(): string {
    let number: string;
    do {
      orderSequence += 1;
      number = `BC${String(orderSequence).padStart(6, '0')}`;
    } while (documents.has(key(ORDER_TYPE, number)));
    return number;
  }

  function transform(source: SimulatedSageDocument, idempotencyKey: string): Answer {
    if (!quoteTypes.has(source.type)) {
      throw new HttpError(422, 'not_transformable', `a ${source.type} cannot be transformed into an order`);
    }
    if (source.transformedTo) {
      return {
        status: 409,
        body: {
          error: 'already_transformed',
          message: `document ${source.type} ${source.number} was already transformed`,
          existing: { ...source.transformedTo },
        },
      };
    }
    const order: SageDocumentRef = { type: ORDER_TYPE, number: nextOrderNumber() };
    const from: SageDocumentRef = { type: source.type, number: source.number };
    documents.set(key(order.type, order.number), {
      ...order,
      status: 'en_cours',
      freeFields: structuredClone(source.freeFields),
      transformedFrom: from,
    });
    source.status = 'transforme';
    source.transformedTo = order;
    orders.push({ from, order, idempotencyKey });
    return { status: 200, body: { ...order } };
  }

  function route(method: string, segments: string[], body: unknown, idempotencyKey: string | undefined, path: string): Answer {
    const [root, rawType, rawNumber, action, ...rest] = segments;
    if (root !== 'documents' || rawType === undefined || rawNumber === undefined || rest.length > 0) {
      throw new HttpError(404, 'not_found', `no route ${method} ${path}`);
    }
    const type = decodeSegment(rawType);
    const number = decodeSegment(rawNumber);

    if (action === undefined && method === 'GET') {
      const { status, freeFields } = findDocument(type, number);
      return { status: 200, body: { type, number, status, freeFields } };
    }
    if (action === 'free-fields' && method === 'PATCH') {
      const fields = readFields(body);
      const document = findDocument(type, number);
      // Merge: fields not named keep their value; null clears one (the field itself stays defined).
      Object.assign(document.freeFields, fields);
      return { status: 200, body: { type, number, status: document.status, freeFields: document.freeFields } };
    }
    if (action === 'transform' && method === 'POST') {
      if (!idempotencyKey) throw new HttpError(400, 'invalid_request', 'Idempotency-Key header is required');
      const replay = idempotent.get(idempotencyKey);
      if (replay) {
        if (replay.path !== path) {
          throw new HttpError(422, 'idempotency_key_reused', 'Idempotency-Key was already used for another document');
        }
        return replay.answer;
      }
      const targetType = isObject(body) ? body.targetType : undefined;
      if (typeof targetType !== 'string') throw new HttpError(400, 'invalid_request', 'targetType is required');
      if (targetType !== ORDER_TYPE) throw new HttpError(422, 'unsupported_target', `cannot transform into ${targetType}`);
      const answer = transform(findDocument(type, number), idempotencyKey);
      // Only a created order is remembered: refusals change nothing, so repeating them answers the same.
      if (answer.status === 200) idempotent.set(idempotencyKey, { path, answer });
      return answer;
    }
    throw new HttpError(405, 'method_not_allowed', `${method} not allowed on ${path}`);
  }

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
    seedDocument: ({ type = 'devis', number, status = 'en_cours', freeFields = {} }) => {
      const document: SimulatedSageDocument = { type, number, status, freeFields: structuredClone(freeFields) };
      documents.set(key(type, number), document);
      return structuredClone(document);
    },
    getDocument: (type, number) => {
      const document = documents.get(key(type, number));
      return document && structuredClone(document);
    },
    orders: () => structuredClone(orders),
    calls: () => structuredClone(callLog),
    failNext: (times, status = 500, match = {}) => {
      if (!Number.isInteger(times) || times < 0) throw new RangeError('times must be an integer ≥ 0');
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('status must be an HTTP error status');
      if (times > 0) failures.push({ remaining: times, status, match: { ...match } });
    },
  };
}

function readFields(body: unknown): Record<string, string | null> {
  const fields = isObject(body) ? body.fields : undefined;
  if (!isObject(fields)) throw new HttpError(400, 'invalid_request', 'fields must be an object');
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && typeof value !== 'string') {
      throw new HttpError(422, 'invalid_field_value', `free field ${name} must be a string or null`);
    }
  }
  return fields as Record<string, string | null>;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', `malformed path segment ${segment}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', 'request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
