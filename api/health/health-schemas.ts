/** GET /health and GET /ready answers. */
import { z } from 'zod';

export const liveness = z.object({ status: z.literal('ok') });

export const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({
    database: z.string().describe('ok, or why not'),
    temporal: z.string().describe('ok, or why not'),
  }),
});
