/**
 * The Temporal of the benchmark and the fault suite: a dev server on free loopback ports, started as `npm start` starts it
 * (SQLite file in WAL mode, the product's search attributes), and a client connected to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { temporalDevServerArgs } from '../../scripts/stack-loopback';
import { resolveTemporalCli, TEMPORAL_SQLITE_PRAGMAS } from '../../scripts/temporal-binaries';
import { freePort } from '../../shared/free-port';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { stopProcess } from './product-process';

export interface BenchTemporal {
  address: string;
  uiPort: number;
  child: ChildProcess;
  client: Client;
}

/** Starts the server and connects; the cleanups (stop server, close connection) are put first in `register`. */
export async function startTemporalDevServer(options: {
  workDir: string;
  logFile: WriteStream;
  register: Array<() => Promise<unknown>>;
}): Promise<BenchTemporal> {
  const { workDir, logFile: temporalLog, register: cleanups } = options;
  const temporalPort = await freePort();
  const temporalUiPort = await freePort();
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const temporalChild = spawn(
    resolveTemporalCli(),
    temporalDevServerArgs({
      port: temporalPort,
      uiPort: temporalUiPort,
      dbFilename: join(workDir, 'temporal.sqlite'),
      sqlitePragmas: TEMPORAL_SQLITE_PRAGMAS,
      searchAttributes: SEARCH_ATTRIBUTE_KEYS.map((key) => key.name),
    }),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  temporalChild.stdout?.pipe(temporalLog, { end: false });
  temporalChild.stderr?.pipe(temporalLog, { end: false });
  cleanups.unshift(() => stopProcess(temporalChild));
  const connection = await waitForTemporal(temporalAddress);
  cleanups.unshift(() => connection.close());
  const temporal = new Client({ connection });
  return { address: temporalAddress, uiPort: temporalUiPort, child: temporalChild, client: temporal };
}

async function waitForTemporal(address: string): Promise<Connection> {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      return await Connection.connect({ address, connectTimeout: 1_000 });
    } catch {
      await sleep(500);
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address}`);
}
