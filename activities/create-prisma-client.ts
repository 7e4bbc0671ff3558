/**
 * The Prisma Client of the worker, the API and the tests: Prisma 7 talks to PostgreSQL through
 * the `pg` driver adapter (no native query engine). The pool (DATABASE_POOL_SIZE, default 10 per
 * process) covers the API's webhook and delivery statements and the worker's concurrent activities
 * without queueing on a 2-core machine; PGlite (the embedded server) runs one transaction at a
 * time whatever the pool.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client';

export const DEFAULT_DATABASE_POOL_SIZE = 10;

export function createPrismaClient(databaseUrl: string, poolSize = DEFAULT_DATABASE_POOL_SIZE): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}
