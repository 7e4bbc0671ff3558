/**
 * The Sage gateway simulator's control route, outside the gateway's own /api contract:
 * `POST /_control/documents {type?, number, status?, freeFields?}` creates (or replaces) a
 * document, as a salesperson entering a quote in Sage would; demos use it for a fresh quote on
 * every run. Same bearer token as the gateway routes.
 */
import { type Answer, HttpError, isObject } from './sage-gateway-simulator-http';
import type { SeedSageDocumentInput, SimulatedSageDocuments } from './simulated-sage-documents';

export const SAGE_CONTROL_PATH = '/_control/documents';

export function handleSageControl(documents: SimulatedSageDocuments, method: string, body: unknown): Answer {
  if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${method} not allowed on ${SAGE_CONTROL_PATH}`);
  if (!isObject(body)) throw new HttpError(400, 'invalid_request', 'body must be a JSON object');
  const { type, number, status, freeFields } = body;
  if (typeof number !== 'string' || number === '') throw new HttpError(400, 'invalid_request', 'number is required');
  if (type !== undefined && (typeof type !== 'string' || type === '')) throw new HttpError(400, 'invalid_request', 'type must be a string');
  if (status !== undefined && typeof status !== 'string') throw new HttpError(400, 'invalid_request', 'status must be a string');
  if (freeFields !== undefined && !isObject(freeFields)) throw new HttpError(400, 'invalid_request', 'freeFields must be an object');
  const input: SeedSageDocumentInput = { number };
  if (type !== undefined) input.type = type;
  if (status !== undefined) input.status = status;
  if (freeFields !== undefined) input.freeFields = freeFields;
  const { transformedTo: _to, transformedFrom: _from, ...document } = documents.seed(input);
  return { status: 201, body: document };
}
