/**
 * Workflow interceptors module (not a workflow): OpenTelemetry spans for the workflow run, its signals and the
 * activities it schedules, whose trace context goes with them in headers. Spans leave the sandbox through the
 * `exporter` sink, which the worker registers (worker/tracing-interceptors.ts). Headers and spans only: the
 * workflow's commands are unchanged, so histories replay with or without it.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow/index.js';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
