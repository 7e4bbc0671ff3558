/**
 * The API's shutdown: every resource is closed even when one of them fails, each failure is
 * logged with its resource, and the exit code says whether the shutdown was clean.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeGracefully } from '../../api/close-gracefully';

function recordingLog() {
  const lines: Array<{ level: 'info' | 'error'; details: Record<string, unknown>; message: string }> = [];
  return {
    lines,
    log: {
      info: (details: object, message: string) => lines.push({ level: 'info', details: details as Record<string, unknown>, message }),
      error: (details: object, message: string) => lines.push({ level: 'error', details: details as Record<string, unknown>, message }),
    },
  };
}

test('a clean shutdown closes everything in order and exits 0', async () => {
  const closed: string[] = [];
  const { log, lines } = recordingLog();
  const code = await closeGracefully(
    ['http', 'temporal', 'database'].map((name) => ({ name, close: async () => void closed.push(name) })),
    log,
  );
  assert.equal(code, 0);
  assert.deepEqual(closed, ['http', 'temporal', 'database']);
  assert.ok(lines.every((line) => line.level === 'info'));
});

test('a close that throws is logged, the others still close, and the exit code is 1', async () => {
  const closed: string[] = [];
  const { log, lines } = recordingLog();
  const code = await closeGracefully(
    [
      { name: 'http', close: async () => void closed.push('http') },
      {
        name: 'temporal',
        close: async () => {
          throw new Error('connection already closed');
        },
      },
      { name: 'database', close: async () => void closed.push('database') },
    ],
    log,
  );
  assert.equal(code, 1);
  assert.deepEqual(closed, ['http', 'database'], 'the database is closed after the failed Temporal close');
  const failure = lines.find((line) => line.level === 'error' && line.details.resource === 'temporal');
  assert.ok(failure, JSON.stringify(lines));
  assert.match(String((failure.details.err as Error | undefined)?.message ?? failure.details.err), /connection already closed/);
});

test('a close that never ends counts as failed once its time is up', async () => {
  const closed: string[] = [];
  const { log, lines } = recordingLog();
  const code = await closeGracefully(
    [
      { name: 'http', close: () => new Promise<void>(() => undefined) },
      { name: 'database', close: async () => void closed.push('database') },
    ],
    log,
    { timeoutMs: 100 },
  );
  assert.equal(code, 1);
  assert.deepEqual(closed, ['database']);
  assert.ok(lines.some((line) => line.level === 'error' && line.details.resource === 'http'));
});
