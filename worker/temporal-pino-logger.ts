/**
 * Routes the Temporal SDK's own logs (worker state, bundling, workflow failures) through pino,
 * so the worker writes one JSON log stream. SDK chatter below `minimum` is dropped.
 */
import type { Logger, LogLevel, LogMetadata } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';

const ORDER: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export function createTemporalPinoLogger(log: PinoLogger, minimum: LogLevel = 'WARN'): Logger {
  const threshold = ORDER.indexOf(minimum);
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (ORDER.indexOf(level) < threshold) return;
    log[PINO_METHOD[level]](meta ?? {}, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
