/**
 * Reads prisma/migrations the way the Prisma CLI hands it to the schema engine: every
 * sub-directory is one migration (sorted by name), with its migration.sql and the shared
 * migration_lock.toml.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';

export const MIGRATIONS_DIR = new URL('./migrations', import.meta.url).pathname;
export const LOCKFILE_NAME = 'migration_lock.toml';

export async function readMigrationsFolder(baseDir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  // No lock file yet (no migration written) is fine; an unreadable one is an error.
  const lockContent = await readFile(join(baseDir, LOCKFILE_NAME), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  const entries = await readdir(baseDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: 'migration.sql',
          // The engine reports an unreadable script itself, naming the migration.
          content: await readFile(join(baseDir, entry.name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (err: Error) => ({ tag: 'error' as const, value: err.message }),
          ),
        },
      })),
  );
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}
