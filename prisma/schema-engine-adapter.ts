/**
 * The pg driver adapter as the WebAssembly schema engine needs it. @prisma/adapter-pg 7.10 is
 * written for queries, and has two gaps when it serves migrations:
 * - it rejects result columns of type "char" (OID 18), which the engine's catalog queries return
 *   (pg_class.relkind, pg_constraint.contype, ...): describing a database, hence any diff against
 *   the migrations, failed with "Column type 'char' could not be deserialized";
 * - its executeScript splits a script on every ';' (breaking string literals and $$ bodies) and
 *   runs the pieces one by one. `prisma migrate deploy` sends a migration as one multi-statement
 *   query, which PostgreSQL runs as one implicit transaction: a failed migration leaves nothing
 *   half-done. We do the same.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { ColumnTypeEnum, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;
type Query = Parameters<Adapter['queryRaw']>[0];
interface AdapterInternals {
  performIO(query: Query): Promise<pg.QueryResult>;
  onError(err: unknown): never;
}

/**
 * A "char" holds one character, which pg already parses as a string. The adapter's conversion
 * runs between performIO (the pg call) and the end of queryRaw: hide the type from the first,
 * then restore it as Character in the result, which the engine reads with `as_char`.
 */
function withCharColumns(adapter: Adapter): void {
  const internals = adapter as unknown as AdapterInternals;
  const charColumnsOf = new WeakMap<Query, number[]>();
  const performIO = internals.performIO.bind(adapter);
  internals.performIO = async (query) => {
    const result = await performIO(query);
    const charColumns: number[] = [];
    result.fields.forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      charColumns.push(index);
    });
    if (charColumns.length) charColumnsOf.set(query, charColumns);
    return result;
  };
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const index of charColumnsOf.get(query) ?? []) resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    return resultSet;
  };
}

/** Sends the whole script in one simple-protocol query, errors converted as the adapter would. */
function withWholeScripts(adapter: Adapter): void {
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (err) {
      (adapter as unknown as AdapterInternals).onError(err);
    }
  };
}

function forMigrations(adapter: Adapter): Adapter {
  withCharColumns(adapter);
  withWholeScripts(adapter);
  return adapter;
}

export interface MigrationAdapter {
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** Ends the connection pools (the engine does not). */
  close(): Promise<void>;
}

/**
 * One connection to `databaseUrl`: the engine takes a session-level lock
 * (`pg_advisory_lock`) so that two deploys never migrate at once, and its statements and unlock
 * must run on that same session. The shadow database (only for diffs against the migrations) is
 * `shadowDatabaseUrl` when given, else a throwaway database the adapter creates on the server.
 */
export function createMigrationAdapter(databaseUrl: string, shadowDatabaseUrl?: string): MigrationAdapter {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const shadowPool = shadowDatabaseUrl ? new pg.Pool({ connectionString: shadowDatabaseUrl, max: 1 }) : undefined;
  const main = new PrismaPg(pool);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => forMigrations(await main.connect()),
    connectToShadowDb: async () => forMigrations(await (shadowPool ? new PrismaPg(shadowPool).connect() : main.connectToShadowDb())),
  };
  return {
    factory,
    async close() {
      await Promise.all([pool.end(), shadowPool?.end()]);
    },
  };
}
