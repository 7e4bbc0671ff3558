/**
 * Builds the activities of the signature workflow from their dependencies, so the worker wires
 * real clients and tests wire whatever they need.
 */
import type { PrismaClient } from '../prisma/generated/client';
import { createFetchUniversignTransaction } from './fetch-universign-transaction';
import { createRecordQuietSync } from './record-quiet-sync';
import { createRecordSyncFailure } from './record-sync-failure';
import { createRecordSyncResult } from './record-sync-result';
import type { RecordQuietSyncInput, RecordSyncFailureInput, RecordSyncInput } from './sync-contracts';
import type { SyncMetrics } from './sync-metrics';
import type { createUniversignClient } from './universign-client';

export interface SyncActivityDeps {
  prisma: PrismaClient;
  universign: ReturnType<typeof createUniversignClient>;
  clock?: () => Date;
  metrics?: SyncMetrics;
}

export function createSyncActivities({ prisma, universign, clock = () => new Date(), metrics }: SyncActivityDeps) {
  const recordSyncResult = createRecordSyncResult({ prisma, clock });
  const recordQuietSync = createRecordQuietSync({ prisma, clock });
  const recordSyncFailure = createRecordSyncFailure({ prisma, clock });
  return {
    fetchUniversignTransaction: createFetchUniversignTransaction({ universign, clock, ...(metrics ? { metrics } : {}) }),
    async recordSyncResult(input: RecordSyncInput) {
      const result = await recordSyncResult(input);
      if (result.recorded) metrics?.syncRecorded(input.source, 'changed');
      return result;
    },
    async recordQuietSync(input: RecordQuietSyncInput) {
      const result = await recordQuietSync(input);
      if (result.recorded) metrics?.syncRecorded(input.source, 'quiet');
      return result;
    },
    async recordSyncFailure(input: RecordSyncFailureInput) {
      const result = await recordSyncFailure(input);
      if (result.recorded) metrics?.syncRecorded(input.source, 'failed');
      return result;
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
