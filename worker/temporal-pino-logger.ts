/**
 * Routes the Temporal SDK's logs (worker state, bundling, workflow failures, and the workflows'
 * and activities' own log calls, which carry their workflow id) through pino, so the worker
 * writes one JSON log stream. A line about a transaction's workflow also names the transaction.
 * SDK chatter below `minimum` is dropped.
 */
import type { Logger, LogLevel, LogMetadata } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { transactionIdOfWorkflow } from '../workflows/messages';

const ORDER: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export function createTemporalPinoLogger(log: PinoLogger, minimum: LogLevel = 'WARN'): Logger {
  const threshold = ORDER.indexOf(minimum);
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (ORDER.indexOf(level) < threshold) return;
    log[PINO_METHOD[level]](withTransactionId(meta ?? {}), message);
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

function withTransactionId(meta: LogMetadata): LogMetadata {
  if (typeof meta.transactionId === 'string') return meta;
  const transactionId = transactionIdOfWorkflow(meta.workflowType, meta.workflowId);
  return transactionId ? { ...meta, transactionId } : meta;
}
