/**
 * The Temporal Web UI as an operator's console, driven by a headless browser: the dev server with
 * its UI, a real worker against the Universign simulator, a workflow started as the API starts
 * one. An operator finds it by Sage document with a visibility query, opens it, and reads the
 * static summary and the current details (status, signers) the workflow maintains, and finds the
 * resync signal and update offered in the workflow's actions. Then the README's "operator's day":
 * SignatureStatus and SageDocument added as list columns, a forceResync sent from the workflow
 * page's "Send a Signal" and its effect (SIGNE) seen in the list, a batch forceResync by visibility
 * query (the CLI's: UI 2.54 batches only cancel, reset and terminate) seen on the UI's Batch page,
 * and the reconciliation schedule under Schedules.
 *
 * The browser is Debian's Chromium (scripts/bootstrap.mjs installs it); playwright-core only
 * drives it. On failure a screenshot and the page's text are saved to a temporary directory.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createUniversignClient } from '../../activities/universign-client';
import { resolveTemporalCli } from '../../scripts/temporal-binaries';
import { startUniversignSimulator, type UniversignSimulator } from '../../simulators/universign-simulator';
import { createSyncWorker, type SyncWorker } from '../../worker/create-sync-worker';
import { ensureReconcileSchedule } from '../../worker/ensure-reconcile-schedule';
import { describeSignatureWorkflow } from '../../workflows/describe-signature-workflow';
import { SIGNATURE_WORKFLOW_TYPE, signatureWorkflowId, stateQuery } from '../../workflows/messages';
import { sageDocumentMetadata } from '../../workflows/sage-document-metadata';
import { SAGE_DOCUMENT_KEY, SIGNATURE_STATUS_KEY, sageDocumentKeyword } from '../../workflows/search-attributes';
import { createDevServerEnv, workflowBundle } from '../support/temporal-env';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const execFileAsync = promisify(execFile);
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium keeps calling Google services, which a closed network makes noisy.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Per browser step: the UI's first load (its assets, then the visibility query) takes seconds. */
const UI_TIMEOUT_MS = 15_000;
const API_KEY = 'web-ui-key';
const DOCUMENT = { type: 'devis', number: 'D0042' };
const OTHER_DOCUMENT = { type: 'devis', number: 'D0099' };
const SIGNER = { email: 'alice@client.example', fullName: 'Alice Martin' };

let env: TestWorkflowEnvironment | undefined;
let db: TestDatabase | undefined;
let universign: UniversignSimulator | undefined;
let running: { worker: SyncWorker; done: Promise<void> } | undefined;
let browser: Browser | undefined;
let uiUrl: string;

