/**
 * A migrated database of its own for one test file.
 * - DATABASE_URL set (CI: a real PostgreSQL): a fresh, uniquely named database on that server,
 *   so test files running in parallel never see each other's rows; dropped on close.
 * - DATABASE_URL unset: an in-memory embedded server (PGlite) on a free port.
 * Both are migrated with the project's own runner, as production is.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPrismaClient } from '../../activities/create-prisma-client';
import type { PrismaClient } from '../../prisma/generated/client';
import { applyMigrations } from '../../prisma/migrate';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  close(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** false: leave it empty (tests of the migrations themselves). */
  migrate?: boolean;
}

export async function createTestDatabase({ migrate = true }: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  const database = serverUrl ? await createDatabaseOn(serverUrl) : await startEmbedded();
  try {
    if (migrate) await applyMigrations(database.url);
  } catch (err) {
    await database.drop();
    throw err;
  }
  const prisma = createPrismaClient(database.url);
  let closing: Promise<void> | undefined;
  return {
    url: database.url,
    prisma,
    close() {
      closing ??= prisma.$disconnect().finally(() => database.drop());
      return closing;
    },
  };
}

interface Disposable {
  url: string;
  drop(): Promise<void>;
}

async function startEmbedded(): Promise<Disposable> {
  const server = await startEmbeddedPostgres();
  return { url: server.url, drop: () => server.stop() };
}

async function createDatabaseOn(serverUrl: string): Promise<Disposable> {
  // Lower case, no quoting surprises; pid and randomness keep parallel files apart.
  const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      // FORCE: a connection a failed test left open must not keep the database alive.
      withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withAdminClient(serverUrl: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
