/**
 * Benchmark helper process: the outside world of the product (Universign simulator sending signed
 * webhooks to the API, Sage gateway simulator, SMTP server), driven over IPC by the benchmark.
 * It also signs the webhook events the load generator sends, and notes when each watched
 * transaction is read, to time polls from outside the product.
 */
import { normalizeTransaction } from '../../activities/normalize-transaction';
import { startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';
import { startUniversignSimulator } from '../../simulators/universign-simulator';
import { buildWebhookEvent, signWebhookBody } from '../../simulators/universign-webhook-event';
import { startSmtpSink } from '../../test/support/smtp-sink';
import { sageDocumentMetadata } from '../../workflows/sage-document-metadata';
import { serveRpc } from '../lib/child-rpc';

const apiKey = process.env.BENCH_UNIVERSIGN_KEY ?? 'bench-key';
const sageToken = process.env.BENCH_SAGE_TOKEN ?? 'bench-sage-token';
const webhookTarget = process.env.BENCH_WEBHOOK_TARGET ?? 'http://127.0.0.1:9/unset';

/** GET /v1/transactions/{id} times (epoch ms) of the watched transactions. */
const readsOf = new Map<string, number[]>();
const counts = { transactionReads: 0, downloads: 0, cancels: 0, other: 0 };

const universign = await startUniversignSimulator({
  apiKey,
  requestLogLimit: 1_000,
  webhooks: { targetUrl: webhookTarget, logLimit: 1_000, retryDelaysMs: [1_000, 5_000, 30_000] },
  onApiRequest({ method, path, transactionId }) {
    if (method === 'GET' && transactionId && path === `/v1/transactions/${transactionId}`) {
      counts.transactionReads += 1;
      readsOf.get(transactionId)?.push(Date.now());
    } else if (path.includes('/download') || path.endsWith('/requester-attestation')) counts.downloads += 1;
    else if (path.endsWith('/cancel')) counts.cancels += 1;
    else counts.other += 1;
  },
});
const sage = await startSageGatewaySimulator({ token: sageToken });
const smtp = await startSmtpSink();

let quoteNumber = 0;

serveRpc(
  {
    /** Started transactions with one signer each, created without webhooks, each linked to a new Sage quote. */
    createTransactions({ count, signers = 1 }: { count: number; signers?: number }) {
      universign.setWebhooksEnabled(false);
      try {
        const created: Array<{
          id: string;
          sageNumber: string;
          emails: string[];
          /** As the workflow would have them after its first sync. */
          signers: Array<{ email: string; name: string | null; state: string; url: string | null }>;
        }> = [];
        for (let i = 0; i < count; i += 1) {
          quoteNumber += 1;
          const number = `B${String(quoteNumber).padStart(6, '0')}`;
          sage.seedDocument({ type: 'devis', number, status: 'en_cours' });
          const emails = Array.from({ length: signers }, (_, index) => `signer${index + 1}.${number.toLowerCase()}@example.com`);
          const transaction = universign.createTransaction({
            name: `Devis ${number}`,
            metadata: sageDocumentMetadata({ type: 'devis', number }),
            signers: emails.map((email) => ({ email, fullName: email.split('@')[0] })),
          });
          const snapshot = normalizeTransaction(universign.getTransactionJson(transaction.id), new Date().toISOString());
          const signerStates = snapshot.signers.map(({ email, name, state, url }) => ({ email, name, state, url }));
          created.push({ id: transaction.id, sageNumber: number, emails, signers: signerStates });
        }
        return created;
      } finally {
        universign.setWebhooksEnabled(true);
      }
    },
    setWebhooksEnabled({ enabled }: { enabled: boolean }) {
      universign.setWebhooksEnabled(enabled);
      return enabled;
    },
    /** Every signer signs each transaction; returns when each was completed (epoch ms). */
    signAll({ transactions }: { transactions: Array<{ id: string; emails: string[] }> }) {
      const completedAt: Record<string, number> = {};
      for (const transaction of transactions) {
        for (const email of transaction.emails) universign.sign(transaction.id, email);
        completedAt[transaction.id] = Date.now();
      }
      return completedAt;
    },
    /** Signed webhook events (new ids) about the given transactions, round robin, for the load generator. */
    async signEvents({ transactionIds, count, type = 'action.reminder.sent' }: { transactionIds: string[]; count: number; type?: string }) {
      const key = universign.webhooks?.keys.current();
      if (!key) throw new Error('the simulator has no webhook keys');
      const events: Array<{ eventId: string; body: string; signature: string; transactionId: string }> = [];
      for (let i = 0; i < count; i += 1) {
        const transactionId = transactionIds[i % transactionIds.length] as string;
        const { id, rawBody } = buildWebhookEvent({
          type,
          payloadObject: universign.getTransactionJson(transactionId),
          createdAt: new Date().toISOString(),
        });
        events.push({ eventId: id, body: rawBody.toString('base64'), signature: await signWebhookBody(rawBody, key), transactionId });
      }
      return events;
    },
    watchReads({ transactionIds }: { transactionIds: string[] }) {
      for (const id of transactionIds) readsOf.set(id, []);
      return transactionIds.length;
    },
    reads({ transactionIds }: { transactionIds: string[] }) {
      return Object.fromEntries(transactionIds.map((id) => [id, readsOf.get(id) ?? []]));
    },
    unwatchReads() {
      readsOf.clear();
      return true;
    },
    counts() {
      return { universign: { ...counts }, sageCalls: sage.calls().length, sageOrders: sage.orders().length, mails: smtp.messages().length };
    },
    resetCounts() {
      counts.transactionReads = 0;
      counts.downloads = 0;
      counts.cancels = 0;
      counts.other = 0;
      return true;
    },
  },
  { universignUrl: universign.url, sageUrl: sage.url, smtpUrl: smtp.url, universignKey: apiKey, sageToken },
  async () => {
    await Promise.allSettled([universign.close(), sage.close(), smtp.close()]);
  },
);
