/**
 * Records a sync that changed something (status, Universign state, signers, dates…): the
 * transaction row, its signers and a sync-log entry, in one SQL statement (one round trip,
 * atomic). Keyed by the sync key: a retried or replayed call finds the key already written and
 * writes nothing more.
 */
import { Prisma, type PrismaClient } from '../prisma/generated/client';
import type { LocalStatus } from '../workflows/status-machine';
import { toIso, utcTimestamp } from './sql-time';
import type { RecordSyncInput, RecordSyncResult } from './sync-contracts';
import { NEW_SYNC_KEY_ONLY, wasRecorded } from './sync-key-guard';
import type { SignerSnapshot, TransactionSnapshot } from './transaction-snapshot';

export interface RecordSyncDeps {
  prisma: PrismaClient;
  clock?: () => Date;
}

export function createRecordSyncResult({ prisma, clock = () => new Date() }: RecordSyncDeps) {
  return async function recordSyncResult(input: RecordSyncInput): Promise<RecordSyncResult> {
    const snapshot = input.snapshot;
    const now = utcTimestamp(clock());
    const syncedAt = utcTimestamp(snapshot.fetchedAt);
    const dates = statusDates(input.status, snapshot);
    const signers = JSON.stringify(
      snapshot.signers.map((signer, position) => ({
        email: signer.email,
        name: signer.name,
        state: signer.state,
        url: signer.url,
        position,
        signed_at: toIso(signer.signedAt),
        refused_at: toIso(signer.refusedAt),
      })),
    );
    const details = JSON.stringify({
      stalled: snapshot.stalled,
      stalledReason: snapshot.stalledReason,
      conflict: input.conflict,
      signers: snapshot.signers.map((signer) => ({ email: signer.email, state: signer.state })),
    });
    const status = Prisma.sql`${input.status}::"SignatureStatus"`;
    const rows = await prisma.$queryRaw<Array<{ recorded: number }>>`
      WITH upserted AS (
        INSERT INTO "signature_transactions" AS t (
          "id", "universign_id", "workflow_id", "sage_document_type", "sage_document_number", "name",
          "universign_state", "stalled", "stalled_reason", "status", "sent_at", "expires_at",
          "signed_at", "refused_at", "expired_at", "cancelled_at", "signer_url", "document_ids",
          "last_synced_at", "sync_count", "webhook_received", "last_sync_key", "created_at", "updated_at")
        VALUES (
          gen_random_uuid(), ${input.transactionId}, ${input.workflowId}, ${input.sageDocument?.type ?? null},
          ${input.sageDocument?.number ?? null}, ${snapshot.name}, ${snapshot.state}, ${snapshot.stalled},
          ${snapshot.stalledReason}, ${status}, ${utcTimestamp(snapshot.startedAt)}, ${utcTimestamp(snapshot.expiresAt)},
          ${utcTimestamp(dates.signedAt)}, ${utcTimestamp(dates.refusedAt)}, ${utcTimestamp(dates.expiredAt)},
          ${utcTimestamp(dates.cancelledAt)}, ${nextSignerUrl(snapshot.signers)},
          ${snapshot.documents.map((document) => document.id)}::text[], ${syncedAt}, 1, ${input.webhookReceived},
          ${input.syncKey}, ${now}, ${now})
        ON CONFLICT ("universign_id") DO UPDATE SET
          "workflow_id" = EXCLUDED."workflow_id",
          "sage_document_type" = COALESCE(EXCLUDED."sage_document_type", t."sage_document_type"),
          "sage_document_number" = COALESCE(EXCLUDED."sage_document_number", t."sage_document_number"),
          "name" = EXCLUDED."name",
          "universign_state" = EXCLUDED."universign_state",
          "stalled" = EXCLUDED."stalled",
          "stalled_reason" = EXCLUDED."stalled_reason",
          "status" = EXCLUDED."status",
          "sent_at" = COALESCE(EXCLUDED."sent_at", t."sent_at"),
          "expires_at" = EXCLUDED."expires_at",
          -- The date a final status was reached is set once.
          "signed_at" = COALESCE(t."signed_at", EXCLUDED."signed_at"),
          "refused_at" = COALESCE(t."refused_at", EXCLUDED."refused_at"),
          "expired_at" = COALESCE(t."expired_at", EXCLUDED."expired_at"),
          "cancelled_at" = COALESCE(t."cancelled_at", EXCLUDED."cancelled_at"),
          "signer_url" = EXCLUDED."signer_url",
          "document_ids" = EXCLUDED."document_ids",
          "last_synced_at" = EXCLUDED."last_synced_at",
          "sync_count" = t."sync_count" + 1,
          "webhook_received" = t."webhook_received" OR EXCLUDED."webhook_received",
          "last_sync_error" = NULL,
          "last_sync_error_at" = NULL,
          "last_sync_key" = EXCLUDED."last_sync_key",
          "updated_at" = EXCLUDED."updated_at"
        ${NEW_SYNC_KEY_ONLY}
        RETURNING t."id"
      ),
      incoming AS (
        SELECT * FROM jsonb_to_recordset(${signers}::jsonb)
          AS s("email" text, "name" text, "state" text, "url" text, "position" int, "signed_at" text, "refused_at" text)
      ),
      removed AS (
        DELETE FROM "signers" USING upserted
        WHERE "signers"."transaction_id" = upserted."id" AND "signers"."email" NOT IN (SELECT "email" FROM incoming)
      ),
      kept AS (
        INSERT INTO "signers" AS s ("id", "transaction_id", "email", "name", "state", "url", "position", "signed_at", "refused_at", "updated_at")
        SELECT gen_random_uuid(), upserted."id", i."email", i."name", i."state", i."url", i."position",
               i."signed_at"::timestamptz AT TIME ZONE 'UTC', i."refused_at"::timestamptz AT TIME ZONE 'UTC', ${now}
        FROM upserted CROSS JOIN incoming i
        ON CONFLICT ("transaction_id", "email") DO UPDATE SET
          "name" = EXCLUDED."name", "state" = EXCLUDED."state", "url" = EXCLUDED."url", "position" = EXCLUDED."position",
          "signed_at" = EXCLUDED."signed_at", "refused_at" = EXCLUDED."refused_at", "updated_at" = EXCLUDED."updated_at"
      ),
      logged AS (
        INSERT INTO "sync_log" ("sync_key", "transaction_id", "source", "previous_status", "new_status", "status_changed",
                                "universign_state", "success", "details", "created_at")
        SELECT ${input.syncKey}, upserted."id", ${input.source}, ${input.previousStatus}::"SignatureStatus", ${status},
               ${input.statusChanged}, ${snapshot.state}, true, ${details}::jsonb, ${now}
        FROM upserted
        ON CONFLICT ("sync_key") DO NOTHING
      )
      SELECT count(*)::int AS "recorded" FROM upserted`;
    return wasRecorded(rows);
  };
}

