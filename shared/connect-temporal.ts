/**
 * Connections to Temporal from the configuration: plain for a local server, API key or mTLS for
 * Temporal Cloud. The worker needs a native connection; operator calls need a client one.
 */
import { readFile } from 'node:fs/promises';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalConnectionConfig {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_API_KEY?: string | undefined;
  TEMPORAL_TLS_CERT?: string | undefined;
  TEMPORAL_TLS_KEY?: string | undefined;
  TEMPORAL_TLS_CA?: string | undefined;
}

async function connectionOptions(config: TemporalConnectionConfig) {
  const mtls =
    config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: { crt: await readFile(config.TEMPORAL_TLS_CERT), key: await readFile(config.TEMPORAL_TLS_KEY) },
          ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: await readFile(config.TEMPORAL_TLS_CA) } : {}),
        }
      : undefined;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY, tls: mtls ?? true } : mtls ? { tls: mtls } : {}),
  } satisfies ConnectionOptions;
}

export async function connectTemporalNative(config: TemporalConnectionConfig): Promise<NativeConnection> {
  return NativeConnection.connect(await connectionOptions(config));
}

/** `lazy` defers connecting to the first call, so a process can start while Temporal is down. */
export async function connectTemporalClient(config: TemporalConnectionConfig & { lazy?: boolean }): Promise<Connection> {
  const options = await connectionOptions(config);
  return config.lazy ? Connection.lazy(options) : Connection.connect(options);
}
