/**
 * What the worker adds for OpenTelemetry tracing (shared/tracing.ts): the workflow interceptors module, the
 * `exporter` sink through which workflow spans leave the sandbox, and the activity interceptors that continue
 * the workflow's trace in each activity (the Universign and Sage calls' spans are then its children).
 */
import { fileURLToPath } from 'node:url';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetryWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Tracing } from '../shared/tracing';

/** Bundled into every prebuilt bundle (production build, tests); from sources, added when tracing is on. */
export const WORKFLOW_INTERCEPTOR_MODULES = [fileURLToPath(new URL('../workflows/otel-interceptors.ts', import.meta.url))];

/** Always registered: a bundle carrying the interceptors while tracing is off drops its spans here. */
export function workflowSpanSinks(tracing: Tracing | null | undefined): InjectedSinks<{ exporter: OpenTelemetryWorkflowExporter }> {
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) };
  return { exporter: { export: { fn: () => undefined, callDuringReplay: false } } };
}

export const tracedActivities: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});
