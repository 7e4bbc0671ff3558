/**
 * What makes the sync records idempotent, shared by the statements that write a sync in full:
 * the row's upsert happens only for a sync key not already written (neither the row's last key
 * nor a sync-log entry), and the statement reports whether it wrote.
 */
import { Prisma } from '../prisma/generated/client';

/** The ON CONFLICT … DO UPDATE condition of an upsert of `signature_transactions AS t`. */
export const NEW_SYNC_KEY_ONLY = Prisma.sql`
  WHERE t."last_sync_key" IS DISTINCT FROM EXCLUDED."last_sync_key"
    AND NOT EXISTS (SELECT 1 FROM "sync_log" l WHERE l."sync_key" = EXCLUDED."last_sync_key")`;

/** The rows a `SELECT count(*)::int AS "recorded" FROM upserted` returned, as the activity's answer. */
export function wasRecorded(rows: Array<{ recorded: number }>): { recorded: boolean } {
  return { recorded: (rows[0]?.recorded ?? 0) > 0 };
}
