/**
 * Prisma's schema engine (the part behind `prisma migrate`) compiled to WebAssembly, driven
 * through the pg driver adapter. The native engine cannot be downloaded here; this one ships in
 * an npm package and speaks to PostgreSQL (or PGlite) through `pg` (see schema-engine-adapter.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import { createMigrationAdapter } from './schema-engine-adapter';

export type { SchemaEngine };

export const SCHEMA_PATH = new URL('./schema.prisma', import.meta.url).pathname;

/** tsconfig's lib (ES2022, no DOM) has no WebAssembly types; this is the part used here. */
const wasmRuntime = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
    };
  }
).WebAssembly;

let instantiated: Promise<void> | undefined;

/**
 * The package's own entry does `import * as wasm from "./x.wasm"`, which Node 20 cannot load:
 * instantiate the module by hand and hand its exports to the generated JS glue, as that entry would.
 */
function instantiateWasm(): Promise<void> {
  instantiated ??= (async () => {
    installPanicRegistry();
    const require = createRequire(import.meta.url);
    const glue = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(join(dirname(glue), 'schema_engine_bg.wasm'));
    const setTimeoutImport = Object.keys(bindings).find((name) => name.startsWith('__wbg_setTimeout_'));
    const imports = setTimeoutImport ? { ...bindings, [setTimeoutImport]: engineSetTimeout } : bindings;
    const { instance } = await wasmRuntime.instantiate(bytes, { './schema_engine_bg.js': imports });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return instantiated;
}

/**
 * The engine arms timers (e.g. a 10 s limit on taking the migration lock) and, lacking a
 * clearTimeout import, leaves them running once the work is done: a CLI or a test file would then
 * linger 10 s before exiting. Its timers keep the process alive only while an engine is open.
 */
const engineTimers = new Set<NodeJS.Timeout>();
let openEngines = 0;

function engineSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    engineTimers.delete(timer);
    callback();
  }, ms >>> 0);
  engineTimers.add(timer);
  if (openEngines === 0) timer.unref();
  return timer;
}

function engineClosed(): void {
  openEngines -= 1;
  if (openEngines === 0) for (const timer of engineTimers) timer.unref();
}

/**
 * On a Rust panic the engine hands its message to this global, then dies with a bare
 * "RuntimeError: unreachable" (often as an uncaught exception): print the message, the only
 * clue to the cause.
 */
function installPanicRegistry(): void {
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
    set_message(message: string) {
      process.stderr.write(`schema engine panicked: ${message}\n`);
    },
  };
}

export interface OpenedSchemaEngine {
  engine: SchemaEngine;
  /** Frees the engine and closes its connections. */
  close(): Promise<void>;
}

export interface OpenSchemaEngineOptions {
  /** Where the engine may create throwaway databases (createMigration, diff from migrations). */
  shadowDatabaseUrl?: string;
}

/** Opens the engine on `databaseUrl`, with prisma/schema.prisma as its datamodel. */
export async function openSchemaEngine(
  databaseUrl: string,
  { shadowDatabaseUrl }: OpenSchemaEngineOptions = {},
): Promise<OpenedSchemaEngine> {
  await instantiateWasm();
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  const adapter = createMigrationAdapter(databaseUrl, shadowDatabaseUrl);
  openEngines += 1;
  try {
    const engine = await bindings.SchemaEngine.new(
      { datamodels: [[SCHEMA_PATH, schema]] },
      logEngineMessage,
      bindMigrationAwareSqlAdapterFactory(adapter.factory),
    );
    let closing: Promise<void> | undefined;
    return {
      engine,
      close() {
        closing ??= (async () => {
          engine.free();
          engineClosed();
          await adapter.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    engineClosed();
    await adapter.close();
    throw err;
  }
}

/** The engine logs JSON lines; they are only worth reading when chasing an engine problem. */
function logEngineMessage(message: string): void {
  if (process.env.SCHEMA_ENGINE_DEBUG) process.stderr.write(`[schema-engine] ${message}\n`);
}
