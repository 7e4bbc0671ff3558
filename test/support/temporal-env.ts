/**
 * Temporal servers for tests: the time-skipping test server for long timers, the dev server
 * (the real thing, with the Web UI) for integration tests. Both come from the project-local
 * binaries installed by scripts/bootstrap.mjs.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { resolveTemporalCli, resolveTemporalTestServer } from '../../scripts/temporal-binaries';
import { WORKFLOWS_PATH } from '../../worker/create-sync-worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../worker/tracing-interceptors';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';

// Worker chatter (state changes, expected workflow failures) would drown the test report.
Runtime.install({ logger: new DefaultLogger('ERROR') });

export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalTestServer() } },
  });
}

export interface DevServerOptions {
  /** Serve the Web UI on this loopback port (default: no UI). */
  ui?: { port: number };
}

export function createDevServerEnv(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTemporalCli() },
      ip: '127.0.0.1',
      ...(options.ui ? { ui: true, uiPort: options.ui.port } : {}),
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
      extraArgs: ['--log-level', 'error'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundling takes seconds: do it once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: quietLogger,
  });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
