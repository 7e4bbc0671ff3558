/**
 * Where `npm start` lets its listeners bind: loopback only. Its API token, simulator keys and
 * SMTP sink are public development values, so nothing it starts may be reachable from the network:
 * the Temporal dev server and its Web UI, the API, the worker's metrics (when WORKER_METRICS_PORT is
 * set), the simulators, the SMTP sink and the embedded database. `npm run api` / `npm run worker`
 * keep their documented defaults (0.0.0.0).
 */

export const LOOPBACK = '127.0.0.1';

const LOOPBACK_HOSTS = new Set([LOOPBACK, 'localhost', '::1']);

/**
 * Sets the hosts of the API and the worker's metrics for the stack's children. A host given in the
 * environment is kept, except the API's while it serves the public development token: that one is
 * brought back to loopback, and the returned note says so.
 */
export function bindStackToLoopback(env: NodeJS.ProcessEnv, usesDevToken: boolean): string[] {
  const notes: string[] = [];
  if (usesDevToken && env.API_HOST && !LOOPBACK_HOSTS.has(env.API_HOST)) {
    notes.push(
      `API_HOST=${env.API_HOST} ignored: the API serves the public development token, so it listens on ${LOOPBACK} (set API_TOKENS)`,
    );
    env.API_HOST = LOOPBACK;
  }
  env.API_HOST ??= LOOPBACK;
  env.WORKER_METRICS_HOST ??= LOOPBACK;
  return notes;
}

export interface TemporalDevServerArgs {
  port: number;
  uiPort: number;
  dbFilename: string;
  sqlitePragmas: string[];
  searchAttributes: string[];
}

/** `temporal server start-dev` on loopback: frontend, Web UI (bound apart with --ui-ip) and the ports it picks itself. */
export function temporalDevServerArgs(options: TemporalDevServerArgs): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    LOOPBACK,
    '--ui-ip',
    LOOPBACK,
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    options.dbFilename,
    ...options.sqlitePragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    '--log-level',
    'error',
    ...options.searchAttributes.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
  ];
}
