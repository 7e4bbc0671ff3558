/** The answer to a Universign webhook call (its body is raw bytes verified by signature, so it has no schema). */
import { z } from 'zod';

export const webhookAnswer = z.object({
  status: z.enum(['accepted', 'duplicate', 'ignored']).describe('ignored: authentic, but about no transaction or a final one'),
  eventId: z.string(),
});

export type WebhookAnswer = z.output<typeof webhookAnswer>;
