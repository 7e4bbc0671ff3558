/**
 * The benchmark's database: a fresh `bench_<pid>` database on the PostgreSQL server of
 * BENCH_DATABASE_URL or DATABASE_URL (dropped again at cleanup), or, when no server answers, an
 * embedded PGlite in the run's work directory.
 */
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';

export interface BenchDatabase {
  url: string;
  kind: 'postgresql' | 'embedded';
  server: string;
}

/** Creates the database; its cleanup is put first in `register`. */
export async function createBenchDatabase(options: {
  log: (line: string) => void;
  workDir: string;
  register: Array<() => Promise<unknown>>;
}): Promise<BenchDatabase> {
  const { log, workDir, register } = options;
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    log('PostgreSQL not reachable: using the embedded database (PGlite runs one transaction at a time; figures are not representative)');
    const embedded = await startEmbeddedPostgres({ dataDir: join(workDir, 'pglite') });
    register.unshift(() => embedded.stop());
    return { url: embedded.url, kind: 'embedded' as const, server: 'PGlite' };
  }
  const name = `bench_${process.pid}`;
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  register.unshift(async () => {
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await dropper.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), kind: 'postgresql' as const, server: `PostgreSQL ${version} at ${url.host}` };
}
