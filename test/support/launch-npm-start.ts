/**
 * `npm start` exactly as a developer types it, but on free loopback ports and a data folder of its
 * own (STACK_DATA_DIR), so it never meets a developer's stack or another test's. It runs in a
 * process group of its own; stop() sends the group SIGINT, as Ctrl-C in a terminal does, and
 * reports whether any process of the group outlived the stack.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { StackPorts } from '../../scripts/stack-defaults';
import { freePort } from '../../shared/free-port';
import { waitUntil } from './wait-until';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What would make npm start use an outside part instead of its own. */
const CONFIGURING_VARIABLES = [
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'UNIVERSIGN_API_URL',
  'UNIVERSIGN_API_KEY',
  'SAGE_GATEWAY_URL',
  'SAGE_GATEWAY_TOKEN',
  'SMTP_URL',
  'NOTIFY_TO',
  'API_TOKENS',
  'ARCHIVE_DIR',
  'CANCEL_ON_REFUSAL',
];

export interface NpmStartStack {
  ports: StackPorts;
  dataDir: string;
  /** performance.now() when `npm start` was launched. */
  launchedAt: number;
  /** Its output so far (stdout and stderr), line by line. */
  lines: string[];
  /** Resolves once `/ready` answers 200; fails if npm start exits first or after `timeoutMs`. */
  waitUntilReady(timeoutMs: number): Promise<void>;
  /** Ctrl-C: SIGINT to the group, then waits for every process of it to end (SIGKILL past `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ exitedCleanly: boolean; leftovers: boolean }>;
}

export async function launchNpmStart(): Promise<NpmStartStack> {
  const workDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
  const ports: StackPorts = {
    api: await freePort(),
    universignSimulator: await freePort(),
    sageSimulator: await freePort(),
    smtpSink: await freePort(),
    embeddedDb: await freePort(),
    temporal: await freePort(),
    temporalUi: await freePort(),
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIGURING_VARIABLES) delete env[name];
  Object.assign(env, {
    STACK_DATA_DIR: join(workDir, 'data'),
    API_HOST: '127.0.0.1',
    API_PORT: String(ports.api),
    UNIVERSIGN_SIMULATOR_PORT: String(ports.universignSimulator),
    SAGE_SIMULATOR_PORT: String(ports.sageSimulator),
    SMTP_SINK_PORT: String(ports.smtpSink),
    EMBEDDED_DB_PORT: String(ports.embeddedDb),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.temporalUi),
  });

  const launchedAt = performance.now();
  const child = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    ports,
    dataDir: join(workDir, 'data'),
    launchedAt,
    lines,
    async waitUntilReady(timeoutMs) {
      await waitUntil(
        async () => {
          if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${lines.slice(-30).join('\n')}`);
          const response = await fetch(`http://127.0.0.1:${ports.api}/ready`).catch(() => null);
          return response?.status === 200;
        },
        'npm start to be ready',
        timeoutMs,
      );
    },
    async stop(timeoutMs = 30_000) {
      const group = child.pid ?? 0;
      signalGroup(group, 'SIGINT');
      const exitedCleanly = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      // The group outlives npm only if one of the stack's processes did.
      let leftovers = false;
      for (let waited = 0; groupAlive(group); waited += 100) {
        if (waited >= 5_000 || !exitedCleanly) {
          leftovers = true;
          signalGroup(group, 'SIGKILL');
          break;
        }
        await sleep(100);
      }
      await exited;
      await rm(workDir, { recursive: true, force: true });
      return { exitedCleanly, leftovers };
    },
  };
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  if (groupAlive(group)) process.kill(-group, signal);
}
