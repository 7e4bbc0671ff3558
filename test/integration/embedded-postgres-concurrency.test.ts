/**
 * The embedded database serves several client connections from one PGlite session: concurrent
 * extended-protocol queries, inside and outside transactions, must each get their own results.
 * (Without scripts/pglite-session-exclusivity.ts this fails with "unnamed prepared statement does
 * not exist" and rows answered to the wrong client.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../scripts/embedded-postgres';

test('concurrent clients of the embedded server never see each other’s statements or rows', { timeout: 30_000 }, async () => {
  const db = await startEmbeddedPostgres();
  const clients = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      return client;
    }),
  );
  const problems: string[] = [];
  try {
    await Promise.all(
      clients.map(async (client, id) => {
        for (let n = 0; n < 60; n++) {
          try {
            if (id % 2 === 0) {
              await client.query('BEGIN');
              const { rows } = await client.query(`SELECT $1::int AS c${id}, $2::text AS n`, [id, String(n)]);
              if (rows[0]?.[`c${id}`] !== id || rows[0]?.n !== String(n)) problems.push(`client ${id} got ${JSON.stringify(rows[0])}`);
              await client.query('COMMIT');
            } else {
              const { rows } = await client.query(`SELECT $1::int AS c${id}, $2::int AS n, 'x' AS extra`, [id, n]);
              if (rows[0]?.[`c${id}`] !== id || rows[0]?.n !== n) problems.push(`client ${id} got ${JSON.stringify(rows[0])}`);
            }
          } catch (err) {
            problems.push(`client ${id}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.end()));
    await db.stop();
  }
  assert.deepEqual(problems.slice(0, 5), []);
});
