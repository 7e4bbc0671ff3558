import type { FastifyInstance } from 'fastify';
export async function transactionRoutes(_app: FastifyInstance): Promise<void> {}
