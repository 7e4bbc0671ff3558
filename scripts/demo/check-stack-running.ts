/**
 * Before anything is sent: is `npm start`'s stack there (API, both simulators), ready (database
 * and Temporal reachable), and do the tokens work? Nothing listening means the stack is not
 * started, which StackNotRunning says in so many words.
 */
import { DemoStepFailed, DemoUnreachable, requestJson } from './demo-http';
import type { DemoNarrator } from './demo-narrator';
import type { DemoOptions } from './parse-demo-options';
import { waitUntil } from './wait-until';

export class StackNotRunning extends Error {}

const STEP = 'check the stack';

export async function checkStackRunning(options: DemoOptions, narrator: DemoNarrator): Promise<void> {
  await reach(`${options.api}/health`, 'the API');
  await waitUntil({
    step: STEP,
    waitingFor: () => `the API to be ready (${options.api}/ready: database and Temporal)`,
    check: async () => ((await reach(`${options.api}/ready`, 'the API')).status === 200 ? true : undefined),
    timeoutSeconds: options.timeoutSeconds,
    narrator,
    intervalMs: 500,
  });
  const tokenCheck = await reach(`${options.api}/api/transactions?limit=1`, 'the API', options.token);
  if (tokenCheck.status === 401) throw new DemoStepFailed(STEP, `the API refused the token (401): pass the one of API_TOKENS with --token`);
  if (tokenCheck.status !== 200) throw new DemoStepFailed(STEP, `GET ${options.api}/api/transactions answered ${tokenCheck.status}`);
  narrator.say('api', `${options.api} ready`);

  const universign = await reach(`${options.universign}/_control/outage`, 'the Universign simulator');
  if (universign.status !== 200) {
    throw new DemoStepFailed(
      STEP,
      `${options.universign} is not npm start's Universign simulator (/_control answered ${universign.status})`,
    );
  }
  narrator.say('universign', `simulator at ${options.universign} (control API /_control)`);

  const sage = await reach(`${options.sage}/api/documents/devis/D0001`, 'the Sage gateway simulator', options.sageToken);
  if (sage.status === 401) throw new DemoStepFailed(STEP, 'the Sage gateway simulator refused its token (401): pass it with --sage-token');
  narrator.say('sage', `gateway simulator at ${options.sage}/api`);
}

async function reach(url: string, what: string, token?: string) {
  try {
    return await requestJson(url, token ? { token } : {});
  } catch (err) {
    if (!(err instanceof DemoUnreachable)) throw err;
    throw new StackNotRunning(
      `The stack is not running: ${what} does not answer at ${url} (${err.reason}).\n` +
        'Start it with `npm start` (in another terminal), wait for "worker started", then run `npm run demo` again.\n' +
        'A stack on other ports or hosts: see `npm run demo -- --help`.',
    );
  }
}
