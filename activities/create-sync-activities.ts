/**
 * Builds the activities of the signature workflow from their dependencies, so the worker wires
 * real clients and tests wire whatever they need.
 */
import type { PrismaClient } from '../prisma/generated/client';
import { createFetchUniversignTransaction } from './fetch-universign-transaction';
import { createRecordQuietSync } from './record-quiet-sync';
import { createRecordSyncFailure } from './record-sync-failure';
import { createRecordSyncResult } from './record-sync-result';
import type { RecordSyncInput, SyncSource } from './sync-contracts';
import type { SyncMetrics, SyncOutcome } from './sync-metrics';
import type { createUniversignClient } from './universign-client';

export interface SyncActivityDeps {
  prisma: PrismaClient;
  universign: ReturnType<typeof createUniversignClient>;
  clock?: () => Date;
  metrics?: SyncMetrics;
}

export function createSyncActivities({ prisma, universign, clock = () => new Date(), metrics }: SyncActivityDeps) {
  // Each sync counted once: a retried record that wrote nothing is not counted again.
  const counted =
    <Input extends { source: SyncSource }, Result extends { recorded: boolean }>(
      record: (input: Input) => Promise<Result>,
      outcome: SyncOutcome,
    ) =>
    async (input: Input): Promise<Result> => {
      const result = await record(input);
      if (result.recorded) metrics?.syncRecorded(input.source, outcome);
      return result;
    };
  const recordSyncResult = createRecordSyncResult({ prisma, clock });
  return {
    fetchUniversignTransaction: createFetchUniversignTransaction({ universign, clock, ...(metrics ? { metrics } : {}) }),
    recordSyncResult: counted(async (input: RecordSyncInput) => {
      const result = await recordSyncResult(input);
      if (result.recorded && input.statusChanged) metrics?.statusChanged(input.previousStatus, input.status);
      return result;
    }, 'changed'),
    recordQuietSync: counted(createRecordQuietSync({ prisma, clock }), 'quiet'),
    recordSyncFailure: counted(createRecordSyncFailure({ prisma, clock }), 'failed'),
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
