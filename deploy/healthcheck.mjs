#!/usr/bin/env node
/**
 * The image's HEALTHCHECK, for whichever process the container runs: healthy when the API answers
 * GET /health on API_PORT or the worker answers GET /metrics on WORKER_METRICS_PORT (the worker
 * serves them from its start and exits when it cannot reach Temporal or its workers fail). Plain
 * Node, on loopback: the slim image has no curl. Exit 0 healthy, 1 not.
 */
import { pathToFileURL } from 'node:url';

const TIMEOUT_MS = 3000;

export function healthUrls(env = process.env) {
  const urls = [`http://127.0.0.1:${env.API_PORT || 3000}/health`];
  if (env.WORKER_METRICS_PORT) urls.push(`http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics`);
  return urls;
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

export async function isHealthy(env = process.env) {
  const results = await Promise.all(healthUrls(env).map(answers));
  return results.some(Boolean);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const healthy = await isHealthy();
  if (!healthy) console.error(`unhealthy: none of ${healthUrls().join(', ')} answered 2xx`);
  process.exit(healthy ? 0 : 1);
}
