/**
 * The Temporal SDK's own metrics (`temporal_…`: task slots, poll and schedule-to-start latencies,
 * workflow and activity outcomes) come from its Rust core, which exports Prometheus text on an
 * HTTP port of its own. The worker binds it to a free loopback port and appends its text to
 * WORKER_METRICS_PORT's /metrics, so one scrape shows the SDK's figures beside the service's.
 */
import type { TelemetryOptions } from '@temporalio/worker';
import { freePort } from '../shared/free-port';

export interface SdkMetricsExporter {
  /** Where the SDK serves its text (GET), for the worker's /metrics to append. */
  url: string;
  telemetryOptions: TelemetryOptions;
}

/** A free loopback port for the SDK's exporter (the core cannot report the port it binds to). */
export async function sdkMetricsExporter(host = '127.0.0.1'): Promise<SdkMetricsExporter> {
  const port = await freePort(host);
  return {
    url: `http://${host}:${port}/metrics`,
    telemetryOptions: {
      metrics: {
        prometheus: { bindAddress: `${host}:${port}`, countersTotalSuffix: true, useSecondsForDurations: true },
      },
    },
  };
}