/** The candidate date of the status reached (kept only if none was recorded), from Universign's own dates when it gives them. */
function statusDates(status: LocalStatus, snapshot: TransactionSnapshot) {
  const syncedAt = snapshot.fetchedAt;
  const none = { signedAt: null, refusedAt: null, expiredAt: null, cancelledAt: null };
  switch (status) {
    case 'SIGNE':
      return { ...none, signedAt: toIso(snapshot.completedAt) ?? latest(snapshot.signers, 'signedAt') ?? syncedAt };
    case 'REFUSE':
      return { ...none, refusedAt: latest(snapshot.signers, 'refusedAt') ?? syncedAt };
    case 'EXPIRE':
      return { ...none, expiredAt: syncedAt };
    case 'ANNULE':
      return { ...none, cancelledAt: toIso(snapshot.cancelledAt) ?? syncedAt };
    default:
      return none;
  }
}

const DONE_SIGNER_STATES = new Set(['completed', 'signed', 'closed', 'refused']);

function nextSignerUrl(signers: SignerSnapshot[]): string | null {
  return signers.find((signer) => signer.url && !DONE_SIGNER_STATES.has(signer.state))?.url ?? null;
}

function latest(signers: SignerSnapshot[], field: 'signedAt' | 'refusedAt'): string | null {
  const times = signers.map((signer) => toIso(signer[field])).filter((iso): iso is string => iso !== null);
  return times.length === 0 ? null : (times.sort().at(-1) ?? null);
}
