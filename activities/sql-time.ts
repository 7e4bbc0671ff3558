/**
 * Times for hand-written SQL. The schema's columns are `timestamp(3)` holding UTC, as Prisma
 * writes them; raw statements receive ISO-8601 text and convert it with `utcTimestamp`, so the
 * session's time zone never matters.
 */
import { Prisma } from '../prisma/generated/client';

/** `$value::timestamptz AT TIME ZONE 'UTC'`, or NULL for a missing or unparsable date. */
export function utcTimestamp(value: string | Date | null | undefined): Prisma.Sql {
  const iso = toIso(value);
  return iso === null ? Prisma.sql`NULL::timestamp` : Prisma.sql`(${iso}::timestamptz AT TIME ZONE 'UTC')`;
}

export function toIso(value: string | Date | null | undefined): string | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
