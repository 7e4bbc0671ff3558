/**
 * HTTP client for the Universign REST API v1 (see shared/universign-api.md): form-encoded requests,
 * JSON responses, HTTP Basic auth with the API key as user name. Every failure is thrown as one of
 * the classified errors of universign-errors.ts.
 */

import { tracedFetch } from '../shared/traced-fetch';
import { describeNetworkError } from './describe-network-error';
import { errorForStatus, UniversignBadResponseError, type UniversignErrorContext, UniversignUnavailableError } from './universign-errors';

export interface UniversignClientOptions {
  /** API base including the version, e.g. `https://api.universign.com/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Per-call limit, covering connection, headers and body. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Told of every call's answer: its HTTP status, or `network_error` when none came (the worker counts them). */
  onAnswer?: (method: string, status: number | 'network_error') => void;
}

/** A JSON object as Universign returned it. */
export type UniversignJson = Record<string, unknown>;

/** A created Universign object: always carries its id (`file_…`, `tx_…`, `doc_…`, `fld_…`). */
export type UniversignCreated = UniversignJson & { id: string };

export interface UploadFileInput {
  name: string;
  content: Uint8Array;
  contentType: string;
}

export interface CreateTransactionInput {
  name?: string;
  /** Signer interface language; Universign defaults to `fr`. */
  language?: string;
  /** ISO-8601 date after which the started transaction expires. */
  expiresAt?: string;
  metadata?: Record<string, string>;
}

export interface SignatureFieldPosition {
  page?: number;
  x?: number;
  y?: number;
}

export interface SignatureInput {
  /** E-mail of the signer; creates the participant if needed. */
  signer: string;
  /** Field id (`fld_…`). */
  field: string;
}

export interface ParticipantInput {
  email: string;
  fullName?: string;
  phoneNumber?: string;
}

export interface UniversignClient {
  getTransaction(transactionId: string): Promise<UniversignJson>;
  uploadFile(input: UploadFileInput): Promise<UniversignCreated>;
  createTransaction(input?: CreateTransactionInput): Promise<UniversignCreated>;
  addDocument(transactionId: string, fileId: string, name?: string): Promise<UniversignCreated>;
  addSignatureField(transactionId: string, documentId: string, position?: SignatureFieldPosition): Promise<UniversignCreated>;
  addSignature(transactionId: string, input: SignatureInput): Promise<UniversignJson>;
  upsertParticipant(transactionId: string, input: ParticipantInput): Promise<UniversignJson>;
  startTransaction(transactionId: string): Promise<UniversignJson>;
  cancelTransaction(transactionId: string): Promise<UniversignJson>;
  downloadSignedDocument(transactionId: string, documentId: string): Promise<Uint8Array>;
  downloadEvidence(transactionId: string): Promise<Uint8Array>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

type RequestBody = URLSearchParams | FormData;

export function createUniversignClient(options: UniversignClientOptions): UniversignClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = tracedFetch('universign', options.fetch ?? globalThis.fetch);
  const authorization = `Basic ${Buffer.from(`${options.apiKey}:`).toString('base64')}`;

  // A body echoing the request must not carry the key into logs or workflow history.
  const redact = (text: string): string => (options.apiKey ? text.split(options.apiKey).join('[redacted]') : text);

