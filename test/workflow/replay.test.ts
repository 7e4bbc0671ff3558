/**
 * Replays recorded histories of the signatureTransaction and sendForSignature workflows (test/fixtures/histories/,
 * made by test/fixtures/record-histories.ts on the dev server) against the current workflow code:
 * a change that would break running workflows fails here with a nondeterminism error.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { workflowSpanSinks } from '../../worker/tracing-interceptors';
import { workflowBundle } from '../support/temporal-env';

const HISTORIES = new URL('../fixtures/histories/', import.meta.url);
const files = (await readdir(HISTORIES)).filter((name) => name.endsWith('.json')).sort();

describe('replay of recorded histories', () => {
  test('fixtures are present', () => {
    assert.ok(files.length >= 2, `expected recorded histories, found ${files.join(', ')}`);
  });

  for (const file of files) {
    test(`replays ${file} deterministically`, async () => {
      const history = JSON.parse(await readFile(new URL(file, HISTORIES), 'utf8'));
      assert.ok(history.events.length > 20, 'a real, non-trivial history');
      // The bundle carries the tracing interceptors (as a production build's does): they must not change any command.
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), sinks: workflowSpanSinks(null) }, history, file);
    });
  }
});
