/**
 * An OpenTelemetry server span per HTTP request (`<METHOD> <route>`), continuing a caller's W3C `traceparent`.
 * The request's handling runs in the span's context, so what it starts
 * (a webhook's delivery to its workflow, shared/webhooks/) is part of the request's trace. With tracing off
 * (shared/tracing.ts) the spans are the API's no-op.
 */
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const tracer = trace.getTracer('universign-sage-sync');

export const requestSpansPlugin = fp(async (app: FastifyInstance) => {
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    spans.set(request, span);
    // The rest of the request's handling, its body's parsing and its handler included, runs from here.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
    span?.end();
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const span = spans.get(request);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted' });
    span?.end();
    done();
  });
});
