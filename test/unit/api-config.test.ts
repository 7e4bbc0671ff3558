import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadApiConfig } from '../../api/config';
import { ConfigError, sageGatewayOptions } from '../../shared/config-fields';

const minimal = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
  UNIVERSIGN_API_KEY: 'key',
  API_TOKENS: 'first-token-0123456789, second-token-0123456789',
};

describe('API configuration', () => {
  test('defaults follow design.md, the JWKS URL derived from the API URL', () => {
    const config = loadApiConfig({ ...minimal, UNIVERSIGN_API_URL: 'https://api.alpha.universign.com/v1/' });
    assert.equal(config.API_PORT, 3000);
    assert.equal(config.API_HOST, '0.0.0.0');
    assert.equal(config.UNIVERSIGN_SIGNATURE_HEADER, 'x-jws-signature');
    assert.equal(config.UNIVERSIGN_JWKS_URL, 'https://api.alpha.universign.com/v1/webhooks/jwks.json');
    assert.deepEqual(config.API_TOKENS, ['first-token-0123456789', 'second-token-0123456789']);
  });

  test('the signature header name is configurable and case-insensitive', () => {
    assert.equal(
      loadApiConfig({ ...minimal, UNIVERSIGN_SIGNATURE_HEADER: 'X-Universign-JWS' }).UNIVERSIGN_SIGNATURE_HEADER,
      'x-universign-jws',
    );
  });

  test('API_TOKENS is required, and short tokens are refused without being echoed', () => {
    assert.throws(
      () => loadApiConfig({ ...minimal, API_TOKENS: undefined }),
      (err: unknown) => err instanceof ConfigError && /API_TOKENS/.test(err.message),
    );
    assert.throws(
      () => loadApiConfig({ ...minimal, API_TOKENS: 'short-secret' }),
      (err: unknown) => err instanceof ConfigError && /16 characters/.test(err.message) && !err.message.includes('short-secret'),
    );
  });

  test('the Sage gateway: off by default; URL and token go together, and the token is never echoed', () => {
    const off = loadApiConfig(minimal);
    assert.deepEqual([off.SAGE_GATEWAY_URL, off.SAGE_GATEWAY_TOKEN, off.SAGE_GATEWAY_TIMEOUT_MS], [undefined, undefined, 10_000]);
    assert.equal(sageGatewayOptions(off), null, 'no gateway: documents are not checked');
    const on = loadApiConfig({
      ...minimal,
      SAGE_GATEWAY_URL: 'http://sage-host:8080/api',
      SAGE_GATEWAY_TOKEN: 'sage-secret',
      SAGE_GATEWAY_TIMEOUT_MS: '2500',
    });
    assert.deepEqual(sageGatewayOptions(on), { baseUrl: 'http://sage-host:8080/api', token: 'sage-secret', timeoutMs: 2500 });
    assert.throws(
      () => loadApiConfig({ ...minimal, SAGE_GATEWAY_URL: 'http://sage-host:8080/api' }),
      (err: unknown) =>
        err instanceof ConfigError && /SAGE_GATEWAY_TOKEN: SAGE_GATEWAY_TOKEN is required when SAGE_GATEWAY_URL is set/.test(err.message),
    );
    assert.throws(
      () => loadApiConfig({ ...minimal, SAGE_GATEWAY_TOKEN: 'sage-secret' }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /SAGE_GATEWAY_URL: SAGE_GATEWAY_URL is required when SAGE_GATEWAY_TOKEN is set/.test(err.message) &&
        !err.message.includes('sage-secret'),
    );
  });
});
