/** GET /health (the process answers) and GET /ready (PostgreSQL and Temporal both reachable). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { liveness, readiness } from './health-schemas';

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: liveness },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: database and Temporal reachable',
        security: [],
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_request, reply) => {
      const { prisma, temporal } = app.deps;
      const [database, workflowService] = await Promise.all([
        check(() => prisma.$queryRaw`SELECT 1`),
        check(() => temporal.connection.withDeadline(Date.now() + READY_TIMEOUT_MS, () => temporal.workflowService.getSystemInfo({}))),
      ]);
      const ready = database === 'ok' && workflowService === 'ok';
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { database, temporal: workflowService } });
    },
  );
};

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref()),
    ]);
    return 'ok';
  } catch (err) {
    return `unavailable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}
