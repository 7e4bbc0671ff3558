/**
 * A PostgreSQL-compatible server inside this process (PGlite, PostgreSQL compiled to WebAssembly)
 * speaking the wire protocol on 127.0.0.1, for when no DATABASE_URL is given.
 *
 * PGlite runs one transaction at a time across all its connections: while one connection has a
 * transaction open, the others wait. Never wait on another connection from inside a transaction.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { enforceSessionExclusivity } from './pglite-session-exclusivity';

export interface EmbeddedPostgresOptions {
  /** Directory holding the database across runs; in memory when omitted. */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Concurrent client connections accepted (PGlite's server accepts only 1 by default). */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const TOOLS_DIR = fileURLToPath(new URL('../.tools/', import.meta.url));

export async function startEmbeddedPostgres({
  dataDir,
  port = 0,
  maxConnections = 32,
}: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const resuming = dataDir !== undefined && existsSync(join(dataDir, 'PG_VERSION'));
  const loadDataDir = resuming ? undefined : new Blob([await freshClusterArchive()]);
  const db = await PGlite.create({ dataDir, loadDataDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections });
  enforceSessionExclusivity(server);
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  // getServerConn() reports the port actually bound, also when 0 was asked for.
  const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    stop() {
      stopping ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}

/** The file's bytes, or undefined when it does not exist (yet); any other failure is thrown. */
async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * PGlite runs initdb (about 5 s here) on every new cluster; loading a tarball of a freshly
 * initialised one takes a fraction of that. The tarball is made once per PGlite version and kept
 * under .tools/ (ignored by git). Concurrent test processes agree through a lock directory.
 */
async function freshClusterArchive(): Promise<Buffer> {
  const version = await pgliteVersion();
  const archive = join(TOOLS_DIR, 'pglite', `initdb-${version}.tar`);
  const lock = `${archive}.lock`;
  await mkdir(join(TOOLS_DIR, 'pglite'), { recursive: true });
  for (;;) {
    const cached = await readIfPresent(archive);
    if (cached) return cached;
    if (await tryLock(lock)) break;
    await sleep(200);
  }
  try {
    const cached = await readIfPresent(archive);
    if (cached) return cached;
    const db = await PGlite.create();
    const dump = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
    await db.close();
    const partial = `${archive}.${process.pid}.partial`;
    await writeFile(partial, dump);
    await rename(partial, archive);
    return dump;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** The package does not export its package.json: read it next to its dist/ entry. */
async function pgliteVersion(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

const STALE_LOCK_MS = 60_000;

async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch {
    // A process killed while building the archive leaves its lock behind.
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
    return false;
  }
}
