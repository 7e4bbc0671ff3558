/**
 * HTTP client for the Sage 100 gateway (design.md, "Sage 100 gateway"): JSON over HTTP with a bearer
 * token. Every failure is thrown as one of the classified errors of sage-gateway-errors.ts.
 */

import { tracedFetch } from '../shared/traced-fetch';
import { describeNetworkError } from './describe-network-error';
import {
  type SageGatewayErrorContext,
  SageGatewayRejectedError,
  SageGatewayUnavailableError,
  sageErrorForStatus,
} from './sage-gateway-errors';
import type { SageDocumentRef } from './sync-contracts';

export type { SageDocumentRef } from './sync-contracts';

export interface SageGatewayClientOptions {
  /** Gateway base URL (`SAGE_GATEWAY_URL`), e.g. `http://sage-host:8080/api`. */
  baseUrl: string;
  token: string;
  /** Per-call limit, covering connection, headers and body. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface SageDocument {
  type: string;
  number: string;
  status: string;
  freeFields: Record<string, unknown>;
}

/** New free field values by field name; null clears a field. */
export type SageFreeFieldValues = Record<string, string | null>;

export interface SageTransformResult {
  order: SageDocumentRef;
  /** true when the gateway answered 409: the document had already been transformed into `order`. */
  alreadyTransformed: boolean;
}

export interface SageGatewayClient {
  getDocument(type: string, number: string): Promise<SageDocument>;
  updateFreeFields(type: string, number: string, fields: SageFreeFieldValues): Promise<void>;
  /** Converts a quote into an order; the same idempotency key always yields the same order. */
  transformToOrder(type: string, number: string, idempotencyKey: string): Promise<SageTransformResult>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

interface Call {
  method: 'GET' | 'PATCH' | 'POST';
  path: string;
  document: SageDocumentRef;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  text: string;
}

export function createSageGatewayClient(options: SageGatewayClientOptions): SageGatewayClient {
  const baseUrl = parseBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = tracedFetch('sage', options.fetch ?? globalThis.fetch);
  const { token } = options;
  // Checked here so that fetch never rejects a header with an error message quoting the token.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new TypeError('Sage gateway token must be non-empty printable ASCII without spaces');
  const authorization = `Bearer ${token}`;

  // A body or error echoing the request must not carry the token into logs or workflow history.
  const redact = (text: string): string => text.split(token).join('[redacted]');

  async function send(call: Call): Promise<Answer> {
    const context: SageGatewayErrorContext = { method: call.method, path: call.path };
    const headers: Record<string, string> = { authorization, accept: 'application/json', ...call.headers };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${call.path}`, {
        method: call.method,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new SageGatewayUnavailableError({ ...context, reason: redact(describeNetworkError(err, timeoutMs)), cause: err });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      // The body was cut off (timeout or dropped connection): the call may well succeed next time.
      throw new SageGatewayUnavailableError({
        ...context,
        status: response.status,
        reason: redact(describeNetworkError(err, timeoutMs)),
        cause: err,
      });
    }
    return { status: response.status, text: redact(text) };
  }

  function failure(call: Call, answer: Answer): Error {
    return sageErrorForStatus({ method: call.method, path: call.path, status: answer.status, body: answer.text }, call.document);
  }

  /** A body that breaks the contract will not improve on a retry. */
  function contractBreach(call: Call, answer: Answer, reason: string): SageGatewayRejectedError {
    return new SageGatewayRejectedError({ method: call.method, path: call.path, status: answer.status, reason, body: answer.text });
  }

  function parseObject(call: Call, answer: Answer): Record<string, unknown> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      throw contractBreach(call, answer, 'body is not JSON');
    }
    if (!isObject(parsed)) throw contractBreach(call, answer, 'body is not a JSON object');
    return parsed;
  }

  function parseRef(call: Call, answer: Answer, value: unknown, what: string): SageDocumentRef {
    if (!isObject(value) || !isNonEmptyString(value.type) || !isNonEmptyString(value.number)) {
      throw contractBreach(call, answer, `${what} has no type and number`);
    }
    return { type: value.type, number: value.number };
  }

  const documentCall = (type: string, number: string, suffix = ''): Pick<Call, 'path' | 'document'> => ({
    path: `/documents/${pathSegment(type, 'type')}/${pathSegment(number, 'number')}${suffix}`,
    document: { type, number },
  });

  return {
    async getDocument(type, number) {
      const call: Call = { method: 'GET', ...documentCall(type, number) };
      const answer = await send(call);
      if (!isSuccess(answer.status)) throw failure(call, answer);
      const json = parseObject(call, answer);
      const ref = parseRef(call, answer, json, 'document');
      if (typeof json.status !== 'string') throw contractBreach(call, answer, 'document has no status');
      const freeFields = json.freeFields ?? {};
      if (!isObject(freeFields)) throw contractBreach(call, answer, 'freeFields is not an object');
      return { ...ref, status: json.status, freeFields };
    },

    async updateFreeFields(type, number, fields) {
      const call: Call = { method: 'PATCH', ...documentCall(type, number, '/free-fields'), body: { fields } };
      const answer = await send(call);
      if (!isSuccess(answer.status)) throw failure(call, answer);
    },

    async transformToOrder(type, number, idempotencyKey) {
      // Without a key a retried transform could create a second order: refuse to send one.
      if (idempotencyKey.trim() === '') throw new TypeError('transformToOrder needs a non-empty idempotency key');
      const call: Call = {
        method: 'POST',
        ...documentCall(type, number, '/transform'),
        body: { targetType: 'commande' },
        headers: { 'idempotency-key': idempotencyKey },
      };
      const answer = await send(call);
      if (answer.status === 409) {
        // A 409 is only a success when it names the order; any other conflict is a real refusal.
        let existing: unknown;
        try {
          existing = (JSON.parse(answer.text) as { existing?: unknown } | null)?.existing;
        } catch {
          existing = undefined;
        }
        if (existing === undefined || existing === null) throw failure(call, answer);
        return { order: parseRef(call, answer, existing, 'existing order'), alreadyTransformed: true };
      }
      if (!isSuccess(answer.status)) throw failure(call, answer);
      return { order: parseRef(call, answer, parseObject(call, answer), 'order'), alreadyTransformed: false };
    },
  };
}

function parseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`Sage gateway base URL is not a URL: ${baseUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Sage gateway base URL must be http(s): ${baseUrl}`);
  return baseUrl.replace(/\/+$/, '');
}

/** Encodes one path segment; `.` and `..` would be resolved away by the URL parser, so they are refused. */
function pathSegment(value: string, name: string): string {
  if (value === '' || value === '.' || value === '..') throw new TypeError(`Sage document ${name} is not a valid path segment: "${value}"`);
  return encodeURIComponent(value);
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
