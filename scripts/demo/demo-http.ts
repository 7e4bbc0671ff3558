/**
 * The demo's HTTP calls: JSON in and out, each bounded in time, and two failures it tells apart —
 * a step that went wrong (DemoStepFailed, naming the step) and nothing listening at all
 * (DemoUnreachable, which usually means the stack is not started).
 */

/** A step of the demo that did not go as it should; the demo exits non-zero naming it. */
export class DemoStepFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** Nothing answered at `url` (connection refused, unknown host, timeout). */
export class DemoUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`nothing answered at ${url} (${reason})`);
  }
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

const REQUEST_TIMEOUT_MS = 30_000;

export async function requestJson(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    throw new DemoUnreachable(url, describeFetchError(err));
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the message.
  }
  return { status: response.status, body };
}

/** The answer's JSON when its status is one of `expected`, else a DemoStepFailed quoting the answer. */
export async function expectJson<T>(
  step: string,
  url: string,
  expected: number[],
  init?: Parameters<typeof requestJson>[1],
): Promise<{ status: number; body: T }> {
  const answer = await requestJson(url, init);
  if (!expected.includes(answer.status)) {
    throw new DemoStepFailed(step, `${init?.method ?? 'GET'} ${url} answered ${answer.status}: ${brief(answer.body)}`);
  }
  return answer as { status: number; body: T };
}

function brief(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}
