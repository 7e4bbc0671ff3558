/**
 * What the fault suite does to and checks on a replica stack: quotes sent for signature (a Sage
 * quote and a started Universign transaction linked to it), signed by their signer; then the
 * business outcome counted from outside the product: the status in the database and through the
 * API, each Sage order and each e-mail exactly once, and the time until everything settled.
 */
import { sageDocumentMetadata } from '../../workflows/sage-document-metadata';
import type { ReplicaStack } from '../support/start-replica-stack';
import { waitUntil } from '../support/wait-until';

export interface FaultQuote {
  id: string;
  number: string;
  email: string;
}

/** What a SIGNE quote calls for (workflows/status-machine.ts). */
const SIGNED_QUOTE_ACTIONS = 4;

export function createQuotes(stack: ReplicaStack, prefix: string, count: number): FaultQuote[] {
  return Array.from({ length: count }, (_, index) => {
    const number = `${prefix}${String(index + 1).padStart(4, '0')}`;
    stack.sage.seedDocument({ type: 'devis', number, status: 'en_cours' });
    const email = `client.${number.toLowerCase()}@example.com`;
    const transaction = stack.universign.createTransaction({
      name: `Devis ${number}`,
      metadata: sageDocumentMetadata({ type: 'devis', number }),
      signers: [{ email, fullName: `Client ${number}` }],
    });
    return { id: transaction.id, number, email };
  });
}

export function signQuotes(stack: ReplicaStack, quotes: FaultQuote[]): void {
  for (const quote of quotes) stack.universign.sign(quote.id, quote.email);
}

export async function countWhere(stack: ReplicaStack, sql: string, ids: string[]): Promise<number> {
  return Number((await stack.pg.query<{ n: string }>(sql, [ids])).rows[0]?.n ?? 0);
}

/** Polls until every quote is recorded in `status`; returns when (epoch ms). */
export async function waitForStatus(stack: ReplicaStack, quotes: FaultQuote[], status: string, timeoutMs: number): Promise<number> {
  const ids = quotes.map((quote) => quote.id);
  await waitUntil(
    async () =>
      (await countWhere(
        stack,
        `SELECT count(*) AS n FROM signature_transactions WHERE universign_id = ANY($1) AND status = '${status}'`,
        ids,
      )) === ids.length,
    `${ids.length} transactions ${status}`,
    timeoutMs,
  );
  return Date.now();
}

/**
 * Polls until every business effect of the signed quotes is visible: SIGNE recorded, its actions
 * done, an order in Sage and an e-mail at the SMTP server for each. Returns when (epoch ms).
 */
export async function waitForSigned(stack: ReplicaStack, quotes: FaultQuote[], timeoutMs: number): Promise<number> {
  const ids = quotes.map((quote) => quote.id);
  const numbers = new Set(quotes.map((quote) => quote.number));
  const mailIds = new Set(quotes.map((quote) => signedMailId(quote.id)));
  await waitUntil(
    async () => {
      const ordered = new Set(stack.sage.orders().map((order) => order.from.number));
      if (![...numbers].every((number) => ordered.has(number))) return false;
      const mailed = new Set(stack.mails.map(({ mail }) => mail.messageId));
      if (![...mailIds].every((id) => mailed.has(id))) return false;
      const signed = await countWhere(
        stack,
        `SELECT count(*) AS n FROM signature_transactions WHERE universign_id = ANY($1) AND status = 'SIGNE'`,
        ids,
      );
      if (signed !== ids.length) return false;
      const done = await countWhere(
        stack,
        `SELECT count(*) AS n FROM business_actions a JOIN signature_transactions t ON t.id = a.transaction_id
         WHERE t.universign_id = ANY($1) AND a.status = 'SIGNE' AND a.state = 'done'`,
        ids,
      );
      return done === ids.length * SIGNED_QUOTE_ACTIONS;
    },
    `every business effect of ${ids.length} signed quotes`,
    timeoutMs,
  );
  return Date.now();
}

