/**
 * The HTTP plumbing the Universign simulator's routers share: a route table matched by path
 * pattern (`/v1/transactions/:tx`), bounded body reading, multipart parsing, and the JSON, PDF
 * and error answers (a SimulatorError becomes its status with `{error, message}`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalid, SimulatorError } from './universign-simulator-error';

const MAX_BODY_BYTES = 30 * 1024 * 1024;

export type Params = Record<string, string>;
export interface Route<Context> {
  method: string;
  pattern: string;
  handle(context: Context, params: Params): Promise<void> | void;
}

export function findRoute<Context>(
  routes: Array<Route<Context>>,
  method: string | undefined,
  path: string,
): { route: Route<Context>; params: Params } | null {
  const segments = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.pattern.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Params = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = decodeSegment(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, params };
  }
  return null;
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalid(`malformed path segment ${segment}`);
  }
}

/** Route parameters are present by construction of the pattern; this keeps the types honest. */
export function need(value: string | undefined): string {
  if (value === undefined) throw new SimulatorError(500, 'internal_error', 'route parameter missing');
  return value;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_BODY_BYTES) throw new SimulatorError(413, 'payload_too_large', 'request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export async function parseMultipart(body: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Request('http://simulator/upload', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw invalid('malformed multipart body');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendPdf(res: ServerResponse, bytes: Uint8Array, fileName: string): void {
  res.writeHead(200, {
    'content-type': 'application/pdf',
    'content-length': bytes.byteLength,
    'content-disposition': `attachment; filename="${fileName.replace(/"/g, '')}"`,
  });
  res.end(bytes);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof SimulatorError) {
    sendJson(res, err.status, { error: err.code, message: err.message });
    return;
  }
  console.error('universign simulator: unexpected error', err);
  sendJson(res, 500, { error: 'internal_error', message: 'unexpected simulator error' });
}
