/**
 * A Temporal client over the SDK's native (Rust) connection, connected on first use and again
 * after a failed attempt, so the API starts while Temporal is down. The webhook deliveries use it:
 * measured on the 2-core machine, a signalWithStart costs the calling process 0.54–0.63 ms of CPU
 * through it against 1.05–1.29 ms through the JavaScript gRPC client, CPU the rest of the stack
 * needs at 100 webhooks a second.
 */
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';

export interface LazyClient {
  get(): Promise<Client>;
  close(): Promise<void>;
}

export function createLazyNativeClient(connect: () => Promise<NativeConnection>, namespace: string): LazyClient {
  let connecting: Promise<{ connection: NativeConnection; client: Client }> | null = null;
  const open = () => {
    connecting ??= connect().then(
      (connection) => ({ connection, client: new Client({ connection, namespace }) }),
      (err: unknown) => {
        connecting = null;
        throw err;
      },
    );
    return connecting;
  };
  return {
    async get() {
      return (await open()).client;
    },
    async close() {
      const current = connecting;
      connecting = null;
      if (current) await current.then(({ connection }) => connection.close()).catch(() => undefined);
    },
  };
}
