/**
 * A local HTTP stand-in for the Universign REST API v1, speaking the wire format of
 * shared/universign-api.md (form-encoded requests, multipart upload, JSON with "object", Basic or
 * Bearer auth), plus an unauthenticated JSON control API under /_control to drive tests and demos.
 * This file starts the server and dispatches by path: /v1 to universign-simulator-api-handler.ts,
 * /_control to universign-simulator-control-api.ts, /sign to the signing page; state and rules live
 * in universign-simulator-store.ts. With `webhooks`, every change is also delivered as a signed
 * webhook (universign-webhook-sender.ts) and the public keys are served at /v1/webhooks/jwks.json.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CreateSimulatedTransactionInput, ForceStateInput, SimulatedTransaction } from './simulated-transaction';
import type { TransactionChangedHook, TransactionJson } from './simulated-transaction-json';
import { createApiHandler, type SimulatorRequestLogEntry } from './universign-simulator-api-handler';
import { createControlHandler } from './universign-simulator-control-api';
import { SimulatorError } from './universign-simulator-error';
import { sendError } from './universign-simulator-http';
import { type OutageInput, type OutageState, SimulatedOutage } from './universign-simulator-outage';
import { handleSigningPage } from './universign-simulator-signing-page';
import { UniversignSimulatorStore } from './universign-simulator-store';
import { createWebhookKeys, type WebhookKeys } from './universign-webhook-keys';
import { createWebhookSender, type WebhookSender, type WebhookSenderOptions } from './universign-webhook-sender';

// The simulator's entry point also exports what its users most often need alongside it.
export { evidencePdfFor, signedPdfFor } from './simulated-archive-pdfs';
export type { SimulatedEventType, TransactionChangedHook, TransactionJson } from './simulated-transaction-json';
export type { OutageInput, OutageState } from './universign-simulator-outage';
export type { WebhookDeliveryAttempt } from './universign-webhook-delivery';
export type { WebhookEvent } from './universign-webhook-event';
export { signWebhookBody } from './universign-webhook-event';
export type { WebhookKeys, WebhookSigningKey } from './universign-webhook-keys';
export type { WebhookSender } from './universign-webhook-sender';

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
  /** Opens an outage of the whole REST API (JWKS excepted): every call fails or hangs until it ends. */
  startOutage(input: OutageInput): OutageState;
  /** The open outage (with the calls it took so far), or null. */
  outageState(): OutageState | null;
  endOutage(): void;
  /** The webhook sender (deliveries, flush, setTarget, keys.rotate), or null without `webhooks`. */
  webhooks: WebhookSender | null;
  /** false: changes send no webhook (as when Universign cannot reach the endpoint); default true. */
  setWebhooksEnabled(enabled: boolean): void;
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
  const outage = new SimulatedOutage();
  const handleApi = createApiHandler({
    outage,
    apiKey: options.apiKey,
    clock,
    store,
    webhooks,
    requestLog,
    requestLogLimit,
    ...(options.onApiRequest ? { onApiRequest: options.onApiRequest } : {}),
  });
  const handleControl = createControlHandler(store, requestLog, outage, clock);

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const handled = path.startsWith('/v1/')
      ? handleApi(req, res, path)
      : path.startsWith('/_control/')
        ? handleControl(req, res, path)
        : path.startsWith('/sign/')
          ? Promise.resolve().then(() => handleSigningPage(store, res, decodeURIComponent(path.slice('/sign/'.length))))
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
      outage.end();
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
    startOutage: (input) => outage.start(input, clock()),
    outageState: () => outage.state(),
    endOutage: () => outage.end(),
    setWebhooksEnabled: (enabled) => {
      webhooksEnabled = enabled;
    },
  };
}

async function startWebhooks(options: UniversignSimulatorWebhookOptions, clock?: () => Date): Promise<WebhookSender> {
  const { keys, ...senderOptions } = options;
  return createWebhookSender({
    ...senderOptions,
    keys: keys ?? (await createWebhookKeys()),
    ...(clock ? { clock } : {}),
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
