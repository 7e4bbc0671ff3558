import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadApiConfig } from '../../api/config';
import { ConfigError } from '../../shared/config-fields';

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
});
