/**
 * Sending a quote for signature and its business consequences, end to end on real servers:
 * the API sends it to the Universign simulator, the signer signs, the signed webhook drives the
 * workflow to SIGNE, and the Sage gateway, a real SMTP server and the archive each see it once.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { evidencePdfFor, signedPdfFor } from '../../simulators/simulated-archive-pdfs';
import { signatureWorkflowId, type TransactionState } from '../../workflows/messages';
import { sendQuote } from '../support/send-quote';
import { startTestStack, TEST_NOTIFY_TO, type TestStack } from '../support/start-test-stack';
import { waitUntil } from '../support/wait-until';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ businessActions: true });
});
after(async () => {
  await stack?.close();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
describe('business actions', () => {
  test('a signed quote: Sage fields, one order, one e-mail over SMTP, archived PDFs matching Universign', async () => {
    const world = stack.world!;
    const { transactionId } = await sendQuote(stack, 'D0042', [
      { email: 'alice@client.example', fullName: 'Alice Martin' },
      { email: 'bob@client.example', fullName: 'Bob Durand' },
    ]);
    await waitUntil(
      async () => world.sage.getDocument('devis', 'D0042')?.freeFields.STATUT_SIGNATURE === 'En cours de signature',
      'EN_COURS in Sage',
    );

    stack.universign.sign(transactionId, 'alice@client.example');
    stack.universign.sign(transactionId, 'bob@client.example');
    const result: TransactionState = await stack.env.client.workflow.getHandle(signatureWorkflowId(transactionId)).result();
    assert.equal(result.status, 'SIGNE');
    // Every SIGNE action done; an EN_COURS field update that ran late is skipped as superseded.
    assert.ok(
      result.actions.every((action) => (action.status === 'SIGNE' ? action.state === 'done' : action.state !== 'failed')),
      JSON.stringify(result.actions),
    );

    const quote = world.sage.getDocument('devis', 'D0042');
    assert.equal(quote?.freeFields.STATUT_SIGNATURE, 'Signé');
    assert.equal(quote?.freeFields.ID_UNIVERSIGN, transactionId);
    assert.match(String(quote?.freeFields.DATE_SIGNATURE), /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(quote?.status, 'transforme');
    const orders = world.sage.orders().filter((order) => order.from.number === 'D0042');
    assert.equal(orders.length, 1, 'exactly one order');

    const mails = world.smtp.messages().filter((mail) => mail.subject.includes('D0042'));
    assert.equal(mails.length, 1, 'exactly one e-mail');
    assert.equal(mails[0]?.subject, 'Devis D0042 signé');
    assert.deepEqual(mails[0]?.to, [TEST_NOTIFY_TO]);
    assert.match(mails[0]?.text ?? '', /Alice Martin/);

    const row = await stack.db.prisma.signatureTransaction.findUniqueOrThrow({
      where: { universignId: transactionId },
      include: { archivedDocuments: true, actions: true },
    });
    assert.equal(row.sageOrderNumber, orders[0]?.order.number);
    const documentId = row.documentIds[0] as string;
    const expected = new Map([
      [documentId, sha256(signedPdfFor(documentId))],
      ['evidence', sha256(evidencePdfFor(transactionId))],
    ]);
    assert.equal(row.archivedDocuments.length, 2);
    for (const archived of row.archivedDocuments) {
      assert.equal(archived.sha256, expected.get(archived.universignDocumentId), archived.name);
      const onDisk = await readFile(join(world.archiveDir, archived.path));
      assert.equal(sha256(onDisk), archived.sha256, 'the file on disk is what was recorded');
      assert.equal(onDisk.length, archived.sizeBytes);
      assert.match(archived.path, /^\d{4}\/\d{2}\/devis-D0042\//);
    }
    assert.ok(row.actions.every((action) => action.state === 'done' || (action.status === 'EN_COURS' && action.state === 'skipped')));

    const view = await stack.api('GET', `/api/transactions/${transactionId}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.status, 'SIGNE');
    assert.equal(view.body.archivedDocuments.length, 2);
    assert.ok(
      view.body.actions.some(
        (action: { kind: string; status: string }) => action.kind === 'CONVERT_QUOTE_TO_ORDER' && action.status === 'done',
      ),
    );
  });

  test('a refusal: REFUSE, the Universign transaction cancelled, one e-mail', async () => {
    const world = stack.world!;
    const { transactionId } = await sendQuote(stack, 'D0043', [{ email: 'carol@client.example', fullName: 'Carol' }]);
    stack.universign.refuse(transactionId, 'carol@client.example');
    const result: TransactionState = await stack.env.client.workflow.getHandle(signatureWorkflowId(transactionId)).result();
    assert.equal(result.status, 'REFUSE');
    assert.equal(stack.universign.getTransaction(transactionId).state, 'cancelled', 'nobody can sign it any more');
    const mails = world.smtp.messages().filter((mail) => mail.subject.includes('D0043'));
    assert.deepEqual(
      mails.map((mail) => mail.subject),
      ['Devis D0043 : signature refusée'],
    );
    assert.equal(world.sage.getDocument('devis', 'D0043')?.freeFields.STATUT_SIGNATURE, 'Refusé');
    assert.equal(world.sage.orders().filter((order) => order.from.number === 'D0043').length, 0, 'no order for a refusal');
  });
});
