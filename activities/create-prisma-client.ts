/**
 * The Prisma Client of the worker, the API and the tests: Prisma 7 talks to PostgreSQL through
 * the `pg` driver adapter (no native query engine). A small pool: activities are short, and
 * PGlite (the embedded server) runs one transaction at a time anyway.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client';

export const PRISMA_POOL_SIZE = 5;

export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: PRISMA_POOL_SIZE }) });
}
