/**
 * Builds the activities of the signature workflow from their dependencies, so the worker wires
 * real clients and tests wire whatever they need.
 */
import type { PrismaClient } from '../prisma/generated/client';
import { createFetchUniversignTransaction } from './fetch-universign-transaction';
import { createRecordSyncFailure } from './record-sync-failure';
import { createRecordSyncResult } from './record-sync-result';
import type { createUniversignClient } from './universign-client';

export interface SyncActivityDeps {
  prisma: PrismaClient;
  universign: ReturnType<typeof createUniversignClient>;
  clock?: () => Date;
}

export function createSyncActivities({ prisma, universign, clock = () => new Date() }: SyncActivityDeps) {
  return {
    fetchUniversignTransaction: createFetchUniversignTransaction({ universign, clock }),
    recordSyncResult: createRecordSyncResult({ prisma }),
    recordSyncFailure: createRecordSyncFailure({ prisma }),
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
