/**
 * The image's HEALTHCHECK (deploy/healthcheck.mjs), run as Docker runs it, against real HTTP
 * servers on loopback standing in for the API's /health and the worker's /metrics.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../deploy/healthcheck.mjs', import.meta.url));

async function serve(path: string, status = 200): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    response.writeHead(request.url === path ? status : 404).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: one a server just released. */
async function closedPort(): Promise<number> {
  const server = await serve('/');
  await server.close();
  return server.port;
}

/** Runs the script as Docker does; asynchronously, so that this process's servers keep answering meanwhile. */
function runHealthcheck(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

test('healthy when the API answers GET /health on API_PORT', async () => {
  const api = await serve('/health');
  try {
    const result = await runHealthcheck({ API_PORT: String(api.port), WORKER_METRICS_PORT: String(await closedPort()) });
    assert.equal(result.status, 0, result.stderr);
  } finally {
    await api.close();
  }
});

test('healthy when the worker answers GET /metrics on WORKER_METRICS_PORT', async () => {
  const worker = await serve('/metrics');
  try {
    const result = await runHealthcheck({ API_PORT: String(await closedPort()), WORKER_METRICS_PORT: String(worker.port) });
    assert.equal(result.status, 0, result.stderr);
  } finally {
    await worker.close();
  }
});

test('unhealthy when nothing answers, or only with an error status', async () => {
  const failing = await serve('/health', 503);
  try {
    const result = await runHealthcheck({ API_PORT: String(failing.port), WORKER_METRICS_PORT: String(await closedPort()) });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /unhealthy: none of http:\/\/127\.0\.0\.1:\d+\/health, http:\/\/127\.0\.0\.1:\d+\/metrics answered 2xx/);
  } finally {
    await failing.close();
  }
});
