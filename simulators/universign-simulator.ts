/**
 * A local HTTP stand-in for the Universign REST API v1, speaking the wire format of
 * shared/universign-api.md (form-encoded requests, multipart upload, JSON with "object", Basic or
 * Bearer auth), plus an unauthenticated JSON control API under /_control to drive tests and demos.
 * State and rules live in universign-simulator-store.ts; this file is the HTTP routing. With
 * `webhooks`, every change is also delivered as a signed webhook (universign-webhook-sender.ts) and
 * the public keys are served at /v1/webhooks/jwks.json.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CreateSimulatedTransactionInput,
  type ForceStateInput,
  type SimulatedTransaction,
  SimulatorError,
  type TransactionChangedHook,
  type TransactionJson,
  UniversignSimulatorStore,
} from './universign-simulator-store';
import { createWebhookKeys, type WebhookKeys } from './universign-webhook-keys';
import { createWebhookSender, type WebhookSender, type WebhookSenderOptions } from './universign-webhook-sender';

export type { SimulatedEventType, TransactionChangedHook, TransactionJson } from './universign-simulator-store';
export { evidencePdfFor, signedPdfFor } from './universign-simulator-store';
export type { WebhookKeys, WebhookSigningKey } from './universign-webhook-keys';
export type { WebhookDeliveryAttempt, WebhookEvent, WebhookSender } from './universign-webhook-sender';
export { signWebhookBody } from './universign-webhook-sender';

/** Webhook delivery settings; the keys are generated unless given. */
export type UniversignSimulatorWebhookOptions = Omit<WebhookSenderOptions, 'keys' | 'clock'> & { keys?: WebhookKeys };

export interface UniversignSimulatorOptions {
  apiKey: string;
  port?: number;
  host?: string;
  clock?: () => Date;
  /** Called on every state change with the Universign event type (alongside webhooks, if any). */
  onTransactionChanged?: TransactionChangedHook;
  /** Deliver a signed webhook to `targetUrl` on every change. */
  webhooks?: UniversignSimulatorWebhookOptions;
  /** Called for every API call once answered (the benchmark times polls with it). */
  onApiRequest?: (request: { method: string; path: string; transactionId: string | null; status: number }) => void;
  /** Requests kept for requests() (oldest dropped first); default 10,000, so a long-running simulator stays small. */
  requestLogLimit?: number;
}

/** One API call as received; records whether auth was right, never the key itself. */
export interface SimulatorRequestLogEntry {
  at: string;
  method: string;
  path: string;
  authPresent: boolean;
  authValid: boolean;
  authScheme: 'basic' | 'bearer' | 'other' | null;
  contentType: string | null;
  /** Form fields (form-encoded), or multipart text fields; in order, repeated keys kept. */
  fields: Array<[string, string]>;
  /** Multipart file parts. */
  files: Array<{ field: string; name: string; type: string; size: number }>;
  /** HTTP status answered. */
  status: number;
}

export interface UniversignSimulator {
  /** API base, e.g. `http://127.0.0.1:8300/v1`. */
  url: string;
  /** Control API base, e.g. `http://127.0.0.1:8300/_control`. */
  controlUrl: string;
  port: number;
  close(): Promise<void>;
  store: UniversignSimulatorStore;
  requests(): SimulatorRequestLogEntry[];
  clearRequests(): void;
  createTransaction(input: CreateSimulatedTransactionInput): SimulatedTransaction;
  /** The raw record (as GET /_control/transactions/{id}). */
  getTransaction(transactionId: string): SimulatedTransaction;
  /** The transaction as GET /v1/transactions/{id} returns it. */
  getTransactionJson(transactionId: string): TransactionJson;
  sign(transactionId: string, email: string): SimulatedTransaction;
  refuse(transactionId: string, email: string, reason?: string): SimulatedTransaction;
  expire(transactionId: string): SimulatedTransaction;
  start(transactionId: string): SimulatedTransaction;
  cancel(transactionId: string): SimulatedTransaction;
  forceState(transactionId: string, input: ForceStateInput): SimulatedTransaction;
  failNext(transactionId: string, status: number, times: number): void;
  /** The webhook sender (deliveries, flush, setTarget, keys.rotate), or null without `webhooks`. */
  webhooks: WebhookSender | null;
  /** false: changes send no webhook (as when Universign cannot reach the endpoint); default true. */
  setWebhooksEnabled(enabled: boolean): void;
}

