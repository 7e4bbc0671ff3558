#!/usr/bin/env node
/**
 * `prisma generate` (the package.json postinstall, also run by the bootstrap): writes the Prisma
 * Client to prisma/generated. Plain Node, because it runs while dependencies are being installed.
 *
 * The Prisma CLI wants its native schema engine, downloaded from Prisma's host, which is
 * unreachable here; generating the client never runs it, so any existing file will do. Migrations
 * use the WebAssembly engine instead (prisma/migrate.ts). No prisma.config.ts is needed: generate
 * reads prisma/schema.prisma by default and needs no database URL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PLACEHOLDER_ENGINE = join(ROOT, '.tools', 'prisma-schema-engine-placeholder');

export function prismaGenerate() {
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    if (!existsSync(PLACEHOLDER_ENGINE)) {
      mkdirSync(dirname(PLACEHOLDER_ENGINE), { recursive: true });
      writeFileSync(PLACEHOLDER_ENGINE, '#!/bin/sh\necho "placeholder: migrations use prisma/migrate.ts" >&2\nexit 1\n', { mode: 0o755 });
    }
    env.PRISMA_SCHEMA_ENGINE_BINARY = PLACEHOLDER_ENGINE;
  }
  const cli = createRequire(join(ROOT, 'package.json')).resolve('prisma/build/index.js');
  const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: ROOT, env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`prisma generate failed (exit ${result.status ?? result.signal})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    prismaGenerate();
  } catch (err) {
    console.error(err.message);
    process.exitCode = 1;
  }
}
