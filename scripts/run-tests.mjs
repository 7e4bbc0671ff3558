#!/usr/bin/env node
/**
 * `npm test`: bootstraps what the suite needs, then runs test/**\/*.test.ts (or the files and
 * directories given as arguments) with node:test and tsx, two files at a time (2 cores here).
 * Output and exit code are node:test's own, which CI reads.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootstrap } from './bootstrap.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function testFilesUnder(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const child = join(path, entry.name);
    if (entry.isDirectory()) return testFilesUnder(child);
    return entry.name.endsWith('.test.ts') ? [child] : [];
  });
}

function selectFiles(args) {
  const roots = args.length ? args.map((arg) => resolve(arg)) : [join(ROOT, 'test')];
  const files = roots.flatMap((path) => {
    try {
      return testFilesUnder(path);
    } catch {
      throw new Error(`no such test file or directory: ${path}`);
    }
  });
  return [...new Set(files.map((file) => relative(ROOT, file)))].sort();
}

async function main() {
  await bootstrap();
  const files = selectFiles(process.argv.slice(2));
  if (files.length === 0) throw new Error('no test files found');
  // A hung test fails after 5 minutes instead of holding CI until its limit.
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child through the terminal; a CI runner's SIGTERM has to be passed on.
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  process.on('SIGINT', () => undefined);
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

main().catch((err) => {
  console.error(`run-tests: ${err.message}`);
  process.exitCode = 1;
});
