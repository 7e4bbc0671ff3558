/**
 * `npm run demo` against `npm start`, both as a developer runs them (npm start on free ports and
 * a data folder of its own): the signed and the refused scenario reach SIGNE and REFUSE with
 * every step narrated, the signed quote makes exactly one order and each scenario one e-mail; a
 * second run uses fresh quotes; the demo says "npm start" when no stack answers; Ctrl-C stops the
 * whole stack with no process left. Prints the time from launching npm start to a signed quote.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEV_API_TOKEN, SAGE_SIMULATOR_TOKEN } from '../../scripts/stack-defaults';
import { freePort } from '../../shared/free-port';
import { launchNpmStart, type NpmStartStack } from '../support/launch-npm-start';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface DemoRun {
  code: number | null;
  /** stdout and stderr lines, each with performance.now() when it arrived. */
  lines: Array<{ text: string; at: number }>;
  output: string;
}

function runDemo(args: string[]): Promise<DemoRun> {
  const child = spawn('npm', ['run', '--silent', 'demo', '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: DemoRun['lines'] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      for (const text of chunk.split('\n')) if (text !== '') lines.push({ text, at: performance.now() });
    });
  }
  return new Promise((resolve) =>
    child.once('close', (code) => resolve({ code, lines, output: lines.map((line) => line.text).join('\n') })),
  );
}

function demoArgs(stack: NpmStartStack, ...extra: string[]): string[] {
  const { ports } = stack;
  return [
    '--api',
    `http://127.0.0.1:${ports.api}`,
    '--universign',
    `http://127.0.0.1:${ports.universignSimulator}`,
    '--sage',
    `http://127.0.0.1:${ports.sageSimulator}`,
    '--web-ui',
    `http://127.0.0.1:${ports.temporalUi}`,
    '--archive-dir',
    join(stack.dataDir, 'archive'),
    '--timeout',
    '45',
    ...extra,
  ];
}

