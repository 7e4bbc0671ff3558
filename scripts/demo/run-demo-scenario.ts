/**
 * One scenario of the demo, end to end: a fresh quote entered in the Sage simulator, sent for
 * signature through the API, the simulated signer signing (or refusing) it through the
 * Universign simulator's control API as a click on the signing page would, and everything that
 * follows narrated live until the transaction is final and its business actions settled.
 */

import type { TransactionView } from '../../api/transactions/transaction-schemas';
import { renderSimulatedPdf } from '../../simulators/render-simulated-pdf';
import { DemoStepFailed, expectJson } from './demo-http';
import type { DemoNarrator } from './demo-narrator';
import type { DemoOptions, DemoScenario } from './parse-demo-options';
import { waitUntil } from './wait-until';
import { type WatchedTransaction, watchTransaction } from './watch-transaction';

export interface ScenarioOutcome {
  scenario: DemoScenario;
  transactionId: string;
  view: TransactionView;
}

const SCENARIO_GOAL = { sign: 'SIGNE', refuse: 'REFUSE' } as const;
/** Universign's stalled_reason for a signer's refusal (a free text there would be a stall, not a refusal). */
const REFUSAL_REASON = 'signature_refusal';

interface SendAnswer {
  transactionId?: string;
  workflowId?: string;
  requestId?: string;
  status: string;
}

export async function runDemoScenario(options: DemoOptions, narrator: DemoNarrator, scenario: DemoScenario): Promise<ScenarioOutcome> {
  const goal = SCENARIO_GOAL[scenario];
  narrator.title(scenario === 'sign' ? 'Scenario 1: the customer signs the quote' : 'Scenario 2: the customer refuses the quote');

  // A number of its own on each run, so runs never meet an earlier run's quote or transaction.
  const number = `DEMO-${Date.now().toString(36).toUpperCase()}-${scenario === 'sign' ? 'S' : 'R'}`;
  const sageDocument = { type: 'devis', number };
  await expectJson('add the quote to Sage', `${options.sage}/_control/documents`, [201], {
    method: 'POST',
    token: options.sageToken,
    body: { ...sageDocument, freeFields: { REF_CLIENT: 'C-DEMO' } },
  });
  narrator.say('sage quote', `devis ${number} entered in the Sage simulator`);

  const transactionId = await sendForSignature(options, narrator, sageDocument);
  const watched: WatchedTransaction = { transactionId, sageDocument, told: new Set() };
  narrator.say('web ui', workflowLink(options, `universign-${transactionId}`));
  await watchTransaction(options, narrator, watched, 'EN_COURS', 'wait for the transaction to be under way (EN_COURS)');

  const act = scenario === 'sign' ? 'sign' : 'refuse';
  await expectJson(
    `${act} as the signer`,
    `${options.universign}/_control/transactions/${encodeURIComponent(transactionId)}/${act}`,
    [200],
    {
      method: 'POST',
      body: scenario === 'sign' ? { email: options.signerEmail } : { email: options.signerEmail, reason: REFUSAL_REASON },
    },
  );
  narrator.say(
    'signer',
    scenario === 'sign'
      ? `${options.signerEmail} signs`
      : `${options.signerEmail} refuses to sign (Universign stalls the transaction: ${REFUSAL_REASON})`,
  );

  const view = await watchTransaction(options, narrator, watched, goal, `wait for ${goal} and its actions`);
  if (!view.webhookReceived) throw new DemoStepFailed(`wait for ${goal} and its actions`, 'no webhook was recorded for the transaction');
  narrator.say(
    'done',
    `${transactionId} is ${view.status}; workflow ${workflowLink(options, view.workflowId ?? `universign-${transactionId}`)}`,
  );
  return { scenario, transactionId, view };
}

async function sendForSignature(
  options: DemoOptions,
  narrator: DemoNarrator,
  sageDocument: { type: string; number: string },
): Promise<string> {
  const step = 'send the quote for signature';
  const pdf = Buffer.from(renderSimulatedPdf([`Devis ${sageDocument.number}`, 'Montant : 1 200,00 EUR HT'])).toString('base64');
  const idempotencyKey = `demo-${sageDocument.number}`;
  const sent = await expectJson<SendAnswer>(step, `${options.api}/api/signature-requests`, [201, 202], {
    method: 'POST',
    token: options.token,
    headers: { 'idempotency-key': idempotencyKey },
    body: {
      sageDocument,
      document: { name: `devis-${sageDocument.number}.pdf`, contentBase64: pdf },
      signers: [{ email: options.signerEmail, fullName: 'Client Démo' }],
      name: `Devis ${sageDocument.number}`,
    },
  });
  narrator.say(
    'sent',
    `POST /api/signature-requests → ${sent.status}; send workflow ${workflowLink(options, `send-key-${idempotencyKey}`)}`,
  );
  if (sent.body.transactionId) {
    narrator.say('transaction', `${sent.body.transactionId} (${sent.body.status})`);
    return sent.body.transactionId;
  }
  // 202: the send outlasted the API's wait; its progress is at GET /api/signature-requests/:id.
  const requestUrl = `${options.api}/api/signature-requests/${encodeURIComponent(sent.body.requestId ?? '')}`;
  const transactionId = await waitUntil({
    step,
    waitingFor: () => `the send ${sent.body.requestId} to finish`,
    timeoutSeconds: options.timeoutSeconds,
    narrator,
    check: async () => {
      const progress = await expectJson<{ status: string; transactionId: string | null; error: { message: string } | null }>(
        step,
        requestUrl,
        [200],
        {
          token: options.token,
        },
      );
      if (progress.body.status === 'failed') throw new DemoStepFailed(step, progress.body.error?.message ?? 'the send failed');
      return progress.body.status === 'sent' ? (progress.body.transactionId ?? undefined) : undefined;
    },
  });
  narrator.say('transaction', transactionId);
  return transactionId;
}

export function workflowLink(options: DemoOptions, workflowId: string): string {
  return `${options.webUi}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;
}
