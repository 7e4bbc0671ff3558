/**
 * An oversized webhook over a real socket, from a sender that writes its whole body before it
 * reads the answer (as most HTTP clients do): it gets the 413, not a connection reset.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../api/create-app';
import { stubAppDeps } from '../support/stub-app-deps';

const LIMIT = 64 * 1024;
let app: FastifyInstance;
let port: number;

before(async () => {
  const deps = stubAppDeps({ settings: { apiTokens: ['unit-token-abcdef'], webhookMaxBytes: LIMIT } });
  app = await createApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
after(() => app?.close());

/** Writes the request and its whole body, then reads one answer; the socket's errors are part of the result. */
function postWholeBodyThenRead(headers: string, body: Buffer): Promise<{ answer: string; error: string | null }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    let error: string | null = null;
    const finish = () => resolve({ answer: received.toString('latin1'), error });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on('close', finish);
    socket.write(headers);
    socket.write(body, () => {
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const text = received.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        const length = /\r\ncontent-length: *(\d+)/i.exec(text)?.[1];
        // One whole answer read: done (a kept-alive connection does not close by itself).
        if (end >= 0 && length !== undefined && received.length >= end + 4 + Number(length)) socket.end();
      });
    });
    socket.setTimeout(20_000, () => socket.destroy(new Error('timed out')));
  });
}

for (const framing of ['content-length', 'chunked'] as const) {
  test(`a ${framing} webhook 64 times over the limit, written whole before reading: answered 413, no reset`, async () => {
    const size = LIMIT * 64;
    const payload = Buffer.alloc(size, 0x61);
    const body =
      framing === 'chunked' ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]) : payload;
    const headers =
      'POST /webhooks/universign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-jws-signature: a..b\r\n' +
      (framing === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${size}\r\n`) +
      '\r\n';
    const { answer, error } = await postWholeBodyThenRead(headers, body);
    assert.match(answer, /^HTTP\/1\.1 413 /, `the answer (socket error: ${error})`);
    assert.equal(error, null);
  });
}

test('a sender that asks to close the connection (Connection: close) and writes a body 64 times over the limit: 413, no reset', async () => {
  const size = LIMIT * 64;
  const headers =
    'POST /webhooks/universign HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-jws-signature: a..b\r\n' +
    `Connection: close\r\nContent-Length: ${size}\r\n\r\n`;
  // The server closes after its answer as asked: it must have read the whole body first, or the close resets the sender.
  for (let round = 0; round < 10; round += 1) {
    const { answer, error } = await postWholeBodyThenRead(headers, Buffer.alloc(size, 0x61));
    assert.match(answer, /^HTTP\/1\.1 413 /, `round ${round}: the answer (socket error: ${error})`);
    assert.equal(error, null, `round ${round}`);
  }
});
