/** GET /health (the process answers) and GET /ready (PostgreSQL and Temporal both reachable). */
import type { FastifyInstance } from 'fastify';

const READY_TIMEOUT_MS = 2_000;

const readySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: {
      type: 'object',
      properties: { database: { type: 'string' }, temporal: { type: 'string' } },
    },
  },
} as const;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: database and Temporal reachable',
        security: [],
        response: { 200: readySchema, 503: readySchema },
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
}

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
