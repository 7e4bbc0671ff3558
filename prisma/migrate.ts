/**
 * The migration runner used in every environment (dev, tests, CI, production): applies the
 * pending prisma/migrations to a database, recording them in `_prisma_migrations` exactly as
 * `prisma migrate deploy` would, through the WebAssembly schema engine.
 *
 * CLI: `npm run db:migrate` applies to DATABASE_URL.
 */
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_DIR, readMigrationsFolder } from './migrations-folder';
import { openSchemaEngine } from './schema-engine';

const NO_FILTER = { externalTables: [], externalEnums: [] };

export interface ApplyMigrationsOptions {
  /** prisma/migrations unless told otherwise (tests use their own folders). */
  migrationsDir?: string;
}

/** Applies what is pending, in name order; re-applying is a no-op. Returns the names applied. */
export async function applyMigrations(
  databaseUrl: string,
  { migrationsDir = MIGRATIONS_DIR }: ApplyMigrationsOptions = {},
): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrationsFolder(migrationsDir);
  const { engine, close } = await openSchemaEngine(databaseUrl);
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { applied: appliedMigrationNames };
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set: give the PostgreSQL URL to migrate, e.g. postgresql://user@host:5432/db');
    process.exitCode = 1;
    return;
  }
  const { applied } = await applyMigrations(databaseUrl);
  console.log(
    applied.length
      ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}`
      : 'Database is up to date: no migration to apply.',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
