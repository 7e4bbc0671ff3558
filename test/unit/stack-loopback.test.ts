/** npm start's host defaults (scripts/stack-loopback.ts): loopback unless told otherwise, and always while the development token serves. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindStackToLoopback, temporalDevServerArgs } from '../../scripts/stack-loopback';

test('the API and the worker metrics default to loopback', () => {
  const env: NodeJS.ProcessEnv = {};
  assert.deepEqual(bindStackToLoopback(env, true), []);
  assert.equal(env.API_HOST, '127.0.0.1');
  assert.equal(env.WORKER_METRICS_HOST, '127.0.0.1');
});

test('a public API_HOST is brought back to loopback while the development token serves, with a note', () => {
  const env: NodeJS.ProcessEnv = { API_HOST: '0.0.0.0' };
  const notes = bindStackToLoopback(env, true);
  assert.equal(env.API_HOST, '127.0.0.1');
  assert.match(notes.join('\n'), /API_HOST=0\.0\.0\.0 ignored.*set API_TOKENS/);
});

test('hosts given in the environment are kept when the stack has its own API tokens', () => {
  const env: NodeJS.ProcessEnv = { API_HOST: '0.0.0.0', WORKER_METRICS_HOST: '10.0.0.5' };
  assert.deepEqual(bindStackToLoopback(env, false), []);
  assert.equal(env.API_HOST, '0.0.0.0');
  assert.equal(env.WORKER_METRICS_HOST, '10.0.0.5');
});

test('the Temporal dev server binds its services and its Web UI to loopback', () => {
  const args = temporalDevServerArgs({ port: 7233, uiPort: 8233, dbFilename: 'x.sqlite', sqlitePragmas: [], searchAttributes: ['A'] });
  assert.equal(args[args.indexOf('--ip') + 1], '127.0.0.1');
  assert.equal(args[args.indexOf('--ui-ip') + 1], '127.0.0.1');
  assert.deepEqual(args.slice(args.indexOf('--search-attribute'), args.indexOf('--search-attribute') + 2), [
    '--search-attribute',
    'A=Keyword',
  ]);
});
