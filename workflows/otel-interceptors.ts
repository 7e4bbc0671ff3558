/**
 * Workflow interceptors module (not a workflow): OpenTelemetry spans for the workflow run, its signals and the
 * activities it schedules, whose trace context goes with them in headers. Spans leave the sandbox through the
 * `exporter` sink, which the worker registers (worker/workflow-span-sink.ts). Headers and spans only: the
 * workflow's commands are unchanged, so histories replay with or without it.
 */
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
