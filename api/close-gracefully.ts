/**
 * The API's shutdown on SIGINT/SIGTERM: closes its resources in order (HTTP server first, so no
 * request starts on a closed pool), each one even when an earlier one failed, logs every failure
 * with the resource it concerns, and answers the process's exit code: 0 when all closed, 1 when
 * any close threw or outlived its time (an orchestrator then sees a shutdown that went wrong).
 */

export interface Closer {
  /** What is closed, as the log names it. */
  name: string;
  close(): Promise<unknown>;
}

export interface ShutdownLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Longer than a Fastify close waiting on its requests and webhook signals in flight. */
const DEFAULT_CLOSE_TIMEOUT_MS = 15_000;

export async function closeGracefully(
  closers: Closer[],
  log: ShutdownLogger,
  { timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS }: { timeoutMs?: number } = {},
): Promise<number> {
  const failed: string[] = [];
  for (const { name, close } of closers) {
    try {
      await withTimeout(close(), timeoutMs, `${name} did not close within ${timeoutMs} ms`);
    } catch (err) {
      failed.push(name);
      log.error({ err, resource: name }, `cannot close ${name}`);
    }
  }
  if (failed.length > 0) {
    log.error({ failed }, 'stopped with errors');
    return 1;
  }
  log.info({}, 'stopped');
  return 0;
}

async function withTimeout(work: Promise<unknown>, timeoutMs: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
