/**
 * OpenTelemetry tracing of a process, on when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans are batched
 * and posted as OTLP/HTTP JSON to `<endpoint>/v1/traces` (the exporter's other OTEL_EXPORTER_OTLP_* variables, headers
 * and timeout, apply too), with W3C trace context propagation. Off, nothing is registered: the OpenTelemetry API
 * stays its no-op and no exporter exists.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';

export interface Tracing {
  resource: Resource;
  /** Where the worker's workflow spans go too (through the interceptors' sink). */
  spanProcessor: SpanProcessor;
  /** Exports what is pending and stops: call last on shutdown. */
  shutdown(): Promise<void>;
}

/** Where spans are posted: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT's /v1/traces. */
export function tracesUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** Registers the global tracer provider for `serviceName`; null (and nothing registered) when tracing is off. */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | null {
  const url = tracesUrl(env);
  if (!url) return null;
  const resource = new Resource({ 'service.name': serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** A Temporal client's interceptors: with tracing on, its starts and signals carry the caller's trace to the workflow. */
export function tracingClientInterceptors(tracing: Tracing | null): ClientInterceptors {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}