async function getJson(url: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('the demo names npm start when no stack answers (exit 2)', async () => {
  const closed = await freePort();
  const run = await runDemo(['--api', `http://127.0.0.1:${closed}`]);
  assert.equal(run.code, 2, run.output);
  assert.match(run.output, /The stack is not running: the API does not answer at http:\/\/127\.0\.0\.1:\d+\/health/);
  assert.match(run.output, /Start it with `npm start`/);
});

describe('npm run demo against npm start', () => {
  let stack: NpmStartStack;
  let stopped: { exitedCleanly: boolean; leftovers: boolean } | undefined;

  before(async () => {
    stack = await launchNpmStart();
    await stack.waitUntilReady(60_000);
  });
  after(async () => {
    if (stack) stopped ??= await stack.stop();
  });

  test('signs one quote and refuses another, narrating each step, then runs again on fresh quotes', async () => {
    const { ports } = stack;
    const first = await runDemo(demoArgs(stack));
    assert.equal(first.code, 0, first.output);

    const signedLine = first.lines.find((line) => /done\s+tx_\S+ is SIGNE/.test(line.text));
    assert.ok(signedLine, first.output);
    console.log(`demo: npm start launched → demo quote signed in ${((signedLine.at - stack.launchedAt) / 1000).toFixed(1)} s`);

    const [signing, refusing] = (first.output.split('== Summary')[0] ?? '').split('== Scenario 2');
    assert.ok(signing && refusing, first.output);
    const webUi = `http://127.0.0.1:${ports.temporalUi}/namespaces/default/workflows/universign-tx_`;
    for (const expected of [
      /sage quote\s+devis DEMO-\S+-S entered/,
      /webhook received transaction\.lifecycle\.completed/,
      /status\s+EN_COURS → SIGNE/,
      /sage fields\s+devis DEMO-\S+ \[transforme\] .*STATUT_SIGNATURE=Signé/,
      /order\s+commande BC000001/,
      /e-mail sent\s+"Devis DEMO-\S+ signé" sent to ventes@entreprise\.example/,
    ]) {
      assert.match(signing, expected);
    }
    assert.ok(signing.includes(webUi), signing);
    // npm start put Temporal and its Web UI on the ports given, its SQLite file in the data folder given, and the link opens there.
    assert.ok(
      stack.lines.includes(`[start] temporal     dev server on 127.0.0.1:${ports.temporal}, Web UI http://127.0.0.1:${ports.temporalUi}`),
      stack.lines.slice(0, 20).join('\n'),
    );
    assert.ok(existsSync(join(stack.dataDir, 'temporal.sqlite')));
    const link = signing.match(/http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/universign-tx_\w+/)?.[0] ?? '';
    assert.equal((await fetch(link)).status, 200);
    for (const expected of [
      /webhook received action\.stalled/,
      /status\s+EN_COURS → REFUSE/,
      /sage fields\s+devis DEMO-\S+-R \[en_cours\] .*STATUT_SIGNATURE=Refusé/,
      /action\s+CANCEL_UNIVERSIGN_TRANSACTION for REFUSE: done/,
      /e-mail sent\s+"Devis DEMO-\S+ : signature refusée"/,
    ]) {
      assert.match(refusing, expected);
    }
    assert.ok(refusing.includes(webUi), refusing);
    assert.doesNotMatch(refusing, /order\s+commande/);

    // Through the API: one transaction per scenario, in its final status.
    const api = `http://127.0.0.1:${ports.api}/api/transactions`;
    const signed = await getJson(`${api}?status=SIGNE`, DEV_API_TOKEN);
    const refused = await getJson(`${api}?status=REFUSE`, DEV_API_TOKEN);
    assert.equal(signed.body.total, 1);
    assert.equal(refused.body.total, 1);
    const [signedView] = signed.body.items as Array<{ sageOrder: unknown; archivedDocuments: Array<{ path: string }> }>;
    assert.deepEqual(signedView?.sageOrder, { type: 'commande', number: 'BC000001' });
    for (const document of signedView?.archivedDocuments ?? [])
      assert.ok(existsSync(join(stack.dataDir, 'archive', document.path)), document.path);
    assert.ok((signedView?.archivedDocuments.length ?? 0) > 0);
    // The narration names each archived file where it is on disk.
    const narratedFiles = [...signing.matchAll(/archived\s+(\S+\.pdf) /g)].map((match) => match[1] ?? '');
    assert.deepEqual(
      narratedFiles,
      signedView?.archivedDocuments.map((document) => join(stack.dataDir, 'archive', document.path)),
    );
    for (const file of narratedFiles) assert.ok(existsSync(file), file);

    // Exactly one order in Sage, and one mail per scenario printed by npm start's SMTP server.
    const sage = `http://127.0.0.1:${ports.sageSimulator}/api/documents/commande`;
    assert.equal((await getJson(`${sage}/BC000001`, SAGE_SIMULATOR_TOKEN)).status, 200);
    assert.equal((await getJson(`${sage}/BC000002`, SAGE_SIMULATOR_TOKEN)).status, 404);
    const mails = () => stack.lines.filter((line) => line.startsWith('[start] mail '));
    assert.deepEqual(
      mails().map((line) => line.replace(/DEMO-\S+?( |$)/, 'DEMO$1')),
      [
        '[start] mail         to ventes@entreprise.example: Devis DEMO signé',
        '[start] mail         to ventes@entreprise.example: Devis DEMO : signature refusée',
      ],
    );

    // Runs again without meeting the first run's quote: a new quote, a new order.
    const again = await runDemo(demoArgs(stack, '--scenario', 'sign'));
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /order\s+commande BC000002/);
    assert.equal((await getJson(`${api}?status=SIGNE`, DEV_API_TOKEN)).body.total, 2);
  });

  test('Ctrl-C stops the whole stack: no process left', async () => {
    stopped = await stack.stop();
    assert.deepEqual(stopped, { exitedCleanly: true, leftovers: false });
    assert.ok(stack.lines.includes('[start] SIGINT: stopping'), stack.lines.slice(-20).join('\n'));
  });
});
