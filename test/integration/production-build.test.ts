/**
 * The production build (`npm run build`, scripts/build-production.ts), built fresh into a temporary
 * folder laid out as a deployment (dist/, package.json, node_modules): its code imports only
 * production dependencies; its migration runner migrates an empty database; its worker and API run
 * with plain node (no tsx, no webpack at start) against a Temporal dev server, PostgreSQL and the
 * simulators and take a quote sent through the API to SIGNE; and its worker refuses to start once
 * the workflow code no longer matches the prebuilt bundle.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { buildProduction } from '../../scripts/build-production';
import { QUOTE_PDF } from '../support/send-quote';
import { type ReplicaStack, startReplicaStack } from '../support/start-replica-stack';
import { createTestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let build: string;
let stack: ReplicaStack | undefined;

before(async () => {
  build = await mkdtemp(join(tmpdir(), 'production-build-'));
  await cp(join(ROOT, 'package.json'), join(build, 'package.json'));
  // The installed packages, as `npm ci --omit=dev` would put them next to dist/ (the import check below keeps dev ones out).
  await symlink(join(ROOT, 'node_modules'), join(build, 'node_modules'), 'dir');
  await buildProduction(join(build, 'dist'));
});
after(async () => {
  await stack?.close();
  if (build) await rm(build, { recursive: true, force: true });
});

test('the build imports only Node built-ins, its own files and production dependencies', async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const files = (await readdir(join(build, 'dist'), { recursive: true })).filter((file) => file.endsWith('.js'));
  assert.ok(files.includes(join('worker', 'main.js')) && files.includes(join('api', 'main.js')) && files.includes('workflow-bundle.js'));
  const strays: string[] = [];
  for (const file of files.filter((name) => name !== 'workflow-bundle.js')) {
    const { importedFiles } = ts.preProcessFile(await readFile(join(build, 'dist', file), 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith('.')) {
        if (!/\.(m?js|json)$/.test(specifier)) strays.push(`${file}: ${specifier} (no .js: Node cannot load it)`);
        continue;
      }
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const packageName = specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/');
      if (!(packageName in manifest.dependencies)) strays.push(`${file}: ${specifier} (not a production dependency)`);
    }
  }
  assert.deepEqual(strays, []);
});

test('the built migration runner migrates an empty database', async () => {
  const db = await createTestDatabase({ migrate: false });
  try {
    const run = await runNode(join(build, 'dist', 'prisma', 'migrate.js'), { PATH: process.env.PATH, DATABASE_URL: db.url });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Applied \d+ migration\(s\)/);
    const tables = await db.prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM signature_transactions`;
    assert.equal(Number(tables[0]?.n), 0);
  } finally {
    await db.close();
  }
});

test('the built worker and API, run with plain node, take a quote sent through the API to SIGNE', { timeout: 120_000 }, async (t) => {
  stack = await startReplicaStack({ name: 'production-build', build, replicas: 1 });
  for (const product of [...stack.workers, ...stack.apis]) {
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${product.pid}/status`, 'utf8'))?.[1]) / 1024;
    t.diagnostic(`built ${product.name}: ready ${(product.readyAt ?? 0) - product.spawnedAt} ms after spawn, RSS ${rssMb.toFixed(0)} MB`);
  }
  const worker = stack.workers[0];
  assert.ok(worker && !worker.child.spawnargs.includes('tsx'), 'the worker runs without the tsx loader');

  stack.sage.seedDocument({ type: 'devis', number: 'P0001', status: 'en_cours' });
  const sent = await stack.api('POST', '/api/signature-requests', {
    sageDocument: { type: 'devis', number: 'P0001' },
    document: { name: 'devis-P0001.pdf', contentBase64: QUOTE_PDF.toString('base64') },
    signers: [{ email: 'client.p0001@example.com', fullName: 'Client P0001' }],
  });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const { transactionId } = sent.body as { transactionId: string };
  stack.universign.sign(transactionId, 'client.p0001@example.com');
  await waitUntil(
    async () => (await stack?.api('GET', `/api/transactions/${transactionId}`))?.body?.status === 'SIGNE',
    `transaction ${transactionId} SIGNE through the built API`,
    30_000,
  );
  await waitUntil(() => stack?.sage.orders().some((order) => order.from.number === 'P0001') ?? false, 'the Sage order of P0001', 30_000);
});

test('the built worker refuses to start when its workflow code no longer matches the prebuilt bundle', async () => {
  await appendFile(join(build, 'dist', 'workflows', 'status-machine.js'), '\n// changed after the build\n');
  const run = await runNode(join(build, 'dist', 'worker', 'main.js'), {
    PATH: process.env.PATH,
    // Unreachable on purpose: without the check the worker would fail later, on connecting, with another message.
    DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    UNIVERSIGN_API_KEY: 'unused',
  });
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /does not match the workflow code shipped with it .*workflows\/status-machine\.js/);
});

function runNode(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { cwd: build, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
