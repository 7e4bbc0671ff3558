/**
 * The one error body every route answers with: `{error, message}` (the error handler builds it).
 * Routes list the statuses they can answer with `errorResponses(…)`; a status that attaches more
 * (a 409 carrying the recorded transaction) extends this schema in its resource's file.
 */
import { z } from 'zod';

export const errorResponse = z
  .object({
    error: z.string().describe('HTTP reason phrase, e.g. Not Found'),
    message: z.string().describe('What went wrong, for a person to read'),
  })
  .meta({ id: 'Error' });

export type ErrorResponse = z.output<typeof errorResponse>;

/** `{400: errorResponse, 401: errorResponse, …}` for the given statuses. */
export function errorResponses<const Code extends number>(...codes: Code[]): { [K in Code]: typeof errorResponse } {
  return Object.fromEntries(codes.map((code) => [code, errorResponse])) as { [K in Code]: typeof errorResponse };
}
