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

export const resolveTemporalCli = (): string => resolveBinary('temporal');
export const resolveTemporalTestServer = (): string => resolveBinary('temporal-test-server');
