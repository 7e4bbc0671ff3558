/**
 * A fetch that records each call as an OpenTelemetry client span (`<peer> <METHOD>`, with the path and the
 * answer's status) and passes the trace on in a `traceparent` header. With tracing off the API is its no-op:
 * the call goes through unchanged.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('universign-sage-sync');

export function tracedFetch(peer: string, doFetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    return tracer.startActiveSpan(
      `${peer} ${method}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'peer.service': peer, 'http.request.method': method, 'server.address': url.hostname, 'url.path': url.pathname },
      },
      async (span) => {
        const headers = new Headers(init?.headers);
        propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
        try {
          const response = await doFetch(input, { ...init, headers });
          span.setAttribute('http.response.status_code', response.status);
          if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          return response;
        } catch (err) {
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  };
}