const MAX_BODY_BYTES = 30 * 1024 * 1024;
const JWKS_PATH = '/v1/webhooks/jwks.json';

type Params = Record<string, string>;
interface Route<Context> {
  method: string;
  pattern: string;
  handle(context: Context, params: Params): Promise<void> | void;
}

interface ApiContext {
  form: URLSearchParams;
  multipart: FormData | null;
  res: ServerResponse;
}

interface ControlContext {
  body: Record<string, unknown>;
  res: ServerResponse;
}

export async function startUniversignSimulator(options: UniversignSimulatorOptions): Promise<UniversignSimulator> {
  let origin = '';
  const webhooks = options.webhooks ? await startWebhooks(options.webhooks, options.clock) : null;
  const userHook = options.onTransactionChanged;
  let webhooksEnabled = true;
  const onTransactionChanged: TransactionChangedHook | undefined =
    webhooks || userHook
      ? (transaction, eventType, action) => {
          if (webhooksEnabled)
            webhooks?.send(eventType, action ?? transaction).catch((err: unknown) => {
              console.error(`universign simulator: webhook ${eventType} could not be sent`, err);
            });
          return userHook?.(transaction, eventType, action);
        }
      : undefined;
  const store = new UniversignSimulatorStore({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(onTransactionChanged ? { onTransactionChanged } : {}),
    signingUrl: (actionId) => `${origin}/sign/${actionId}`,
  });
  const requestLog: SimulatorRequestLogEntry[] = [];
  const requestLogLimit = options.requestLogLimit ?? 10_000;
  const clock = options.clock ?? (() => new Date());

  const apiRoutes: Array<Route<ApiContext>> = [
    {
      method: 'POST',
      pattern: '/v1/files',
      async handle({ multipart, res }) {
        const file = multipart?.get('file');
        if (!file || typeof file === 'string') throw invalid('multipart part "file" is required');
        const content = new Uint8Array(await file.arrayBuffer());
        const uploaded = store.uploadFile(file.name || 'file', file.type || 'application/octet-stream', content);
        sendJson(res, 200, { object: 'file', id: uploaded.id, name: uploaded.name, size: uploaded.size, created_at: uploaded.createdAt });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions',
      handle({ form, res }) {
        const name = optionalString(form, 'name');
        const language = optionalString(form, 'language');
        const expiresAt = optionalString(form, 'expires_at');
        const durationMinutes = optionalInteger(form, 'duration');
        const transaction = store.createTransaction({
          ...(name !== undefined ? { name } : {}),
          ...(language !== undefined ? { language } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(durationMinutes !== undefined ? { durationMinutes } : {}),
          metadata: readMetadataFields(form),
        });
        sendJson(res, 200, store.toJson(transaction));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transactions/:tx',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.toJson(store.get(need(tx))));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/documents',
      handle({ form, res }, { tx }) {
        const fileId = requiredString(form, 'document');
        const document = store.addDocument(need(tx), fileId, optionalString(form, 'name'));
        sendJson(res, 200, { object: 'document', id: document.id, name: document.name });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/documents/:doc/fields',
      handle({ form, res }, { tx, doc }) {
        const page = optionalInteger(form, 'page');
        const x = optionalInteger(form, 'x');
        const y = optionalInteger(form, 'y');
        const field = store.addField(need(tx), need(doc), {
          type: requiredString(form, 'type'),
          ...(page !== undefined ? { page } : {}),
          ...(x !== undefined ? { x } : {}),
          ...(y !== undefined ? { y } : {}),
        });
        sendJson(res, 200, { object: 'field', id: field.id, type: field.type, document: doc, page: field.page, x: field.x, y: field.y });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/signatures',
      handle({ form, res }, { tx }) {
        const signature = store.addSignature(need(tx), requiredString(form, 'signer'), requiredString(form, 'field'));
        sendJson(res, 200, { object: 'signature', signer: signature.signer, field: signature.field });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/participants',
      handle({ form, res }, { tx }) {
        const fullName = optionalString(form, 'full_name');
        const phoneNumber = optionalString(form, 'phone_number');
        const minSignatureLevel = optionalString(form, 'min_signature_level');
        const participant = store.upsertParticipant(need(tx), {
          email: requiredString(form, 'email'),
          ...(fullName !== undefined ? { fullName } : {}),
          ...(phoneNumber !== undefined ? { phoneNumber } : {}),
          ...(minSignatureLevel !== undefined ? { minSignatureLevel } : {}),
        });
        sendJson(res, 200, {
          object: 'participant',
          email: participant.email,
          full_name: participant.fullName,
          phone_number: participant.phoneNumber,
          min_signature_level: participant.minSignatureLevel,
          state: participant.state,
        });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/start',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.toJson(store.start(need(tx))));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/cancel',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.toJson(store.cancel(need(tx))));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transactions/:tx/archive/documents/:doc/download',
      handle({ res }, { tx, doc }) {
        sendPdf(res, store.signedDocument(need(tx), need(doc)), `${doc}.pdf`);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/archives/:tx/documents/:doc/download',
      handle({ res }, { tx, doc }) {
        sendPdf(res, store.signedDocument(need(tx), need(doc)), `${doc}.pdf`);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/archives/:tx/requester-attestation',
      handle({ res }, { tx }) {
        sendPdf(res, store.evidence(need(tx)), `${tx}-attestation.pdf`);
      },
    },
  ];

  const controlRoutes: Array<Route<ControlContext>> = [
    {
      method: 'POST',
      pattern: '/_control/transactions',
      handle({ body, res }) {
        const transaction = store.createDirect(body as CreateSimulatedTransactionInput);
        sendJson(res, 200, { id: transaction.id, transaction: store.toJson(transaction) });
      },
    },
    {
      method: 'GET',
      pattern: '/_control/transactions',
      handle({ res }) {
        sendJson(
          res,
          200,
          store.list().map(({ id, state, stalled }) => ({ id, state, stalled })),
        );
      },
    },
    {
      method: 'GET',
      pattern: '/_control/transactions/:tx',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.get(need(tx)));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/sign',
      handle({ body, res }, { tx }) {
        sendJson(res, 200, store.sign(need(tx), bodyString(body, 'email')));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/refuse',
      handle({ body, res }, { tx }) {
        const reason = body.reason === undefined ? undefined : bodyString(body, 'reason');
        sendJson(res, 200, store.refuse(need(tx), bodyString(body, 'email'), reason));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/expire',
      handle: ({ res }, { tx }) => sendJson(res, 200, store.expire(need(tx))),
    },
    { method: 'POST', pattern: '/_control/transactions/:tx/start', handle: ({ res }, { tx }) => sendJson(res, 200, store.start(need(tx))) },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/cancel',
      handle: ({ res }, { tx }) => sendJson(res, 200, store.cancel(need(tx))),
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/state',
      handle({ body, res }, { tx }) {
        const input: ForceStateInput = { state: bodyString(body, 'state') };
        if (body.stalled !== undefined) {
          if (typeof body.stalled !== 'boolean') throw invalid('stalled must be a boolean');
          input.stalled = body.stalled;
        }
        if (body.stalled_reason !== undefined) {
          if (body.stalled_reason !== null && typeof body.stalled_reason !== 'string') {
            throw invalid('stalled_reason must be a string or null');
          }
          input.stalledReason = body.stalled_reason;
        }
        sendJson(res, 200, store.forceState(need(tx), input));
      },
    },
    {
      method: 'POST',
      pattern: '/_control/transactions/:tx/fail',
      handle({ body, res }, { tx }) {
        store.failNext(need(tx), Number(body.status), body.times === undefined ? 1 : Number(body.times));
        sendJson(res, 200, store.get(need(tx)));
      },
    },
    { method: 'GET', pattern: '/_control/requests', handle: ({ res }) => sendJson(res, 200, requestLog) },
    {
      method: 'DELETE',
      pattern: '/_control/requests',
      handle({ res }) {
        requestLog.length = 0;
        sendJson(res, 200, { cleared: true });
      },
    },
  ];

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const auth = checkAuth(req.headers.authorization, options.apiKey);
    const contentType = req.headers['content-type'] ?? null;
    const entry: SimulatorRequestLogEntry = {
      at: clock().toISOString(),
      method: req.method ?? 'GET',
      path,
      authPresent: auth.present,
      authValid: auth.valid,
      authScheme: auth.scheme,
      contentType,
      fields: [],
      files: [],
      status: 0,
    };
    requestLog.push(entry);
    if (requestLog.length > requestLogLimit) requestLog.splice(0, requestLog.length - requestLogLimit);
    res.on('finish', () => {
      entry.status = res.statusCode;
      options.onApiRequest?.({ method: entry.method, path, transactionId: transactionIdInPath(path), status: res.statusCode });
    });

    const body = await readBody(req);
    let form = new URLSearchParams();
    let multipart: FormData | null = null;
    let bodyError: SimulatorError | null = null;
    if (body.byteLength > 0) {
      if (contentType?.startsWith('application/x-www-form-urlencoded')) {
        form = new URLSearchParams(body.toString('utf8'));
        entry.fields = [...form.entries()];
      } else if (contentType?.startsWith('multipart/form-data')) {
        multipart = await parseMultipart(body, contentType).catch((err: SimulatorError) => {
          bodyError = err;
          return null;
        });
        for (const [field, value] of multipart?.entries() ?? []) {
          if (typeof value === 'string') entry.fields.push([field, value]);
          else entry.files.push({ field, name: value.name, type: value.type, size: value.size });
        }
      } else {
        bodyError = invalid('request body must be application/x-www-form-urlencoded (multipart/form-data for /v1/files)');
      }
    }
    // The JWKS is public, as Universign's is: webhook receivers fetch it without an API key.
    if (webhooks && req.method === 'GET' && path === JWKS_PATH) {
      sendJson(res, 200, webhooks.keys.jwks());
      return;
    }
    // Authentication is checked before anything about the request itself, as a real API does.
    if (!auth.valid) {
      sendJson(res, 401, { error: 'unauthorized', message: auth.present ? 'invalid API key' : 'missing API key' });
      return;
    }
    if (bodyError) throw bodyError;
    const route = findRoute(apiRoutes, req.method, path);
    if (!route) throw new SimulatorError(404, 'not_found', `no route ${req.method} ${path}`);
    if (route.route.pattern === '/v1/files' && !multipart) throw invalid('/v1/files expects multipart/form-data');
    const transactionId = route.params.tx;
    const injected = transactionId !== undefined ? store.takeFailure(transactionId) : null;
    if (injected !== null) {
      if (injected === 429) res.setHeader('retry-after', '1');
      sendJson(res, injected, { error: 'simulated_failure', message: `simulated HTTP ${injected}` });
      return;
    }
    await route.route.handle({ form, multipart, res }, route.params);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    let body: Record<string, unknown> = {};
    if (raw.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw invalid('control body must be JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('control body must be a JSON object');
      body = parsed as Record<string, unknown>;
    }
    const route = findRoute(controlRoutes, req.method, path);
    if (!route) throw new SimulatorError(404, 'not_found', `no route ${req.method} ${path}`);
    await route.route.handle({ body, res }, route.params);
  }

  function handleSigningPage(res: ServerResponse, actionId: string): void {
    const owner = store.list().find((transaction) => transaction.actions.some((action) => action.id === actionId));
    const action = owner?.actions.find((each) => each.id === actionId);
    if (!owner || !action) throw new SimulatorError(404, 'not_found', `action ${actionId} not found`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Universign simulator</title><p>Signing link of ${escapeHtml(action.actor)} ` +
        `for ${escapeHtml(owner.id)} (${escapeHtml(action.state)}). Drive it with ` +
        `POST /_control/transactions/${escapeHtml(owner.id)}/sign or /refuse.</p>`,
    );
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const handled = path.startsWith('/v1/')
      ? handleApi(req, res, path)
      : path.startsWith('/_control/')
        ? handleControl(req, res, path)
        : path.startsWith('/sign/')
          ? Promise.resolve().then(() => handleSigningPage(res, decodeURIComponent(path.slice('/sign/'.length))))
          : Promise.reject(new SimulatorError(404, 'not_found', `no route ${req.method} ${path}`));
    handled.catch((err: unknown) => sendError(res, err));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${urlHost(options.host ?? '127.0.0.1')}:${port}`;

  return {
    url: `${origin}/v1`,
    controlUrl: `${origin}/_control`,
    port,
    store,
    webhooks,
    close: async () => {
      await webhooks?.close();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of fetch clients would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
    requests: () => requestLog.map((entry) => ({ ...entry, fields: [...entry.fields], files: [...entry.files] })),
    clearRequests: () => {
      requestLog.length = 0;
    },
    createTransaction: (input) => store.createDirect(input),
    getTransaction: (transactionId) => store.get(transactionId),
    getTransactionJson: (transactionId) => store.toJson(store.get(transactionId)),
    sign: (transactionId, email) => store.sign(transactionId, email),
    refuse: (transactionId, email, reason) => store.refuse(transactionId, email, reason),
    expire: (transactionId) => store.expire(transactionId),
    start: (transactionId) => store.start(transactionId),
    cancel: (transactionId) => store.cancel(transactionId),
    forceState: (transactionId, input) => store.forceState(transactionId, input),
    failNext: (transactionId, status, times) => store.failNext(transactionId, status, times),
    setWebhooksEnabled: (enabled) => {
      webhooksEnabled = enabled;
    },
  };
}

/** `tx_…` in `/v1/transactions/{tx}/…` or `/v1/archives/{tx}/…`. */
function transactionIdInPath(path: string): string | null {
  const match = /^\/v1\/(?:transactions|archives)\/([^/]+)/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

async function startWebhooks(options: UniversignSimulatorWebhookOptions, clock?: () => Date): Promise<WebhookSender> {
  const { keys, ...senderOptions } = options;
  return createWebhookSender({
    ...senderOptions,
    keys: keys ?? (await createWebhookKeys()),
    ...(clock ? { clock } : {}),
  });
}

function findRoute<Context>(
  routes: Array<Route<Context>>,
  method: string | undefined,
  path: string,
): { route: Route<Context>; params: Params } | null {
  const segments = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.pattern.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Params = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeSegment(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, params };
  }
  return null;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalid(`malformed path segment ${segment}`);
  }
}

/** Route parameters are present by construction of the pattern; this keeps the types honest. */
function need(value: string | undefined): string {
  if (value === undefined) throw new SimulatorError(500, 'internal_error', 'route parameter missing');
  return value;
}

function checkAuth(
  header: string | undefined,
  apiKey: string,
): { present: boolean; valid: boolean; scheme: SimulatorRequestLogEntry['authScheme'] } {
  if (!header) return { present: false, valid: false, scheme: null };
  const [scheme = '', credentials = ''] = header.split(/\s+/, 2);
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    const user = separator === -1 ? decoded : decoded.slice(0, separator);
    return { present: true, valid: user === apiKey && apiKey !== '', scheme: 'basic' };
  }
  if (scheme.toLowerCase() === 'bearer') return { present: true, valid: credentials === apiKey && apiKey !== '', scheme: 'bearer' };
  return { present: true, valid: false, scheme: 'other' };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_BODY_BYTES) throw new SimulatorError(413, 'payload_too_large', 'request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function parseMultipart(body: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Request('http://simulator/upload', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw invalid('malformed multipart body');
  }
}

/** `metadata[key]=value` pairs of a form. */
function readMetadataFields(form: URLSearchParams): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    const match = /^metadata\[(.*)\]$/.exec(key);
    if (match) metadata[match[1] ?? ''] = value;
  }
  return metadata;
}

function optionalString(form: URLSearchParams, key: string): string | undefined {
  return form.get(key) ?? undefined;
}

function requiredString(form: URLSearchParams, key: string): string {
  const value = form.get(key);
  if (value === null || value === '') throw invalid(`${key} is required`);
  return value;
}

function optionalInteger(form: URLSearchParams, key: string): number | undefined {
  const value = form.get(key);
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalid(`${key} must be an integer`);
  return Number(value);
}

function bodyString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw invalid(`${key} is required`);
  return value;
}

function invalid(message: string): SimulatorError {
  return new SimulatorError(400, 'invalid_request', message);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendPdf(res: ServerResponse, bytes: Uint8Array, fileName: string): void {
  res.writeHead(200, {
    'content-type': 'application/pdf',
    'content-length': bytes.byteLength,
    'content-disposition': `attachment; filename="${fileName.replace(/"/g, '')}"`,
  });
  res.end(bytes);
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof SimulatorError) {
    sendJson(res, err.status, { error: err.code, message: err.message });
    return;
  }
  console.error('universign simulator: unexpected error', err);
  sendJson(res, 500, { error: 'internal_error', message: 'unexpected simulator error' });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
