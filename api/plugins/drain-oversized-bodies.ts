/**
 * A body over its route's limit is answered 413 at once, and Fastify then closes the connection
 * while the sender may still be writing: a sender that writes its whole body before reading (most
 * HTTP clients) sees a broken pipe or a reset instead of the 413, and retries as if the server had
 * failed. So the rest of the body is read and thrown away before the 413 goes out: whether the
 * connection then stays open or closes (a sender that asked `Connection: close`), the sender has
 * finished writing and reads its answer. A sender going on past DRAIN_MAX_BYTES is cut off.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

export const drainOversizedBodiesPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onSend', async (request, reply, payload) => {
    const raw = request.raw;
    if (reply.statusCode !== 413 || raw.complete) return payload;
    const declared = Number(request.headers['content-length']);
    if (declared > DRAIN_MAX_BYTES) return payload; // a declared size this large: not worth reading
    reply.removeHeader('connection');
    await drainBody(raw);
    return payload;
  });
});

/** Reads the rest of the body and throws it away; resolves at its end, or once the sender is cut off or gone. */
function drainBody(raw: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let drained = 0;
    raw.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_MAX_BYTES) {
        raw.socket.destroy();
        resolve();
      }
    });
    raw.once('end', () => resolve());
    raw.once('close', () => resolve());
    raw.once('error', () => resolve());
    raw.resume();
  });
}
