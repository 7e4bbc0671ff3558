/**
 * The workflow bundle of a production build (`npm run build`): dist/workflow-bundle.js, webpacked once
 * from the compiled workflows, and dist/workflow-bundle.json, the SHA-256 of the bundle and of every
 * dist file it was made from. The built worker loads the bundle instead of webpacking at start, after
 * checking that the bundle and the workflow code it ships still agree: a bundle left from another
 * build would run other workflow code than the one deployed, and replays would fail on it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundlePath } from '@temporalio/worker';

export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';
export const WORKFLOW_BUNDLE_MANIFEST_FILE = 'workflow-bundle.json';

export interface WorkflowBundleManifest {
  bundleSha256: string;
  /** The build's files the bundle includes (paths relative to the build folder) and their SHA-256. */
  inputs: Record<string, string>;
}

export class WorkflowBundleError extends Error {
  override name = 'WorkflowBundleError';
}

/** Run from TypeScript sources (tsx) the worker bundles the workflows itself; compiled, it is part of a build. */
const RUNS_FROM_BUILD = import.meta.url.endsWith('.js');
const BUILD_DIR = fileURLToPath(new URL('../', import.meta.url));

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** What the build writes next to the bundle (`inputs`: paths relative to `buildDir`). */
export async function describeWorkflowBundle(buildDir: string, inputs: string[]): Promise<WorkflowBundleManifest> {
  const hashes = await Promise.all([...inputs].sort().map(async (input) => [input, await sha256Of(join(buildDir, input))] as const));
  return { bundleSha256: await sha256Of(join(buildDir, WORKFLOW_BUNDLE_FILE)), inputs: Object.fromEntries(hashes) };
}

/** The bundle of the build in `buildDir` once checked against the files it ships; throws WorkflowBundleError otherwise. */
export async function verifiedWorkflowBundle(buildDir: string): Promise<WorkflowBundlePath> {
  const manifestPath = join(buildDir, WORKFLOW_BUNDLE_MANIFEST_FILE);
  let manifest: WorkflowBundleManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as WorkflowBundleManifest;
  } catch {
    throw new WorkflowBundleError(`no readable workflow bundle manifest at ${manifestPath}: build the worker with 'npm run build'`);
  }
  const codePath = join(buildDir, WORKFLOW_BUNDLE_FILE);
  const bundleSha256 = await sha256Of(codePath).catch(() => null);
  if (bundleSha256 !== manifest.bundleSha256) {
    throw new WorkflowBundleError(
      `${codePath} is ${bundleSha256 ? 'not the bundle this build made' : 'missing'}: rebuild with 'npm run build' and deploy all of dist/`,
    );
  }
  const changed: string[] = [];
  for (const [input, sha256] of Object.entries(manifest.inputs)) {
    if ((await sha256Of(join(buildDir, input)).catch(() => null)) !== sha256) changed.push(input);
  }
  if (changed.length > 0) {
    throw new WorkflowBundleError(
      `the workflow bundle does not match the workflow code shipped with it (changed or missing since the build: ${changed.join(', ')}): ` +
        `rebuild with 'npm run build' and deploy all of dist/`,
    );
  }
  return { codePath };
}

/** The checked prebuilt bundle when the worker runs from a build; undefined when it runs from sources. */
export function prebuiltWorkflowBundle(): Promise<WorkflowBundlePath | undefined> {
  return RUNS_FROM_BUILD ? verifiedWorkflowBundle(BUILD_DIR) : Promise.resolve(undefined);
}
