/** Opens the worker's connection to Temporal: plain for a local server, API key or mTLS for a cloud one. */
import { readFile } from 'node:fs/promises';
import { NativeConnection } from '@temporalio/worker';
import type { WorkerConfig } from './config';

export async function connectTemporal(config: WorkerConfig): Promise<NativeConnection> {
  const mtls =
    config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: { crt: await readFile(config.TEMPORAL_TLS_CERT), key: await readFile(config.TEMPORAL_TLS_KEY) },
          ...(config.TEMPORAL_TLS_CA ? { serverRootCACertificate: await readFile(config.TEMPORAL_TLS_CA) } : {}),
        }
      : undefined;
  return NativeConnection.connect({
    address: config.TEMPORAL_ADDRESS,
    ...(config.TEMPORAL_API_KEY ? { apiKey: config.TEMPORAL_API_KEY, tls: mtls ?? true } : mtls ? { tls: mtls } : {}),
  });
}
