/**
 * Records a failed sync: the error on the transaction row and an unsuccessful sync-log entry, in
 * one SQL statement. Idempotent on the sync key, like recordSyncResult.
 */
import type { PrismaClient } from '../prisma/generated/client';
import { utcTimestamp } from './sql-time';
import type { RecordSyncFailureInput } from './sync-contracts';
import { NEW_SYNC_KEY_ONLY, wasRecorded } from './sync-key-guard';

export function createRecordSyncFailure({ prisma, clock = () => new Date() }: { prisma: PrismaClient; clock?: () => Date }) {
  return async function recordSyncFailure(input: RecordSyncFailureInput): Promise<{ recorded: boolean }> {
    const now = utcTimestamp(clock());
    const at = utcTimestamp(input.at);
    const message = `${input.error.type}: ${input.error.message}`;
    const rows = await prisma.$queryRaw<Array<{ recorded: number }>>`
      WITH upserted AS (
        INSERT INTO "signature_transactions" AS t (
          "id", "universign_id", "workflow_id", "sage_document_type", "sage_document_number",
          "last_sync_error", "last_sync_error_at", "last_sync_key", "created_at", "updated_at")
        VALUES (gen_random_uuid(), ${input.transactionId}, ${input.workflowId}, ${input.sageDocument?.type ?? null},
                ${input.sageDocument?.number ?? null}, ${message}, ${at}, ${input.syncKey}, ${now}, ${now})
        ON CONFLICT ("universign_id") DO UPDATE SET
          "workflow_id" = EXCLUDED."workflow_id",
          "last_sync_error" = EXCLUDED."last_sync_error",
          "last_sync_error_at" = EXCLUDED."last_sync_error_at",
          "last_sync_key" = EXCLUDED."last_sync_key",
          "updated_at" = EXCLUDED."updated_at"
        ${NEW_SYNC_KEY_ONLY}
        RETURNING t."id"
      ),
      logged AS (
        INSERT INTO "sync_log" ("sync_key", "transaction_id", "source", "previous_status", "new_status", "status_changed",
                                "success", "error", "details", "created_at")
        SELECT ${input.syncKey}, upserted."id", ${input.source}, ${input.status}::"SignatureStatus",
               ${input.status}::"SignatureStatus", false, false, ${message}, ${JSON.stringify({ terminal: input.terminal })}::jsonb, ${now}
        FROM upserted
        ON CONFLICT ("sync_key") DO NOTHING
      )
      SELECT count(*)::int AS "recorded" FROM upserted`;
    return wasRecorded(rows);
  };
}
