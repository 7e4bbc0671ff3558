/**
 * `npm run build`: the production build. Compiles the worker, the API, the migration runner and the
 * generated Prisma Client (tsconfig.build.json) to ESM JavaScript in dist/, copies the migrations and
 * the schema the migration runner reads, then webpacks the compiled workflows once into
 * dist/workflow-bundle.js with its manifest (worker/prebuilt-workflow-bundle.ts). Production then
 * runs `node dist/worker/main.js`, `node dist/api/main.js`, `node dist/prisma/migrate.js` with the
 * production dependencies only. Usage: `tsx scripts/build-production.ts [outDir]` (default dist/).
 */
import { existsSync } from 'node:fs';
import { cp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleOptions, bundleWorkflowCode } from '@temporalio/worker';
import ts from 'typescript';
import { describeWorkflowBundle, WORKFLOW_BUNDLE_FILE, WORKFLOW_BUNDLE_MANIFEST_FILE } from '../worker/prebuilt-workflow-bundle';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export async function buildProduction(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  compile(outDir);
  await cp(join(ROOT, 'prisma', 'migrations'), join(outDir, 'prisma', 'migrations'), { recursive: true });
  await cp(join(ROOT, 'prisma', 'schema.prisma'), join(outDir, 'prisma', 'schema.prisma'));
  await bundleWorkflows(outDir);
}

function compile(outDir: string): void {
  const configPath = join(ROOT, 'tsconfig.build.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(formatDiagnostics([error]));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, { outDir }, configPath);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const emitted = program.emit(undefined, undefined, undefined, false, { after: [addJsExtensions] });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  if (diagnostics.length > 0) throw new Error(formatDiagnostics(diagnostics));
}

/**
 * The sources import each other without extensions (tsconfig's Bundler resolution, as tsx runs them);
 * Node's ESM loader wants the file: `./x` becomes `./x.js`, a folder `./y` becomes `./y/index.js`.
 */
const addJsExtensions: ts.TransformerFactory<ts.SourceFile> = (context) => (sourceFile) => {
  const fromDir = dirname(sourceFile.fileName);
  const rewrite = (specifier: ts.Expression): ts.Expression => {
    if (!ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return specifier;
    return context.factory.createStringLiteral(runnableSpecifier(fromDir, specifier.text, sourceFile.fileName));
  };
  const visit = (node: ts.Node): ts.Node => {
    if (ts.isImportDeclaration(node)) {
      return context.factory.updateImportDeclaration(
        node,
        node.modifiers,
        node.importClause,
        rewrite(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      return context.factory.updateExportDeclaration(
        node,
        node.modifiers,
        node.isTypeOnly,
        node.exportClause,
        rewrite(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      return context.factory.updateCallExpression(node, node.expression, node.typeArguments, [
        rewrite(node.arguments[0]),
        ...node.arguments.slice(1),
      ]);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitEachChild(sourceFile, visit, context);
};

function runnableSpecifier(fromDir: string, specifier: string, importer: string): string {
  if (/\.(m?js|json)$/.test(specifier)) return specifier;
  if (existsSync(resolve(fromDir, `${specifier}.ts`))) return `${specifier}.js`;
  if (existsSync(resolve(fromDir, specifier, 'index.ts'))) return `${specifier}/index.js`;
  throw new Error(`${relative(ROOT, importer)}: cannot find the module '${specifier}' it imports`);
}

/** Webpacks the compiled workflows and records which of the build's files went into the bundle. */
async function bundleWorkflows(outDir: string): Promise<void> {
  const inputs = new Set<string>();
  const recordInputs: BundleOptions['webpackConfigHook'] = (config) => ({
    ...config,
    plugins: [
      ...(config.plugins ?? []),
      {
        apply(compiler) {
          compiler.hooks.done.tap('record-bundle-inputs', (stats) => {
            for (const file of stats.compilation.fileDependencies) {
              const path = relative(outDir, file);
              if (!path.startsWith('..') && !path.split(sep).includes('node_modules') && file.endsWith('.js')) inputs.add(path);
            }
          });
        },
      },
    ],
  });
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(outDir, 'workflows', 'index.js'),
    // The OpenTelemetry interceptors ride in every build; with tracing off the worker drops their spans.
    workflowInterceptorModules: [join(outDir, 'workflows', 'otel-interceptors.js')],
    webpackConfigHook: recordInputs,
    logger: quietLogger,
  });
  if (!inputs.has(join('workflows', 'index.js'))) throw new Error('bundling recorded no workflow file: cannot write the manifest');
  await writeFile(join(outDir, WORKFLOW_BUNDLE_FILE), code);
  const manifest = await describeWorkflowBundle(outDir, [...inputs]);
  await writeFile(join(outDir, WORKFLOW_BUNDLE_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(ROOT, 'dist'));
  const started = Date.now();
  buildProduction(outDir).then(
    () => console.log(`build: ${relative(process.cwd(), outDir) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s`),
    (err: unknown) => {
      console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
