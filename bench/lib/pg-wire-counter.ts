/**
 * A loopback proxy in front of PostgreSQL that reads the client side of the wire protocol and
 * counts messages: each Sync ('S') or simple Query ('Q') is one round trip the client waits for,
 * each Execute ('E') or Query one statement. Put between the worker and its database, it tells
 * what one sync costs without touching the product.
 */
import net from 'node:net';

export interface WireCounts {
  roundTrips: number;
  statements: number;
}

export interface PgWireCounter {
  /** The database URL to give the client (same credentials and database, through the proxy). */
  url: string;
  counts(): WireCounts;
  reset(): void;
  close(): Promise<void>;
}

export async function startPgWireCounter(databaseUrl: string): Promise<PgWireCounter> {
  const target = new URL(databaseUrl);
  const counts: WireCounts = { roundTrips: 0, statements: 0 };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    let pending: Buffer = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (startup) {
          // StartupMessage / SSLRequest: int32 length, no type byte.
          if (pending.length < 4) break;
          const length = pending.readInt32BE(0);
          if (pending.length < length) break;
          const code = pending.readInt32BE(4);
          pending = pending.subarray(length);
          // SSLRequest (80877103) is followed by another startup message.
          if (code !== 80877103) startup = false;
          continue;
        }
        if (pending.length < 5) break;
        const type = String.fromCharCode(pending[0] as number);
        const length = pending.readInt32BE(1);
        if (pending.length < length + 1) break;
        if (type === 'S' || type === 'Q') counts.roundTrips += 1;
        if (type === 'E' || type === 'Q') counts.statements += 1;
        pending = pending.subarray(length + 1);
      }
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    counts: () => ({ ...counts }),
    reset() {
      counts.roundTrips = 0;
      counts.statements = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
