import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadWorkerConfig } from '../../worker/config';

const minimal = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test', UNIVERSIGN_API_KEY: 'key' };

describe('worker configuration', () => {
  test('applies the documented defaults', () => {
    const config = loadWorkerConfig(minimal);
    assert.equal(config.TEMPORAL_ADDRESS, 'localhost:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.equal(config.TEMPORAL_TASK_QUEUE, 'universign-sync');
    assert.equal(config.UNIVERSIGN_API_URL, 'https://api.universign.com/v1');
    assert.equal(config.UNIVERSIGN_MAX_REQUESTS_PER_SECOND, 100);
    assert.equal(config.WORKER_MAX_CACHED_WORKFLOWS, 500);
    assert.equal(config.WORKER_WORKFLOW_THREADS, 1);
    assert.equal(config.DATABASE_POOL_SIZE, 10);
    assert.equal(config.WORKER_METRICS_PORT, undefined, 'no metrics server unless asked for');
  });

  test('a metrics port must be a port number', () => {
    assert.equal(loadWorkerConfig({ ...minimal, WORKER_METRICS_PORT: '9464' }).WORKER_METRICS_PORT, 9464);
    for (const bad of ['abc', '0', '70000', '12.5']) {
      assert.throws(
        () => loadWorkerConfig({ ...minimal, WORKER_METRICS_PORT: bad }),
        (err: unknown) => err instanceof ConfigError && /WORKER_METRICS_PORT/.test(err.message),
        bad,
      );
    }
  });

  test('names every missing variable in one clear message', () => {
    assert.throws(
      () => loadWorkerConfig({}),
      (err: unknown) => err instanceof ConfigError && /DATABASE_URL/.test(err.message) && /UNIVERSIGN_API_KEY/.test(err.message),
    );
  });

  test('rejects malformed values without echoing secrets', () => {
    assert.throws(
      () => loadWorkerConfig({ ...minimal, UNIVERSIGN_API_KEY: 'super-secret', UNIVERSIGN_MAX_REQUESTS_PER_SECOND: 'fast' }),
      (err: unknown) =>
        err instanceof ConfigError && /UNIVERSIGN_MAX_REQUESTS_PER_SECOND/.test(err.message) && !err.message.includes('super-secret'),
    );
  });

  test('parses numbers from the environment', () => {
    const config = loadWorkerConfig({ ...minimal, UNIVERSIGN_TIMEOUT_MS: '2500', UNIVERSIGN_MAX_REQUESTS_PER_SECOND: '0.5' });
    assert.equal(config.UNIVERSIGN_TIMEOUT_MS, 2500);
    assert.equal(config.UNIVERSIGN_MAX_REQUESTS_PER_SECOND, 0.5);
  });

  test('half an mTLS setup is refused rather than connecting in plaintext', () => {
    assert.throws(
      () => loadWorkerConfig({ ...minimal, TEMPORAL_TLS_CERT: '/etc/cert.pem' }),
      (err: unknown) => err instanceof ConfigError && /TEMPORAL_TLS_KEY/.test(err.message),
    );
    assert.throws(
      () => loadWorkerConfig({ ...minimal, TEMPORAL_TLS_CA: '/etc/ca.pem' }),
      (err: unknown) => err instanceof ConfigError && /TEMPORAL_TLS_CA/.test(err.message),
    );
    assert.equal(loadWorkerConfig({ ...minimal, TEMPORAL_TLS_CERT: '/c.pem', TEMPORAL_TLS_KEY: '/k.pem' }).TEMPORAL_TLS_KEY, '/k.pem');
  });

  test("the Sage gateway settings are the API's (one definition): URL and token together", () => {
    assert.equal(loadWorkerConfig(minimal).SAGE_GATEWAY_TIMEOUT_MS, 10_000);
    for (const half of [{ SAGE_GATEWAY_URL: 'http://sage-host/api' }, { SAGE_GATEWAY_TOKEN: 'sage-secret' }]) {
      assert.throws(
        () => loadWorkerConfig({ ...minimal, ...half }),
        (err: unknown) =>
          err instanceof ConfigError &&
          /SAGE_GATEWAY_(URL|TOKEN) is required when/.test(err.message) &&
          !err.message.includes('sage-secret'),
      );
    }
  });

  test('reconciliation: every 300 s, stale after an hour, the API poll cadence; 0 pauses; malformed values refused', () => {
    const config = loadWorkerConfig(minimal);
    assert.equal(config.RECONCILE_INTERVAL_SECONDS, 300);
    assert.equal(config.RECONCILE_STALE_AFTER_SECONDS, 3600);
    assert.deepEqual(
      [config.POLL_INTERVAL_MIN_SECONDS, config.POLL_INTERVAL_MAX_SECONDS, config.POLL_INTERVAL_WITHOUT_WEBHOOKS_SECONDS],
      [60, 3600, 900],
    );
    assert.equal(loadWorkerConfig({ ...minimal, RECONCILE_INTERVAL_SECONDS: '0' }).RECONCILE_INTERVAL_SECONDS, 0);
    assert.equal(loadWorkerConfig({ ...minimal, RECONCILE_STALE_AFTER_SECONDS: '600' }).RECONCILE_STALE_AFTER_SECONDS, 600);
    for (const [name, bad] of [
      ['RECONCILE_INTERVAL_SECONDS', '-1'],
      ['RECONCILE_INTERVAL_SECONDS', '2.5'],
      ['RECONCILE_INTERVAL_SECONDS', 'often'],
      ['RECONCILE_STALE_AFTER_SECONDS', '0'],
      ['RECONCILE_STALE_AFTER_SECONDS', 'old'],
    ] as const) {
      assert.throws(
        () => loadWorkerConfig({ ...minimal, [name]: bad }),
        (err: unknown) => err instanceof ConfigError && err.message.includes(name),
        `${name}=${bad}`,
      );
    }
  });
});
