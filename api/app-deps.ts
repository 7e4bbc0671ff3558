/**
 * What the HTTP app needs from the outside, injected by the process entry or by tests.
 * Declared on the Fastify instance so routes reach it as `app.deps`.
 */
import type { Client } from '@temporalio/client';
import type { SageGatewayClient } from '../activities/sage-gateway-client';
import type { UniversignClient } from '../activities/universign-client';
import type { PrismaClient } from '../prisma/generated/client';
import type { WebhookStore } from '../shared/webhooks/webhook-store';
import type { PollSettings } from '../workflows/messages';
import type { UniversignKeySet } from './webhooks/universign-jwks';

export interface AppSettings {
  /** Bearer tokens accepted on /api/*. */
  apiTokens: string[];
  /** Lower-case name of the header carrying Universign's detached JWS. */
  signatureHeader: string;
  webhookMaxBytes: number;
  taskQueue: string;
  /** Poll cadence given to workflows the API starts. */
  poll: PollSettings;
  /** How often events recorded but not yet signalled are redelivered; 0 turns it off. */
  redeliveryIntervalMs: number;
  /** How long POST /api/signature-requests waits for the transaction to be started before answering 202 (default 20 s). */
  sendWaitMs?: number;
}

export interface AppDeps {
  prisma: PrismaClient;
  /** The webhook audit table's hot path (plain SQL on a pool of its own). */
  webhooks: WebhookStore;
  temporal: Client;
  /** The client webhook deliveries signal through (a native connection in production); `temporal` when absent. */
  signalClient?: () => Promise<Client>;
  universign: UniversignClient;
  /** The Sage gateway, to check a document exists before sending it; null: no gateway configured, documents are not checked. */
  sage: SageGatewayClient | null;
  keySet: UniversignKeySet;
  settings: AppSettings;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
  }
}
