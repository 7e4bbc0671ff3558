/**
 * `npm run demo` options. Every default is what `npm start` uses (its ports honour the same
 * environment variables), so against a default stack no option is needed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEV_API_TOKEN, SAGE_SIMULATOR_TOKEN, stackPorts } from '../stack-defaults';

export type DemoScenario = 'sign' | 'refuse';

export interface DemoOptions {
  api: string;
  token: string;
  /** The Universign simulator's origin (its control API is under /_control). */
  universign: string;
  /** The Sage gateway simulator's origin (gateway API under /api, control under /_control). */
  sage: string;
  sageToken: string;
  webUi: string;
  /** npm start's ARCHIVE_DIR, to show where archived files are (the API gives paths relative to it). */
  archiveDir: string;
  /** Bound of each wait, in seconds. */
  timeoutSeconds: number;
  scenarios: DemoScenario[];
  signerEmail: string;
}

export const DEMO_USAGE = `npm run demo [-- options]   (against a running \`npm start\`)
  --api URL            the API (default http://127.0.0.1:$API_PORT, 3000)
  --token TOKEN        an API token (default npm start's development token)
  --universign URL     the Universign simulator (default http://127.0.0.1:$UNIVERSIGN_SIMULATOR_PORT, 8300)
  --sage URL           the Sage gateway simulator (default http://127.0.0.1:$SAGE_SIMULATOR_PORT, 8400)
  --sage-token TOKEN   its token (default npm start's)
  --web-ui URL         the Temporal Web UI (default http://127.0.0.1:$TEMPORAL_UI_PORT, 8233)
  --archive-dir DIR    npm start's ARCHIVE_DIR (default $ARCHIVE_DIR, else $STACK_DATA_DIR/archive, else .data/archive)
  --scenario NAME      sign, refuse or both (default both)
  --timeout SECONDS    how long each step may take (default 60)
  --signer EMAIL       the simulated signer (default client@example.com)`;

export class DemoUsageError extends Error {}

export function parseDemoOptions(args: string[], env: NodeJS.ProcessEnv = process.env): DemoOptions | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    throw new DemoUsageError(err instanceof Error ? err.message : String(err));
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const ports = stackPorts(env);
  const scenario = values.scenario ?? 'both';
  if (scenario !== 'sign' && scenario !== 'refuse' && scenario !== 'both') {
    throw new DemoUsageError(`--scenario must be sign, refuse or both (got ${scenario})`);
  }
  const timeoutSeconds = Number(values.timeout ?? 60);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new DemoUsageError('--timeout must be a positive number of seconds');
  return {
    api: trimSlash(values.api ?? `http://127.0.0.1:${ports.api}`),
    token: values.token ?? DEV_API_TOKEN,
    universign: trimSlash(values.universign ?? `http://127.0.0.1:${ports.universignSimulator}`),
    sage: trimSlash(values.sage ?? `http://127.0.0.1:${ports.sageSimulator}`),
    sageToken: values['sage-token'] ?? SAGE_SIMULATOR_TOKEN,
    webUi: trimSlash(values['web-ui'] ?? `http://127.0.0.1:${ports.temporalUi}`),
    archiveDir:
      values['archive-dir'] ??
      env.ARCHIVE_DIR ??
      join(env.STACK_DATA_DIR ?? fileURLToPath(new URL('../../.data', import.meta.url)), 'archive'),
    timeoutSeconds,
    scenarios: scenario === 'both' ? ['sign', 'refuse'] : [scenario],
    signerEmail: values.signer ?? 'client@example.com',
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      api: { type: 'string' },
      token: { type: 'string' },
      universign: { type: 'string' },
      sage: { type: 'string' },
      'sage-token': { type: 'string' },
      'web-ui': { type: 'string' },
      'archive-dir': { type: 'string' },
      scenario: { type: 'string' },
      timeout: { type: 'string' },
      signer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
