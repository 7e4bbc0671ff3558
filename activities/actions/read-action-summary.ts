/** The human-readable summary stored in a business action's `result` JSON (`{summary, details?}`). */
import type { Prisma } from '../../prisma/generated/client';

export function readActionSummary(result: Prisma.JsonValue | null): string | null {
  return result && typeof result === 'object' && !Array.isArray(result) && typeof result.summary === 'string' ? result.summary : null;
}
