/**
 * How the simulator answers one /v1 API call, before the route itself: it logs the call (auth
 * outcome, fields, files, status — never the key), parses the form-encoded or multipart body,
 * serves the public JWKS, answers (or hangs) during an outage a test opened, checks the API key (Basic or Bearer), and answers any failure a test
 * injected for the transaction, then hands over to the route (universign-simulator-api-routes.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApiRoutes } from './universign-simulator-api-routes';
import { invalid, SimulatorError } from './universign-simulator-error';
import { findRoute, parseMultipart, readBody, sendJson } from './universign-simulator-http';
import type { SimulatedOutage } from './universign-simulator-outage';
import type { UniversignSimulatorStore } from './universign-simulator-store';
import type { WebhookSender } from './universign-webhook-sender';

const JWKS_PATH = '/v1/webhooks/jwks.json';

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

export interface ApiHandlerOptions {
  apiKey: string;
  clock: () => Date;
  store: UniversignSimulatorStore;
  /** Serves its JWKS when set. */
  webhooks: WebhookSender | null;
  /** Appended to, and kept to `requestLogLimit` entries. */
  requestLog: SimulatorRequestLogEntry[];
  requestLogLimit: number;
  /** An outage window a test opened: it takes every call but the JWKS while it lasts. */
  outage?: SimulatedOutage;
  onApiRequest?: (request: { method: string; path: string; transactionId: string | null; status: number }) => void;
}

export function createApiHandler(options: ApiHandlerOptions): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> {
  const { clock, store, webhooks, requestLog, requestLogLimit } = options;
  const apiRoutes = createApiRoutes(store);
  return async (req, res, path) => {
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
    if (options.outage?.intercept(res)) return;
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
  };
}

/** `tx_…` in `/v1/transactions/{tx}/…` or `/v1/archives/{tx}/…`. */
function transactionIdInPath(path: string): string | null {
  const match = /^\/v1\/(?:transactions|archives)\/([^/]+)/.exec(path);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
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
