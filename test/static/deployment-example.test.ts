/**
 * Static facts about the image and the example deployment, so they do not rot while the code
 * moves: the Dockerfile's runtime stage (non-root, health check, production dependencies, the
 * entries it runs), and deploy/compose.yaml resolved as Compose would (env files, then the
 * service's environment interpolated from deploy/.env.example) passing the worker's and the API's
 * own configuration checks with no variable they do not know.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { apiConfigSchema, loadApiConfig } from '../../api/config';
import { loadWorkerConfig, workerConfigSchema } from '../../worker/config';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  env_file?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { disable?: boolean };
}

/** The Dockerfile's instructions of its last stage (the image that runs), continuation lines joined. */
function runtimeStage(): Array<{ op: string; args: string }> {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const instructions = lines.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
  const lastFrom = instructions.map((instruction) => instruction.op).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

/** Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_match, name: string, operator?: string, operand?: string) => {
    const current = vars[name];
    const missing = operator?.startsWith(':') ? !current : current === undefined;
    if (!missing) return current ?? '';
    if (operator?.endsWith('?')) throw new Error(`compose would stop: ${name} unset (${operand})`);
    return operand ?? '';
  });
}

function readEnvFile(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const separator = line.indexOf('=');
      return [line.slice(0, separator), line.slice(separator + 1)] as const;
    });
  return Object.fromEntries(entries);
}

function loadCompose(): Record<string, ComposeService> {
  const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  return compose.services;
}

/** A service's environment as its container would get it (env files first, `environment:` over them). */
function serviceEnvironment(service: ComposeService): Record<string, string> {
  const secrets = readEnvFile(join(DEPLOY, '.env.example'));
  const fromFiles = Object.assign({}, ...(service.env_file ?? []).map((file) => readEnvFile(join(DEPLOY, file))));
  const fromService = Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), secrets)]),
  );
  return { ...fromFiles, ...fromService };
}

function knownVariables(schema: z.ZodType): Set<string> {
  const object = ('shape' in schema ? schema : (schema as unknown as { in: z.ZodObject }).in) as z.ZodObject;
  return new Set(Object.keys(object.shape));
}

test('the runtime image installs production dependencies only, runs as a non-root user and has a health check', () => {
  const stage = runtimeStage();
  const run = stage.filter((instruction) => instruction.op === 'RUN').map((instruction) => instruction.args);
  assert.ok(
    run.some((args) => /npm ci\b.*--omit=dev/.test(args) && args.includes('--ignore-scripts')),
    'runtime stage: npm ci --omit=dev --ignore-scripts',
  );
  assert.ok(!run.some((args) => /npm (install|ci)\b/.test(args) && !args.includes('--omit=dev')), 'no dev dependencies in the image');
  const users = stage.filter((instruction) => instruction.op === 'USER').map((instruction) => instruction.args);
  assert.ok(users.length > 0, 'the runtime stage sets USER');
  const user = users.at(-1)?.split(':')[0] ?? '';
  assert.match(user, /^[1-9]\d*$/, `the last USER is a numeric non-root uid (runAsNonRoot can check it), got "${user}"`);
  const healthcheck = stage.find((instruction) => instruction.op === 'HEALTHCHECK');
  assert.ok(healthcheck, 'HEALTHCHECK present');
  assert.match(healthcheck.args, /deploy\/healthcheck\.mjs/);
  assert.ok(existsSync(join(DEPLOY, 'healthcheck.mjs')));
  assert.ok(
    stage.some((instruction) => instruction.op === 'COPY' && instruction.args.includes('deploy/healthcheck.mjs')),
    'the health check script is in the image',
  );
  assert.ok(
    stage.some((instruction) => instruction.op === 'COPY' && /prisma\/migrations\s+\.\/dist\/prisma\/migrations/.test(instruction.args)),
    'the migrations sit beside dist/prisma/migrate.js, where it reads them',
  );
  assert.equal(stage.find((instruction) => instruction.op === 'CMD')?.args, '["node", "dist/api/main.js"]');
});

test('the compose example runs the migration once, then two workers and two API replicas from the one image', () => {
  const services = loadCompose();
  const { migrate, worker, api } = services;
  assert.ok(migrate && worker && api, 'services migrate, worker, api');
  assert.deepEqual(migrate.command, ['node', 'dist/prisma/migrate.js']);
  assert.deepEqual(worker.command, ['node', 'dist/worker/main.js']);
  assert.equal(api.command, undefined, 'the API runs the image default command');
  assert.equal(worker.deploy?.replicas, 2);
  assert.equal(api.deploy?.replicas, 2);
  for (const service of [worker, api]) {
    assert.equal(service.image, migrate.image, 'one image for every process');
    assert.equal(service.depends_on?.migrate?.condition, 'service_completed_successfully');
    assert.equal(service.depends_on?.['temporal-setup']?.condition, 'service_completed_successfully');
  }
  for (const name of ['postgresql', 'temporal-schema', 'temporal', 'temporal-setup', 'temporal-ui']) {
    assert.ok(services[name], `service ${name}`);
  }
});

test("the example's worker and API environments pass their own configuration checks, with no unknown variable", () => {
  const { worker, api } = loadCompose();
  assert.ok(worker && api);
  const workerEnv = serviceEnvironment(worker);
  const apiEnv = serviceEnvironment(api);
  const workerConfig = loadWorkerConfig(workerEnv);
  const apiConfig = loadApiConfig(apiEnv);
  assert.equal(workerConfig.TEMPORAL_ADDRESS, 'temporal:7233');
  assert.equal(apiConfig.TEMPORAL_ADDRESS, 'temporal:7233');
  assert.ok(workerConfig.WORKER_METRICS_PORT, 'the worker serves the metrics its health check reads');
  for (const [name, env, schema] of [
    ['worker', workerEnv, workerConfigSchema],
    ['api', apiEnv, apiConfigSchema],
  ] as const) {
    const known = knownVariables(schema);
    const unknown = Object.keys(env).filter((variable) => !known.has(variable));
    assert.deepEqual(unknown, [], `${name}: variables its configuration does not read`);
    assert.match(env.DATABASE_URL ?? '', /@postgresql:5432\/universign$/, `${name} uses the service's own database`);
  }
});

test('secrets are placeholders, kept out of git and out of the image', () => {
  const secrets = readEnvFile(join(DEPLOY, '.env.example'));
  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(value === '' || value.startsWith('replace-with-'), `${name} in .env.example is a placeholder`);
  }
  assert.match(read('deploy/.gitignore'), /^\.env$/m);
  assert.match(read('.dockerignore'), /^\*\*\/\.env$/m);
  for (const file of ['env/common.env', 'env/worker.env', 'env/api.env']) {
    const names = Object.keys(readEnvFile(join(DEPLOY, file)));
    const secretNames = names.filter((name) => /KEY|TOKEN|PASSWORD|SMTP_URL|DATABASE_URL/.test(name));
    assert.deepEqual(secretNames, [], `${file} holds no secret`);
  }
});

test("the compose setup job creates exactly the workflow's search attributes", () => {
  const script = read('deploy/temporal/setup-namespace.sh');
  const created = [...script.matchAll(/--name (\w+) --type (\w+)/g)].map(([, name, type]) => `${name}:${type}`);
  assert.deepEqual(created.sort(), SEARCH_ATTRIBUTE_KEYS.map((key) => `${key.name}:Keyword`).sort());
  assert.ok(SEARCH_ATTRIBUTE_KEYS.every((key) => key.type === 'KEYWORD'));
});
