/**
 * `npm run bench [-- --quick] [--only a,b] [--baseline bench/results/<file>.json]`: measures the
 * product at fleet scale on this machine and writes a markdown report (and its JSON) under
 * bench/results/. Everything runs on loopback and free ports and is stopped at the end. Not part
 * of `npm test`: figures on a shared machine are read as ratios to ceilings measured in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { resolveTemporalCli } from '../scripts/temporal-binaries';
import { type BenchContext, createPhaseRecorder, MODES, type OpenTransaction } from './lib/context';
import { startTransactionWorkflows, waitUntil } from './lib/product';
import { type BenchResults, type Figure, type PhaseRecord, renderReport } from './lib/report';
import { isProductOverride, startBenchStack, TASK_QUEUE } from './lib/stack';
import { measureBurst } from './scenarios/burst';
import { measureCeilings } from './scenarios/ceilings';
import { measureFleet } from './scenarios/fleet';
import { measureMetricsScrape } from './scenarios/metrics-scrape';
import { measurePollingCadence } from './scenarios/polling-cadence';
import { measureQuietPollCost } from './scenarios/quiet-poll';
import { measureWebhooks } from './scenarios/webhooks';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SCENARIOS = ['webhooks', 'quiet', 'burst', 'polling', 'metrics', 'fleet'] as const;
const WEBHOOK_POOL = 200;

// The time-skipping scenario runs a worker in this process: only its errors are worth printing.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    baseline: { type: 'string' },
    out: { type: 'string' },
  },
});
const mode = values.quick ? 'quick' : 'full';
const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((name) => name.trim()));
for (const name of only) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    console.error(`unknown scenario "${name}"; known: ${SCENARIOS.join(', ')}`);
    process.exit(2);
  }
}
const baseline: BenchResults | undefined = values.baseline ? JSON.parse(readFileSync(values.baseline, 'utf8')) : undefined;

const started = Date.now();
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-').slice(0, 19);
const resultsDir = join(ROOT, 'bench', 'results');
const name = values.out ?? `${stamp}-${mode}`;
const logDir = join(resultsDir, 'logs', name);
mkdirSync(logDir, { recursive: true });
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const figures: Figure[] = [];
const phases: PhaseRecord[] = [];
const notes: string[] = [];

log(`${mode} mode; scenarios: ${[...only].join(', ')}; logs in ${logDir}`);
const stack = await startBenchStack({ log, logDir });
let failed = false;
try {
  const sizes = MODES[mode];
  const ctx: BenchContext = {
    mode,
    sizes,
    stack,
    webhookPool: [],
    log,
    figure: (figure) => {
      figures.push(figure);
      log(
        `  ${figure.label}: ${figure.value.toFixed(2)} ${figure.unit}${figure.goal ? ` (${figure.goal.met ? 'meets' : 'misses'} ${figure.goal.text})` : ''}`,
      );
    },
    note: (text) => {
      notes.push(text);
      log(`  note: ${text}`);
    },
    phase: createPhaseRecorder(stack, phases),
  };

  log(`setup: ${WEBHOOK_POOL} open transactions to receive the webhook load`);
  ctx.webhookPool = await stack.simulators.call<OpenTransaction[]>('createTransactions', { count: WEBHOOK_POOL });
  await startTransactionWorkflows(stack.temporal, TASK_QUEUE, ctx.webhookPool);
  await waitUntil(
    async () =>
      Number(
        (
          await stack.pg.query<{ n: string }>(`SELECT count(*) AS n FROM signature_transactions WHERE universign_id = ANY($1)`, [
            ctx.webhookPool.map((transaction) => transaction.id),
          ])
        ).rows[0]?.n,
      ) === WEBHOOK_POOL,
    120_000,
    'the webhook pool to be recorded',
  );

  const ceilings = await measureCeilings(ctx);
  const run = async (scenario: (typeof SCENARIOS)[number], work: () => Promise<void>) => {
    if (!only.has(scenario)) return;
    try {
      await work();
    } catch (err) {
      failed = true;
      ctx.note(`${scenario} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const baselineThroughput = baseline?.figures.find((figure) => figure.key === 'webhooks.throughput')?.value;
  await run('webhooks', () => measureWebhooks(ctx, ceilings, baselineThroughput));
  await run('quiet', () => measureQuietPollCost(ctx));
  await run('burst', () => measureBurst(ctx, ceilings));
  await run('polling', () => measurePollingCadence(ctx));
  await run('metrics', () => measureMetricsScrape(ctx));
  await run('fleet', () => measureFleet(ctx, ceilings));
} finally {
  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    mode,
    machine: machineFacts(),
    versions: versionFacts(),
    settings: {
      database: stack.database.server,
      temporal: 'dev server (temporal server start-dev, SQLite file), loopback',
      'worker and API': `tsx worker/main.ts, tsx api/main.ts, default settings (only addresses and credentials set)${workerOverrides()}`,
      ...(baseline ? { baseline: `${values.baseline} (${baseline.startedAt})` } : {}),
    },
    figures,
    phases,
    notes,
    durationSeconds: (Date.now() - started) / 1000,
  };
  await stack.close();
  results.durationSeconds = (Date.now() - started) / 1000;
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${name}.md`), renderReport(results, baseline));
  log(`report: bench/results/${name}.md`);
}
process.exit(failed ? 1 : 0);

function machineFacts(): Record<string, string> {
  const cpu = cpus();
  return {
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: safe(() => execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim()),
  };
}

function versionFacts(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return {
    node: process.version,
    'temporal CLI': safe(() => execFileSync(resolveTemporalCli(), ['--version'], { encoding: 'utf8' }).trim()),
    '@temporalio/*': pkg.dependencies['@temporalio/worker'] ?? '?',
    fastify: pkg.dependencies.fastify ?? '?',
    '@prisma/client': pkg.dependencies['@prisma/client'] ?? '?',
    commit: safe(() => execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()),
  };
}

function safe(read: () => string): string {
  try {
    return read();
  } catch {
    return 'unknown';
  }
}

/** Product settings passed through from the environment, named in the report. */
function workerOverrides(): string {
  const set = Object.entries(process.env).filter(([name]) => isProductOverride(name));
  return set.length > 0 ? `; worker overrides: ${set.map(([name, value]) => `${name}=${value}`).join(', ')}` : '';
}
