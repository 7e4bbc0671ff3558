/**
 * `npm start`: the whole stack on embedded defaults, for a newcomer's machine. Brings up what is
 * not configured from outside — the Temporal dev server (Web UI on 8233, SQLite file under .data/),
 * the embedded PostgreSQL-compatible database, the Universign and Sage gateway simulators — applies
 * the migrations, then runs the worker and the API (both with the same environment, Sage gateway
 * settings included). Every listener binds to loopback (stack-loopback.ts). Ctrl-C stops all of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { applyMigrations } from '../prisma/migrate';
import { startSageGatewaySimulator } from '../simulators/sage-gateway-simulator';
import { startUniversignSimulator } from '../simulators/universign-simulator';
import { startSmtpSink } from '../test/support/smtp-sink';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';
import { startEmbeddedPostgres } from './embedded-postgres';
import { DEV_API_TOKEN, SAGE_SIMULATOR_TOKEN, SIMULATOR_KEY, stackPorts } from './stack-defaults';
import { bindStackToLoopback, LOOPBACK, temporalDevServerArgs } from './stack-loopback';
import { resolveTemporalCli, TEMPORAL_SQLITE_PRAGMAS } from './temporal-binaries';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// Overridable so a second stack (the demo's test) can run beside a developer's without sharing anything.
const DATA_DIR = process.env.STACK_DATA_DIR ?? `${ROOT}.data`;
const PORTS = stackPorts();
/** Quotes the Sage simulator knows at start, for trying the stack out. */
const DEMO_QUOTES = Array.from({ length: 10 }, (_, index) => `D${String(index + 1).padStart(4, '0')}`);

const cleanups: Array<() => Promise<void> | void> = [];
let stopping = false;

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };

  if (!env.DATABASE_URL) {
    const db = await startEmbeddedPostgres({ dataDir: `${DATA_DIR}/postgres`, port: PORTS.embeddedDb });
    keep(() => db.stop());
    env.DATABASE_URL = db.url;
    log(`database     embedded PGlite at ${db.url} (data in ${DATA_DIR}/postgres)`);
  } else {
    log('database     DATABASE_URL from the environment');
  }
  const { applied } = await applyMigrations(env.DATABASE_URL);
  log(`migrations   ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);

  if (!env.TEMPORAL_ADDRESS) {
    const temporal = spawnChild(
      'temporal',
      resolveTemporalCli(),
      temporalDevServerArgs({
        port: PORTS.temporal,
        uiPort: PORTS.temporalUi,
        dbFilename: `${DATA_DIR}/temporal.sqlite`,
        sqlitePragmas: TEMPORAL_SQLITE_PRAGMAS,
        searchAttributes: SEARCH_ATTRIBUTE_KEYS.map((key) => key.name),
      }),
      env,
    );
    keep(() => stopChild(temporal));
    env.TEMPORAL_ADDRESS = `127.0.0.1:${PORTS.temporal}`;
    await waitForTemporal(env.TEMPORAL_ADDRESS);
    log(`temporal     dev server on ${env.TEMPORAL_ADDRESS}, Web UI http://127.0.0.1:${PORTS.temporalUi}`);
  } else {
    log(`temporal     ${env.TEMPORAL_ADDRESS} from the environment`);
  }

  env.API_PORT = String(PORTS.api);
  const usesDevToken = !env.API_TOKENS;
  if (usesDevToken) {
    env.API_TOKENS = DEV_API_TOKEN;
    log(`api token    ${DEV_API_TOKEN} (development only; set API_TOKENS)`);
  }
  for (const note of bindStackToLoopback(env, usesDevToken)) log(`loopback     ${note}`);
  if (!env.UNIVERSIGN_API_KEY) {
    const simulator = await startUniversignSimulator({
      apiKey: SIMULATOR_KEY,
      host: LOOPBACK,
      port: PORTS.universignSimulator,
      // Every change is sent, signed, to this stack's webhook endpoint, as Universign would.
      webhooks: { targetUrl: `http://127.0.0.1:${env.API_PORT}/webhooks/universign` },
    });
    keep(() => simulator.close());
    env.UNIVERSIGN_API_URL = simulator.url;
    env.UNIVERSIGN_API_KEY = SIMULATOR_KEY;
    log(`universign   simulator at ${simulator.url} (control API ${simulator.controlUrl}), webhooks to the API`);
  } else {
    log(`universign   ${env.UNIVERSIGN_API_URL ?? 'https://api.universign.com/v1'}`);
  }

  if (!env.SAGE_GATEWAY_URL) {
    const sage = await startSageGatewaySimulator({ token: SAGE_SIMULATOR_TOKEN, host: LOOPBACK, port: PORTS.sageSimulator });
    keep(() => sage.close());
    for (const number of DEMO_QUOTES) sage.seedDocument({ type: 'devis', number, status: 'en_cours' });
    env.SAGE_GATEWAY_URL = sage.url;
    env.SAGE_GATEWAY_TOKEN = SAGE_SIMULATOR_TOKEN;
    // The API checks each document sent for signature here too: the demo sends one of these quotes.
    log(
      `sage         gateway simulator at ${sage.url} (quotes devis ${DEMO_QUOTES[0]}…${DEMO_QUOTES.at(-1)}, the only ones the API sends)`,
    );
  }
  if (!env.SMTP_URL) {
    const smtp = await startSmtpSink({
      port: PORTS.smtpSink,
      onMessage: (mail) => log(`mail         to ${mail.to.join(', ')}: ${mail.subject}`),
    });
    keep(() => smtp.close());
    env.SMTP_URL = smtp.url;
    env.NOTIFY_TO ??= 'ventes@entreprise.example';
    log(`smtp         local SMTP server at ${smtp.url}; received mails are printed here`);
  }
  env.ARCHIVE_DIR ??= `${DATA_DIR}/archive`;
  log(`archive      ${env.ARCHIVE_DIR}`);

  if (stopping) return;
  const worker = spawnChild('worker', process.execPath, ['--import', 'tsx', `${ROOT}worker/main.ts`], env);
  keep(() => stopChild(worker));
  const api = spawnChild('api', process.execPath, ['--import', 'tsx', `${ROOT}api/main.ts`], env);
  keep(() => stopChild(api));
  log(`api          http://${env.API_HOST}:${env.API_PORT} (OpenAPI docs at /docs)`);
  log('worker       started; Ctrl-C stops the stack');
  const exited = await Promise.race(
    [worker, api].map((child, index) => new Promise<string>((resolve) => child.once('exit', () => resolve(index ? 'api' : 'worker')))),
  );
  if (!stopping) {
    log(`${exited} exited; stopping the stack`);
    await stop(1);
  }
}

function spawnChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('error', (err) => log(`${name} failed to start: ${err.message}`));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = sleep(15_000).then(() => child.kill('SIGKILL'));
  await Promise.race([exited, forced]);
}

async function waitForTemporal(address: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.close();
      return;
    } catch {
      await sleep(500);
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address}`);
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Drained, not iterated: parts that finish starting meanwhile are still stopped.
  for (let cleanup = cleanups.shift(); cleanup; cleanup = cleanups.shift()) {
    try {
      await cleanup();
    } catch (err) {
      log(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  process.exit(code);
}

/** Remembers how to stop a part: last started, first stopped (a stop under way drains it too). */
function keep(cleanup: () => Promise<void> | void): void {
  cleanups.unshift(cleanup);
}

function log(message: string): void {
  console.log(`[start] ${message}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void stop(0);
  });
}

main().catch(async (err: unknown) => {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  await stop(1);
});
