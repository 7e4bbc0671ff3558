/**
 * Whether an error means the database cannot be reached (down, restarting, cut off, its pool
 * exhausted): an outage the caller should wait out (503 with Retry-After), not a bug of ours (500).
 * Covers Prisma's client errors and the plain `pg` errors of the webhook store, through `cause`.
 */

/** Prisma: can't reach, timed out, server closed the connection, pool timeout. */
const PRISMA_UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Node sockets. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** PostgreSQL SQLSTATEs: admin/crash shutdown, cannot connect now, too many connections. */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Prisma driver-adapter error kinds. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const MESSAGES = /Connection terminated|connection timeout|Can't reach database server|Timed out fetching a new connection/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let current: unknown = err, depth = 0; current && depth < 5; depth += 1) {
    const { name, code, kind, message, cause } = current as {
      name?: unknown;
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (name === 'PrismaClientInitializationError') return true;
    if (
      typeof code === 'string' &&
      (PRISMA_UNAVAILABLE_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))
    ) {
      return true;
    }
    if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}