/** A port free right now on loopback (the dev server's UI needs one chosen up front). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

before(async () => {
  assert.ok(
    existsSync(CHROMIUM_PATH),
    `${CHROMIUM_PATH} is missing: run 'node scripts/bootstrap.mjs' as root (it installs Debian's chromium)`,
  );
  const uiPort = await freePort();
  uiUrl = `http://127.0.0.1:${uiPort}`;
  [env, db, universign, browser] = await Promise.all([
    createDevServerEnv({ ui: { port: uiPort } }),
    createTestDatabase(),
    startUniversignSimulator({ apiKey: API_KEY }),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true }),
    workflowBundle(), // seconds of bundling, while the servers start
  ]);
});

after(async () => {
  await browser?.close().catch(() => undefined);
  if (running) {
    running.worker.shutdown();
    await running.done.catch(() => undefined);
  }
  await Promise.allSettled([env?.teardown(), db?.close(), universign?.close()]);
});

/** Runs a browser step; on failure keeps a screenshot and the page text for diagnosis. */
async function withDiagnostics(page: Page, name: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    const dir = await mkdtemp(join(tmpdir(), 'web-ui-test-'));
    const screenshot = join(dir, `${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
    const text = await page
      .locator('body')
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node; the rendered text is what a person sees.
      .innerText({ timeout: 1000 })
      .catch(() => '');
    await writeFile(join(dir, `${name}.txt`), `${page.url()}\n\n${text}`).catch(() => undefined);
    if (err instanceof Error) err.message += `\n(screenshot and page text in ${dir})`;
    throw err;
  }
}

const TASK_QUEUE = `web-ui-${process.pid}`;

/** The worker both tests use, started by whichever runs first; returns its task queue. */
async function ensureWorker(): Promise<string> {
  assert.ok(env && db && universign);
  if (!running) {
    const worker = await createSyncWorker({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      deps: { prisma: db.prisma, universign: createUniversignClient({ baseUrl: universign.url, apiKey: API_KEY }) },
    });
    running = { worker, done: worker.run() };
  }
  return TASK_QUEUE;
}

/** Starts a transaction's workflow as the API does, once the simulator holds the transaction. */
async function startSignatureWorkflow(taskQueue: string, document: { type: string; number: string }) {
  assert.ok(env && universign);
  const tx = universign.createTransaction({ state: 'started', signers: [SIGNER], metadata: sageDocumentMetadata(document) });
  const handle = await env.client.workflow.start(SIGNATURE_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: signatureWorkflowId(tx.id),
    args: [{ transactionId: tx.id, sageDocument: document, poll: { minSeconds: 3600, maxSeconds: 3600 } }],
    staticSummary: describeSignatureWorkflow(tx.id, document),
    typedSearchAttributes: [{ key: SAGE_DOCUMENT_KEY, value: sageDocumentKeyword(document) }],
  });
  await waitUntil(
    async () => (await handle.describe()).typedSearchAttributes.get(SIGNATURE_STATUS_KEY) === 'EN_COURS',
    `SignatureStatus EN_COURS on ${handle.workflowId}`,
  );
  return { tx, handle };
}

describe('Temporal Web UI as an operator console', () => {
  test('finds a transaction by Sage document and shows its summary, status and signers', async () => {
    assert.ok(env && db && universign && browser);
    const taskQueue = await ensureWorker();
    // Another document's transaction, which the query must leave out.
    const [{ tx, handle }, other] = await Promise.all([
      startSignatureWorkflow(taskQueue, DOCUMENT),
      startSignatureWorkflow(taskQueue, OTHER_DOCUMENT),
    ]);
    const workflowId = handle.workflowId;
    const signer = (await handle.query(stateQuery)).signers.find(({ email }) => email === SIGNER.email);
    assert.ok(signer, 'the workflow knows the signer');

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);

    // The list, filtered with the visibility query an operator types: SageDocument="devis:D0042".
    const query = `${SAGE_DOCUMENT_KEY.name}="${sageDocumentKeyword(DOCUMENT)}"`;
    await withDiagnostics(page, 'workflow-list', async () => {
      await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
      const row = page.getByRole('link', { name: workflowId, exact: true });
      await row.waitFor();
      await waitUntil(
        async () => (await page.getByRole('link', { name: other.handle.workflowId, exact: true }).count()) === 0,
        "the other document's workflow to leave the list",
        UI_TIMEOUT_MS,
      );
      await row.click();
      await page.waitForURL((url) => url.pathname.startsWith(`/namespaces/default/workflows/${workflowId}/`));
    });

    // The workflow page's User Metadata tab: static summary and current details, each rendered
    // from Markdown in an iframe of its own.
    await withDiagnostics(page, 'workflow-user-metadata', async () => {
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      const summary = page.frameLocator('#user-metadata-summary').locator('body');
      await summary.getByText(describeSignatureWorkflow(tx.id, DOCUMENT)).waitFor();
      const details = page.frameLocator('#user-metadata-current-details').locator('body');
      await details.getByText(SIGNER.email).waitFor();
      // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node; the rendered text is what a person sees.
      const text = await details.innerText();
      assert.match(text, /Status:\s*EN_COURS\b/, 'the current details show the local status');
      assert.match(text, new RegExp(`Sage document:\\s*${DOCUMENT.type} ${DOCUMENT.number}`));
      // The Markdown autolink turns `<email>` into a link: the brackets do not show.
      assert.ok(
        text.includes(`${SIGNER.fullName} ${SIGNER.email}: ${signer.state}`),
        `the current details list the signer and their state (${signer.state})`,
      );
    });

    // The operator's resync from the UI: the signal and the update are offered by name (the UI
    // reads them from the workflow's metadata query, so the worker must be up). Listed, not sent.
    await withDiagnostics(page, 'workflow-actions', async () => {
      for (const [action, name] of [
        ['Send a Signal', 'forceResync'],
        ['Send an Update', 'resync'],
      ] as const) {
        await page.getByRole('button', { name: 'More Actions' }).click();
        await page.getByRole('menuitem', { name: action }).click();
        const dialog = page.locator('dialog[open]');
        await dialog.locator('button[aria-haspopup]').first().click();
        await dialog.getByRole('listbox').getByRole('option').getByText(name, { exact: true }).waitFor();
        await dialog.getByRole('button', { name: 'Cancel' }).last().click();
        await dialog.waitFor({ state: 'detached' });
      }
    });
    await page.close();
  });

  test("the operator's day: status and document columns, a resync signalled from the UI, a batch resync by query, the reconciliation schedule", async () => {
    assert.ok(env && universign && browser);
    const taskQueue = await ensureWorker();
    const started = Date.now();
    const [one, two, three] = await Promise.all(
      ['D0201', 'D0202', 'D0203'].map((number) => startSignatureWorkflow(taskQueue, { type: 'devis', number })),
    );
    assert.ok(one && two && three);
    const schedule = await ensureReconcileSchedule(env.client, { taskQueue, intervalSeconds: 3600, staleAfterSeconds: 3600 });
    const statusOf = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(SIGNATURE_STATUS_KEY);

    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const listUrl = (query: string) => `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
    const rowOf = (workflowId: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name: workflowId, exact: true }) });

    // 1. Find by Sage document, then show SignatureStatus and SageDocument as columns (Configure Columns).
    await withDiagnostics(page, 'operator-columns', async () => {
      await page.goto(listUrl(`SageDocument="devis:D0201"`));
      await rowOf(one.handle.workflowId).waitFor();
      await page.getByRole('button', { name: 'Configure Columns' }).click();
      for (const column of ['SignatureStatus', 'SageDocument']) await page.getByRole('button', { name: `Add ${column} column` }).click();
      await page.getByRole('button', { name: 'Close Workflows Table configuration' }).click();
      for (const column of ['SignatureStatus', 'SageDocument']) await page.getByRole('columnheader', { name: column }).waitFor();
      const row = rowOf(one.handle.workflowId);
      await row.getByRole('cell', { name: 'devis:D0201', exact: true }).waitFor();
      await row.getByRole('cell', { name: 'EN_COURS', exact: true }).waitFor();
    });

    // 2. The customer signed, no webhook came: the operator sends forceResync from the workflow page.
    universign.sign(one.tx.id, SIGNER.email);
    await withDiagnostics(page, 'operator-signal', async () => {
      await rowOf(one.handle.workflowId).getByRole('link', { name: one.handle.workflowId, exact: true }).click();
      await page.waitForURL((url) => url.pathname.startsWith(`/namespaces/default/workflows/${one.handle.workflowId}/`));
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
      const dialog = page.locator('dialog[open]');
      await dialog.locator('button[aria-haspopup]').first().click();
      await dialog.getByRole('listbox').getByRole('option').getByText('forceResync', { exact: true }).click();
      await dialog.getByRole('textbox', { name: 'Data' }).fill('{"reason": "customer says signed"}');
      await dialog.getByRole('button', { name: 'Submit' }).click();
      await dialog.waitFor({ state: 'detached' });
      await waitUntil(async () => (await statusOf(one.handle)) === 'SIGNE', 'SIGNE after the signal sent from the UI', UI_TIMEOUT_MS);
      // The list's column shows it too.
      await page.goto(listUrl(`SageDocument="devis:D0201"`));
      await rowOf(one.handle.workflowId).getByRole('cell', { name: 'SIGNE', exact: true }).waitFor();
    });

    // 3. Several resynced at once by a visibility query. UI 2.54's batch actions are cancel, reset and
    //    terminate only: the batch signal is the CLI's, and the UI's Batch page lists the operation.
    universign.sign(two.tx.id, SIGNER.email);
    universign.sign(three.tx.id, SIGNER.email);
    const batchQuery = 'SageDocument IN ("devis:D0202", "devis:D0203") AND SignatureStatus = "EN_COURS"';
    await execFileAsync(resolveTemporalCli(), [
      'workflow',
      'signal',
      '--address',
      env.address,
      '--query',
      batchQuery,
      '--name',
      'forceResync',
      '--input',
      '{"reason": "batch resync"}',
      '--reason',
      'operator batch resync',
      '--yes',
    ]);
    await waitUntil(
      async () => (await statusOf(two.handle)) === 'SIGNE' && (await statusOf(three.handle)) === 'SIGNE',
      'both SIGNE after the batch signal',
      30_000,
    );
    await withDiagnostics(page, 'operator-batch', async () => {
      await page.goto(`${uiUrl}/namespaces/default/batch-operations`);
      const job = page.getByRole('row').filter({ hasText: 'SIGNAL' }).filter({ hasText: 'COMPLETED' });
      await job.getByRole('link').first().click();
      await page.getByText('operator batch resync').first().waitFor();
      await page.getByText('2 succeeded', { exact: true }).waitFor();
    });

    // 4. The reconciliation's schedule, as the worker creates it at start.
    await withDiagnostics(page, 'operator-schedules', async () => {
      await page.goto(`${uiUrl}/namespaces/default/schedules`);
      await page.getByRole('link', { name: schedule.scheduleId }).first().waitFor();
      await page.getByText('Every 1 hour(s)').first().waitFor();
    });
    await page.close();
    console.log(`operator's day checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
