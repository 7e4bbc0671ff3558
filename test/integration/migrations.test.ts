/**
 * The migration runner against a real server (DATABASE_URL) or the embedded one (unset): the
 * committed migrations apply to an empty database and record themselves as `prisma migrate
 * deploy` does, a second run does nothing, and Prisma Client works on the result.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { applyMigrations } from '../../prisma/migrate';
import { MIGRATIONS_DIR } from '../../prisma/migrations-folder';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe('committed migrations', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(() => db?.close());

  test('apply to an empty database, recorded like prisma migrate deploy', async () => {
    const expected = await committedMigrations();
    assert.ok(expected.length > 0, 'prisma/migrations holds at least the init migration');

    const { applied } = await applyMigrations(db.url);
    assert.deepEqual(applied, expected);

    const rows = await query<{ migration_name: string; checksum: string; done: boolean; rolled_back: boolean }>(
      db.url,
      `SELECT migration_name, checksum, finished_at IS NOT NULL AS done, rolled_back_at IS NOT NULL AS rolled_back
       FROM _prisma_migrations ORDER BY migration_name`,
    );
    assert.deepEqual(
      rows.map((row) => row.migration_name),
      expected,
    );
    for (const row of rows) {
      assert.equal(row.done, true);
      assert.equal(row.rolled_back, false);
      const script = await readFile(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(script).digest('hex'), 'checksum of migration.sql');
    }

    const tables = await query<{ table_name: string }>(
      db.url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    // Every table the schema declares, and nothing else.
    const schema = await readFile(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
    const declared = [...schema.matchAll(/@@map\("([a-z_]+)"\)/g)].map((match) => match[1] as string);
    assert.ok(declared.includes('signature_transactions') && declared.includes('webhook_events'));
    assert.deepEqual(
      tables.map((row) => row.table_name),
      ['_prisma_migrations', ...declared].sort(),
    );
  });

  test('re-applying is a no-op', async () => {
    assert.deepEqual(await applyMigrations(db.url), { applied: [] });
    const [row] = await query<{ count: string }>(db.url, 'SELECT count(*) FROM _prisma_migrations');
    assert.equal(Number(row?.count), (await committedMigrations()).length);
  });

  test('Prisma Client writes and reads a transaction with its signers and sync log', async () => {
    const { prisma } = db;
    const created = await prisma.signatureTransaction.create({
      data: {
        universignId: 'tr_migrations_test',
        workflowId: 'universign-tr_migrations_test',
        sageDocumentType: 'devis',
        sageDocumentNumber: 'DE00042',
        status: 'EN_COURS',
        universignState: 'started',
        sentAt: new Date('2025-03-01T09:00:00.000Z'),
        documentIds: ['doc_1', 'doc_2'],
        signers: {
          create: [
            { email: 'alice@example.com', name: 'Alice', state: 'open', position: 0 },
            { email: 'bob@example.com', state: 'waiting', position: 1 },
          ],
        },
        syncLog: {
          create: {
            syncKey: 'universign-tr_migrations_test/1',
            source: 'webhook',
            previousStatus: 'EN_ATTENTE',
            newStatus: 'EN_COURS',
            statusChanged: true,
            universignState: 'started',
            success: true,
            details: { eventId: 'evt_1', signers: 2 },
          },
        },
      },
    });

    const read = await prisma.signatureTransaction.findUniqueOrThrow({
      where: { universignId: 'tr_migrations_test' },
      include: { signers: { orderBy: { position: 'asc' } }, syncLog: true },
    });
    assert.equal(read.id, created.id);
    assert.equal(read.status, 'EN_COURS');
    assert.deepEqual(read.documentIds, ['doc_1', 'doc_2']);
    assert.equal(read.sentAt?.toISOString(), '2025-03-01T09:00:00.000Z');
    assert.deepEqual(
      read.signers.map((signer) => [signer.email, signer.name, signer.state]),
      [
        ['alice@example.com', 'Alice', 'open'],
        ['bob@example.com', null, 'waiting'],
      ],
    );
    assert.equal(read.syncLog.length, 1);
    const [entry] = read.syncLog;
    assert.equal(typeof entry?.id, 'bigint');
    assert.equal(entry?.newStatus, 'EN_COURS');
    assert.deepEqual(entry?.details, { eventId: 'evt_1', signers: 2 });

    // The sync key is what makes a retried activity write nothing more.
    await assert.rejects(
      prisma.syncLogEntry.create({
        data: { syncKey: 'universign-tr_migrations_test/1', transactionId: created.id, source: 'poll', success: true },
      }),
      (err: { code?: string }) => err.code === 'P2002',
    );

    await prisma.signatureTransaction.delete({ where: { id: created.id } });
    assert.equal(await prisma.signer.count({ where: { transactionId: created.id } }), 0, 'signers cascade');
    assert.equal(await prisma.syncLogEntry.count({ where: { transactionId: created.id } }), 0, 'sync log cascades');
  });
});

describe('a migration script', () => {
  let db: TestDatabase;
  let dir: string;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
    dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  });
  after(async () => {
    await db?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function addMigration(name: string, sql: string): Promise<void> {
    await mkdir(join(dir, name));
    await writeFile(join(dir, name, 'migration.sql'), sql);
  }

  test("runs whole: ';' inside literals and $$ bodies survives", async () => {
    await addMigration(
      '20250101000000_semicolons',
      `CREATE TABLE "notes" ("body" TEXT NOT NULL);
INSERT INTO "notes" ("body") VALUES ('first; second');
DO $$ BEGIN INSERT INTO "notes" ("body") VALUES ('from a block;'); END $$;
`,
    );
    assert.deepEqual(await applyMigrations(db.url, { migrationsDir: dir }), { applied: ['20250101000000_semicolons'] });
    const notes = await query<{ body: string }>(db.url, 'SELECT body FROM notes ORDER BY body');
    assert.deepEqual(
      notes.map((row) => row.body),
      ['first; second', 'from a block;'],
    );
  });

  test('that fails leaves nothing half-applied and is recorded as failed', async () => {
    await addMigration(
      '20250102000000_fails',
      `CREATE TABLE "half_done" ("id" INTEGER);
SELECT 1 / 0;
`,
    );
    await assert.rejects(applyMigrations(db.url, { migrationsDir: dir }), /division by zero/);
    const [table] = await query<{ exists: boolean }>(db.url, `SELECT to_regclass('public.half_done') IS NOT NULL AS exists`);
    assert.equal(table?.exists, false);
    const [failed] = await query<{ finished: boolean }>(
      db.url,
      `SELECT finished_at IS NOT NULL AS finished FROM _prisma_migrations WHERE migration_name = '20250102000000_fails'`,
    );
    assert.equal(failed?.finished, false);
  });
});
