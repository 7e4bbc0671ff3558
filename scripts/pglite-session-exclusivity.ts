/**
 * pglite-socket serves every client connection from one PGlite session and interleaves their
 * protocol messages one by one (it only keeps a client exclusive inside an explicit transaction).
 * The extended protocol spreads one query over several messages (Parse, Bind, Describe, Execute,
 * Sync) that share the session's unnamed statement and portal, so interleaving makes queries run
 * with another client's parameters or return another client's rows. This keeps a client exclusive
 * from its first message until PGlite answers ReadyForQuery outside a transaction.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const READY_FOR_QUERY = 0x5a; // 'Z'

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (size: number) => void;
  reject: (error: Error) => void;
  onData: (data: Uint8Array) => void;
}

/** The private shape of pglite-socket 0.2's query queue that this patch relies on. */
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  db: PGlite;
  lastHandlerId: number | null;
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

export function enforceSessionExclusivity(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueryQueue }).queryQueue;
  if (!queue || !Array.isArray(queue.queue) || typeof queue.processQueue !== 'function') {
    throw new Error('pglite-socket internals changed: cannot make sessions exclusive (check its version)');
  }
  /** The client between its first message and ReadyForQuery, if any. */
  let holder: number | null = null;

  queue.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = holder ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        const index = owner === null ? 0 : this.queue.findIndex((queued) => queued.handlerId === owner);
        if (index === -1) break; // the owner's next message has not arrived yet
        const [query] = this.queue.splice(index, 1) as [QueuedMessage];
        const tracker = trackReadyForQuery();
        let size = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(query.message, {
              onRawData: (data: Uint8Array) => {
                tracker.feed(data);
                size += data.length;
                query.onData(data);
              },
            }),
          );
        } catch (error) {
          holder = null;
          query.reject(error as Error);
          continue;
        }
        this.lastHandlerId = query.handlerId;
        holder = tracker.seen() ? null : query.handlerId;
        query.resolve(size);
      }
    } finally {
      this.processing = false;
    }
  }.bind(queue);

  const clear = queue.clearTransactionIfNeeded.bind(queue);
  queue.clearTransactionIfNeeded = async (handlerId: number) => {
    if (holder === handlerId) holder = null;
    await clear(handlerId);
    await queue.processQueue();
  };
}

/** Walks the backend messages of a response (possibly split across chunks) looking for ReadyForQuery. */
function trackReadyForQuery() {
  let pending = new Uint8Array(0);
  let seen = false;
  return {
    feed(chunk: Uint8Array) {
      const bytes = pending.length ? concat(pending, chunk) : chunk;
      let offset = 0;
      while (bytes.length - offset >= 5) {
        const length = new DataView(bytes.buffer, bytes.byteOffset + offset + 1, 4).getInt32(0);
        if (bytes.length - offset < 1 + length) break;
        if (bytes[offset] === READY_FOR_QUERY) seen = true;
        offset += 1 + length;
      }
      pending = bytes.slice(offset);
    },
    seen: () => seen,
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
