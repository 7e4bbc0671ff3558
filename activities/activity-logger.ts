/**
 * The logger of the activity under way (the worker's, with the activity's attempt and ids), or,
 * when the code runs outside an activity (a script, a test calling it directly), one writing to
 * stderr: whatever an activity chooses to log is never lost.
 */
import { asyncLocalStorage, type Context } from '@temporalio/activity';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';

/** The context of the activity under way, if any (heartbeats, cancellation, info, logger). */
export function currentActivityContext(): Context | undefined {
  return asyncLocalStorage.getStore();
}

export function activityLogger(): Logger {
  return currentActivityContext()?.log ?? stderrLogger;
}

const write = (level: LogLevel, message: string, meta?: LogMetadata) =>
  console.error(JSON.stringify({ level, message, ...meta, time: new Date().toISOString() }));

const stderrLogger: Logger = {
  log: write,
  trace: (message, meta) => write('TRACE', message, meta),
  debug: (message, meta) => write('DEBUG', message, meta),
  info: (message, meta) => write('INFO', message, meta),
  warn: (message, meta) => write('WARN', message, meta),
  error: (message, meta) => write('ERROR', message, meta),
};

/** An error as one line for a log or a record. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const type = (err as { type?: unknown }).type;
    return `${typeof type === 'string' ? type : err.name}: ${err.message}`;
  }
  return String(err);
}
