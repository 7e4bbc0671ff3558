/**
 * `npm run demo`: a guided tour of a running `npm start`. A fresh quote is sent for signature, the
 * simulated customer signs it, and every consequence is told as it happens (webhook, status, Sage
 * free fields, order, e-mail, archive, the workflow in the Web UI); then a second quote is
 * refused. Exit 0 when both went as they should, 1 naming the step that did not, 2 when the stack
 * is not running or the options are wrong.
 */
import { checkStackRunning, StackNotRunning } from './demo/check-stack-running';
import { DemoStepFailed, DemoUnreachable } from './demo/demo-http';
import { DemoNarrator } from './demo/demo-narrator';
import { DEMO_USAGE, type DemoOptions, DemoUsageError, parseDemoOptions } from './demo/parse-demo-options';
import { runDemoScenario, type ScenarioOutcome } from './demo/run-demo-scenario';

async function main(): Promise<number> {
  let options: DemoOptions | 'help';
  try {
    options = parseDemoOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    console.error(`demo: ${err.message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(DEMO_USAGE);
    return 0;
  }
  const narrator = new DemoNarrator();
  try {
    narrator.title('The stack');
    await checkStackRunning(options, narrator);
    const outcomes: ScenarioOutcome[] = [];
    for (const scenario of options.scenarios) outcomes.push(await runDemoScenario(options, narrator, scenario));
    narrator.title('Summary');
    for (const { scenario, transactionId, view } of outcomes) {
      const order = view.sageOrder ? `, order ${view.sageOrder.type} ${view.sageOrder.number}` : '';
      narrator.say(scenario, `${transactionId}: ${view.status}${order}, ${view.archivedDocuments.length} file(s) archived`);
    }
    narrator.say('ok', `demo finished in ${narrator.elapsedSeconds().toFixed(1)} s`);
    return 0;
  } catch (err) {
    if (err instanceof StackNotRunning) {
      console.error(`\n${err.message}`);
      return 2;
    }
    if (err instanceof DemoStepFailed) {
      console.error(`\ndemo failed at step "${err.step}": ${err.message}`);
      return 1;
    }
    if (err instanceof DemoUnreachable) {
      console.error(`\ndemo failed: ${err.message} (did the stack stop?)`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('demo failed unexpectedly:', err);
    process.exitCode = 1;
  },
);