export interface SignedOutcome {
  quotes: number;
  /** Quotes missing their SIGNE (database or API), order or e-mail. */
  lost: number;
  duplicatedOrders: number;
  /** Extra copies of an e-mail not explained by a worker killed right after the SMTP server took it. */
  duplicatedMails: number;
  /** Extra copies whose first copy arrived just before a kill (the SMTP reply may have been cut). */
  mailsResentAfterKill: number;
  details: string[];
}

/** How close before a kill an e-mail's first copy must have arrived for its resend to be the kill's doing. */
const KILL_CUT_WINDOW_MS = 3_000;

/** Counts the outcome of signed quotes: statuses (database and API, both replicas), orders, e-mails. */
export async function checkSigned(stack: ReplicaStack, quotes: FaultQuote[], kills: number[] = []): Promise<SignedOutcome> {
  const outcome: SignedOutcome = {
    quotes: quotes.length,
    lost: 0,
    duplicatedOrders: 0,
    duplicatedMails: 0,
    mailsResentAfterKill: 0,
    details: [],
  };
  const recorded = await stack.pg.query<{ universign_id: string; status: string }>(
    'SELECT universign_id, status FROM signature_transactions WHERE universign_id = ANY($1)',
    [quotes.map((quote) => quote.id)],
  );
  const statusOf = new Map(recorded.rows.map((row) => [row.universign_id, row.status]));
  const orders = stack.sage.orders();
  for (const [index, quote] of quotes.entries()) {
    const problems: string[] = [];
    if (statusOf.get(quote.id) !== 'SIGNE') problems.push(`database status ${statusOf.get(quote.id)}`);
    const view = await stack.api('GET', `/api/transactions/${quote.id}`, undefined, index);
    if (view.status !== 200 || view.body?.status !== 'SIGNE') problems.push(`API ${view.status} ${view.body?.status}`);
    const ordersOf = orders.filter((order) => order.from.number === quote.number).length;
    if (ordersOf === 0) problems.push('no order');
    if (ordersOf > 1) {
      outcome.duplicatedOrders += ordersOf - 1;
      outcome.details.push(`${quote.id}: ${ordersOf} orders`);
    }
    const copies = stack.mails.filter(({ mail }) => mail.messageId === signedMailId(quote.id));
    if (copies.length === 0) problems.push('no e-mail');
    if (copies.length > 1) {
      const first = copies[0]?.at ?? 0;
      const cutByKill = kills.some((kill) => kill >= first && kill - first <= KILL_CUT_WINDOW_MS);
      if (cutByKill) outcome.mailsResentAfterKill += copies.length - 1;
      else outcome.duplicatedMails += copies.length - 1;
      outcome.details.push(`${quote.id}: ${copies.length} e-mails${cutByKill ? ' (first one just before a kill)' : ''}`);
    }
    if (problems.length > 0) {
      outcome.lost += 1;
      outcome.details.push(`${quote.id}: ${problems.join(', ')}`);
    }
  }
  return outcome;
}

export function signedMailId(transactionId: string): string {
  return `<${transactionId}.SIGNE@universign-sage-sync>`;
}

/** The figures line of one case, in the suite's common format. */
export function faultLine(fault: string, load: string, checked: string, result: string, convergedMs: number | null): string {
  const converged = convergedMs === null ? 'n/a' : `converged in ${(convergedMs / 1000).toFixed(1)} s`;
  return `fault: ${fault} | ${load} | ${checked} | ${result} | ${converged}`;
}

export function outcomeText(outcome: SignedOutcome): string {
  return `lost=${outcome.lost} duplicated=${outcome.duplicatedOrders + outcome.duplicatedMails} (orders ${outcome.duplicatedOrders}, e-mails ${outcome.duplicatedMails}, resent after a kill ${outcome.mailsResentAfterKill})`;
}
