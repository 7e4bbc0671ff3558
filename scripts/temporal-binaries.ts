/** Locates the Temporal CLI (dev server) and the time-skipping test server: PATH first, then .tools/venv. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VENV_BIN = fileURLToPath(new URL('../.tools/venv/bin/', import.meta.url));

function resolveBinary(name: string): string {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), VENV_BIN].map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next place
    }
  }
  throw new Error(`'${name}' not found on PATH nor in .tools/venv: run 'node scripts/bootstrap.mjs' (npm test does it)`);
}

/**
 * Pragmas for the dev server's SQLite file: in its default rollback journal with a full sync on
 * every commit, the server manages about a sixth of its in-memory throughput here (the benchmark
 * measured 41–65 against 335–348 signalWithStart/s); WAL with normal sync keeps ≈ 75 % of it and
 * still survives a crash of the server process.
 */
export const TEMPORAL_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export const resolveTemporalCli = (): string => resolveBinary('temporal');
export const resolveTemporalTestServer = (): string => resolveBinary('temporal-test-server');
