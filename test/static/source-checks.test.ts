/**
 * The checks that keep the sources in shape run with the suite: a type error, a lint finding or a
 * file the formatter would change fails `npm test` (and so CI), with the tool's own report.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

function run(label: string, script: string, args: string[]): void {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  assert.equal(result.error, undefined, `${label} could not run: ${result.error?.message}`);
  assert.equal(result.status, 0, `${label} failed:\n${result.stdout}\n${result.stderr}`);
}

test('the TypeScript compiler finds no error (tsc --noEmit)', () => {
  run('tsc', require.resolve('typescript/bin/tsc'), ['--noEmit', '-p', join(ROOT, 'tsconfig.json')]);
});

test('Biome finds no lint error and no unformatted file (biome ci)', () => {
  const biome = join(dirname(require.resolve('@biomejs/biome/package.json')), 'bin', 'biome');
  run('biome', biome, ['ci', '--colors=off', '--reporter=summary', '.']);
});
