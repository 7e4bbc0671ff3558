/**
 * The Sage gateway routes of design.md ("Sage 100 gateway") under /api/documents/{type}/{number}:
 * read a document, merge its free fields, and transform a quote into an order — idempotent per
 * Idempotency-Key, which replays the answer of the order it created.
 */
import { type Answer, decodeSegment, HttpError, isObject } from './sage-gateway-simulator-http';
import { ORDER_TYPE, type SimulatedSageDocuments } from './simulated-sage-documents';

/** Answers one authorized request; `segments` is the path after /api, split. */
export type SageRoute = (method: string, segments: string[], body: unknown, idempotencyKey: string | undefined, path: string) => Answer;

export function createSageRoutes(documents: SimulatedSageDocuments): SageRoute {
  // Idempotency-Key → the request it was first used for and the answer given then.
  const idempotent = new Map<string, { path: string; answer: Answer }>();

  return (method, segments, body, idempotencyKey, path) => {
    const [root, rawType, rawNumber, action, ...rest] = segments;
    if (root !== 'documents' || rawType === undefined || rawNumber === undefined || rest.length > 0) {
      throw new HttpError(404, 'not_found', `no route ${method} ${path}`);
    }
    const type = decodeSegment(rawType);
    const number = decodeSegment(rawNumber);

    if (action === undefined && method === 'GET') {
      const { status, freeFields } = documents.find(type, number);
      return { status: 200, body: { type, number, status, freeFields } };
    }
    if (action === 'free-fields' && method === 'PATCH') {
      const fields = readFields(body);
      const document = documents.find(type, number);
      // Merge: fields not named keep their value; null clears one (the field itself stays defined).
      Object.assign(document.freeFields, fields);
      return { status: 200, body: { type, number, status: document.status, freeFields: document.freeFields } };
    }
    if (action === 'transform' && method === 'POST') {
      if (!idempotencyKey) throw new HttpError(400, 'invalid_request', 'Idempotency-Key header is required');
      const replay = idempotent.get(idempotencyKey);
      if (replay) {
        if (replay.path !== path) {
          throw new HttpError(422, 'idempotency_key_reused', 'Idempotency-Key was already used for another document');
        }
        return replay.answer;
      }
      const targetType = isObject(body) ? body.targetType : undefined;
      if (typeof targetType !== 'string') throw new HttpError(400, 'invalid_request', 'targetType is required');
      if (targetType !== ORDER_TYPE) throw new HttpError(422, 'unsupported_target', `cannot transform into ${targetType}`);
      const answer = documents.transform(documents.find(type, number), idempotencyKey);
      // Only a created order is remembered: refusals change nothing, so repeating them answers the same.
      if (answer.status === 200) idempotent.set(idempotencyKey, { path, answer });
      return answer;
    }
    throw new HttpError(405, 'method_not_allowed', `${method} not allowed on ${path}`);
  };
}

function readFields(body: unknown): Record<string, string | null> {
  const fields = isObject(body) ? body.fields : undefined;
  if (!isObject(fields)) throw new HttpError(400, 'invalid_request', 'fields must be an object');
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && typeof value !== 'string') {
      throw new HttpError(422, 'invalid_field_value', `free field ${name} must be a string or null`);
    }
  }
  return fields as Record<string, string | null>;
}
