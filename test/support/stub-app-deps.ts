/**
 * The app's dependencies for a test that drives it without servers: each part the test does not
 * pass is an empty stand-in (a call into it fails loudly), and the settings are a unit test's.
 */
import type { Client } from '@temporalio/client';
import type { SageGatewayClient } from '../../activities/sage-gateway-client';
import type { UniversignClient } from '../../activities/universign-client';
import type { AppDeps, AppSettings } from '../../api/app-deps';
import type { UniversignKeySet } from '../../api/webhooks/universign-jwks';
import type { PrismaClient } from '../../prisma/generated/client';
import type { WebhookStore } from '../../shared/webhooks/webhook-store';

export interface StubAppDepsInput {
  /** Stand-ins: only the members the test calls. */
  prisma?: unknown;
  webhooks?: unknown;
  temporal?: unknown;
  universign?: unknown;
  /** Absent: no Sage gateway, documents are not checked. */
  sage?: unknown;
  settings: Pick<AppSettings, 'apiTokens' | 'webhookMaxBytes'> & Partial<AppSettings>;
}

export function stubAppDeps(input: StubAppDepsInput): AppDeps {
  return {
    prisma: (input.prisma ?? {}) as PrismaClient,
    webhooks: (input.webhooks ?? {}) as WebhookStore,
    temporal: (input.temporal ?? {}) as Client,
    universign: (input.universign ?? {}) as UniversignClient,
    sage: (input.sage ?? null) as SageGatewayClient | null,
    keySet: (async () => {
      throw new Error('not used');
    }) as unknown as UniversignKeySet,
    settings: { signatureHeader: 'x-jws-signature', taskQueue: 'unit', poll: {}, redeliveryIntervalMs: 0, ...input.settings },
  };
}