  async function send(method: string, path: string, body?: RequestBody): Promise<Response> {
    const context: UniversignErrorContext = { method, path };
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization, accept: 'application/json' },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      options.onAnswer?.(method, 'network_error');
      throw new UniversignUnavailableError({ ...context, reason: describeNetworkError(err, timeoutMs), cause: err });
    }
    options.onAnswer?.(method, response.status);
    if (response.ok) return response;
    const text = await readText(response, context, timeoutMs);
    throw errorForStatus({ ...context, status: response.status, body: redact(text) });
  }

  async function requestJson(method: string, path: string, body?: RequestBody): Promise<UniversignJson> {
    const response = await send(method, path, body);
    const context: UniversignErrorContext = { method, path, status: response.status };
    const text = await readText(response, context, timeoutMs);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UniversignBadResponseError({ ...context, reason: 'body is not JSON', body: redact(text) });
    }
    if (!isJsonObject(parsed)) {
      throw new UniversignBadResponseError({ ...context, reason: 'body is not a JSON object', body: redact(text) });
    }
    return parsed;
  }

  async function requestCreated(method: string, path: string, body?: RequestBody): Promise<UniversignCreated> {
    const json = await requestJson(method, path, body);
    if (typeof json.id !== 'string' || json.id === '') {
      throw new UniversignBadResponseError({
        method,
        path,
        reason: 'response has no id',
        body: redact(JSON.stringify(json)),
      });
    }
    return json as UniversignCreated;
  }

  async function requestBytes(path: string): Promise<Uint8Array> {
    const response = await send('GET', path);
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (err) {
      throw new UniversignUnavailableError({
        method: 'GET',
        path,
        status: response.status,
        reason: describeNetworkError(err, timeoutMs),
        cause: err,
      });
    }
  }

  const tx = (transactionId: string): string => `/transactions/${encodeURIComponent(transactionId)}`;

  return {
    getTransaction: (transactionId) => requestJson('GET', tx(transactionId)),

    uploadFile: ({ name, content, contentType }) => {
      const form = new FormData();
      form.append('file', new Blob([content], { type: contentType }), name);
      return requestCreated('POST', '/files', form);
    },

    createTransaction: (input = {}) => {
      const form = new URLSearchParams();
      if (input.name !== undefined) form.append('name', input.name);
      if (input.language !== undefined) form.append('language', input.language);
      if (input.expiresAt !== undefined) form.append('expires_at', input.expiresAt);
      for (const [key, value] of Object.entries(input.metadata ?? {})) form.append(`metadata[${key}]`, value);
      return requestCreated('POST', '/transactions', form);
    },

    addDocument: (transactionId, fileId, name) => {
      const form = new URLSearchParams({ document: fileId });
      if (name !== undefined) form.append('name', name);
      return requestCreated('POST', `${tx(transactionId)}/documents`, form);
    },

    addSignatureField: (transactionId, documentId, position = {}) => {
      const form = new URLSearchParams({ type: 'signature' });
      // Without a position Universign places an invisible signature.
      if (position.page !== undefined) form.append('page', String(position.page));
      if (position.x !== undefined) form.append('x', String(position.x));
      if (position.y !== undefined) form.append('y', String(position.y));
      return requestCreated('POST', `${tx(transactionId)}/documents/${encodeURIComponent(documentId)}/fields`, form);
    },

    addSignature: (transactionId, { signer, field }) =>
      requestJson('POST', `${tx(transactionId)}/signatures`, new URLSearchParams({ signer, field })),

    upsertParticipant: (transactionId, { email, fullName, phoneNumber }) => {
      const form = new URLSearchParams({ email });
      if (fullName !== undefined) form.append('full_name', fullName);
      if (phoneNumber !== undefined) form.append('phone_number', phoneNumber);
      return requestJson('POST', `${tx(transactionId)}/participants`, form);
    },

    startTransaction: (transactionId) => requestJson('POST', `${tx(transactionId)}/start`, new URLSearchParams()),

    cancelTransaction: (transactionId) => requestJson('POST', `${tx(transactionId)}/cancel`, new URLSearchParams()),

    downloadSignedDocument: (transactionId, documentId) =>
      requestBytes(`${tx(transactionId)}/archive/documents/${encodeURIComponent(documentId)}/download`),

    downloadEvidence: (transactionId) => requestBytes(`/archives/${encodeURIComponent(transactionId)}/requester-attestation`),
  };
}

async function readText(response: Response, context: UniversignErrorContext, timeoutMs: number): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    // The body was cut off (timeout or dropped connection): the call may well succeed next time.
    throw new UniversignUnavailableError({
      ...context,
      status: response.status,
      reason: describeNetworkError(err, timeoutMs),
      cause: err,
    });
  }
}

function isJsonObject(value: unknown): value is UniversignJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
