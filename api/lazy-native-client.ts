/**
 * A Temporal client over the SDK's native (Rust) connection, connected on first use and again
 * after a failed attempt, so the API starts while Temporal is down. The webhook deliveries use it:
 * measured on the 2-core machine, a signalWithStart costs the calling process 0.54–0.63 ms of CPU
 * through it against 1.05–1.29 ms through the JavaScript gRPC client, CPU the rest of the stack
 * needs at 100 webhooks a second.
 */
import { Client, type ClientInterceptors } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';

export interface LazyClient {
  get(): Promise<Client>;
  close(): Promise<void>;
}

export function createLazyNativeClient(
  connect: () => Promise<NativeConnection>,
  namespace: string,
  interceptors: ClientInterceptors = {},
): LazyClient {
  let connecting: Promise<{ connection: NativeConnection; client: Client }> | null = null;
  const open = () => {
    connecting ??= connect().then(
      (connection) => ({ connection, client: new Client({ connection, namespace, interceptors }) }),
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
    /** Closes the connection if one was made; a failure to close it is thrown (the shutdown reports it). */
    async close() {
      const current = connecting;
      connecting = null;
      if (!current) return;
      // A connection attempt that failed has nothing to close: its error went to the callers of get().
      const [attempt] = await Promise.allSettled([current]);
      if (attempt.status === 'fulfilled') await attempt.value.connection.close();
    },
  };
}
