import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildStatusEmailSubject, composeStatusEmail, type StatusEmailInput } from '../../activities/compose-status-email';

// 09:15 UTC in November is 10:15 in Paris (UTC+1).
const AT = '2026-11-28T09:15:00.000Z';

function input(overrides: Partial<StatusEmailInput> = {}): StatusEmailInput {
  return {
    status: 'SIGNE',
    sageDocument: { type: 'devis', number: 'D0042' },
    transactionId: 'tx_8Kd2',
    transactionName: 'Devis D0042 — Dupont SARL',
    signers: [
      { email: 'alice@example.com', name: 'Alice Martin', state: 'completed' },
      { email: 'bob@example.com', name: null, state: 'completed' },
    ],
    at: AT,
    ...overrides,
  };
}

function lines(text: string): string[] {
  return text.split('\n');
}

describe('buildStatusEmailSubject', () => {
  test('names the Sage document with its type capitalised', () => {
    const base = { sageDocument: { type: 'devis', number: 'D0042' }, transactionId: 'tx_1' };
    assert.equal(buildStatusEmailSubject({ ...base, status: 'SIGNE' }), 'Devis D0042 signé');
    assert.equal(buildStatusEmailSubject({ ...base, status: 'REFUSE' }), 'Devis D0042 : signature refusée');
    assert.equal(buildStatusEmailSubject({ ...base, status: 'EXPIRE' }), 'Devis D0042 : demande de signature expirée');
  });

  test('agrees the past participle with a feminine document type', () => {
    const subject = buildStatusEmailSubject({
      status: 'SIGNE',
      sageDocument: { type: 'commande', number: 'BC0007' },
      transactionId: 'tx_1',
    });
    assert.equal(subject, 'Commande BC0007 signée');
  });

  test('names the Universign transaction when there is no Sage document', () => {
    assert.equal(
      buildStatusEmailSubject({ status: 'SIGNE', sageDocument: null, transactionId: 'tx_9', transactionName: null }),
      'Transaction Universign tx_9 signée',
    );
    assert.equal(
      buildStatusEmailSubject({ status: 'REFUSE', sageDocument: null, transactionId: 'tx_9', transactionName: 'Contrat cadre' }),
      'Transaction Universign « Contrat cadre » (tx_9) : signature refusée',
    );
  });

  test('keeps the subject on one line whatever the names contain', () => {
    const subject = buildStatusEmailSubject({
      status: 'EXPIRE',
      sageDocument: { type: 'devis\r\nBcc: x@evil.example', number: 'D1' },
      transactionId: 'tx_1',
    });
    assert.doesNotMatch(subject, /[\r\n]/);
  });
});

describe('composeStatusEmail', () => {
  test('signed: document, status, Paris date, transaction id and signers', () => {
    const { subject, text, html } = composeStatusEmail(input());
    assert.equal(subject, 'Devis D0042 signé');
    const body = lines(text);
    assert.ok(body.includes('Le document Devis D0042 a été signé par tous les signataires.'));
    assert.ok(body.includes('Document : Devis D0042'));
    assert.ok(body.includes('Statut : signé'));
    assert.ok(body.includes('Date : samedi 28 novembre 2026 à 10:15 (heure de Paris)'));
    assert.ok(body.includes('Transaction Universign : « Devis D0042 — Dupont SARL » (tx_8Kd2)'));
    assert.ok(body.includes('- Alice Martin <alice@example.com> — signé'));
    assert.ok(body.includes('- bob@example.com — signé'));
    assert.match(html, /^<!DOCTYPE html>\n<html lang="fr">/);
    assert.ok(html.includes('<li>Alice Martin &lt;alice@example.com&gt; — signé</li>'));
    assert.ok(html.includes('tx_8Kd2'));
    assert.ok(html.includes('samedi 28 novembre 2026 à 10:15'));
  });

  test('refused: says who refused and who was still to sign', () => {
    const { subject, text } = composeStatusEmail(
      input({
        status: 'REFUSE',
        signers: [
          { email: 'alice@example.com', name: 'Alice Martin', state: 'refused' },
          { email: 'bob@example.com', name: 'Bob Durand', state: 'open' },
          { email: 'carol@example.com', name: 'Carol Petit', state: 'completed' },
        ],
      }),
    );
    assert.equal(subject, 'Devis D0042 : signature refusée');
    const body = lines(text);
    assert.ok(body.includes('La signature du document Devis D0042 a été refusée.'));
    assert.ok(body.includes('Statut : signature refusée'));
    assert.ok(body.includes('- Alice Martin <alice@example.com> — refusé'));
    assert.ok(body.includes('- Bob Durand <bob@example.com> — en attente'));
    assert.ok(body.includes('- Carol Petit <carol@example.com> — signé'));
  });

  test('expired: open signers are reported as not signed, the date in summer time', () => {
    const { subject, text } = composeStatusEmail(
      input({
        status: 'EXPIRE',
        // 22:30 UTC on 31 July is already 1 August in Paris (UTC+2).
        at: '2026-07-31T22:30:00Z',
        signers: [{ email: 'alice@example.com', name: 'Alice Martin', state: 'open' }],
      }),
    );
    assert.equal(subject, 'Devis D0042 : demande de signature expirée');
    const body = lines(text);
    assert.ok(body.includes("La demande de signature du document Devis D0042 a expiré avant d'être signée."));
    assert.ok(body.includes('Statut : demande de signature expirée'));
    assert.ok(body.includes('Date : samedi 1 août 2026 à 00:30 (heure de Paris)'), text);
    assert.ok(body.includes('- Alice Martin <alice@example.com> — non signé (demande expirée)'));
  });

  test('an unknown signer state is shown rather than guessed', () => {
    const { text } = composeStatusEmail(input({ signers: [{ email: 'alice@example.com', name: null, state: 'frozen' }] }));
    assert.ok(lines(text).includes('- alice@example.com — état inconnu (frozen)'));
  });

  test('escapes HTML in names, emails and the transaction name', () => {
    const { text, html } = composeStatusEmail(
      input({
        transactionName: 'Offre "spéciale" & co',
        signers: [{ email: 'eve@example.com', name: '<script>alert("x")</script> Ève', state: 'completed' }],
      }),
    );
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ève &lt;eve@example.com&gt;'));
    assert.ok(html.includes('« Offre &quot;spéciale&quot; &amp; co » (tx_8Kd2)'));
    // The text part is not HTML: it shows the name as given.
    assert.ok(lines(text).includes('- <script>alert("x")</script> Ève <eve@example.com> — signé'));
  });

  test('without a Sage document it names the Universign transaction', () => {
    const { subject, text, html } = composeStatusEmail(
      input({ status: 'REFUSE', sageDocument: null, transactionName: null, transactionId: 'tx_NoSage' }),
    );
    assert.equal(subject, 'Transaction Universign tx_NoSage : signature refusée');
    const body = lines(text);
    assert.ok(body.includes('La signature du document de la transaction Universign tx_NoSage a été refusée.'));
    assert.ok(body.includes('Document : aucun document Sage associé'));
    assert.ok(body.includes('Transaction Universign : tx_NoSage'));
    assert.ok(html.includes('tx_NoSage'));
  });

  test('says so when no signer is known', () => {
    const { text, html } = composeStatusEmail(input({ signers: [] }));
    assert.ok(lines(text).includes('- aucun signataire connu'));
    assert.ok(html.includes('Aucun signataire connu.'));
  });

  test('is deterministic and rejects an invalid date', () => {
    assert.deepEqual(composeStatusEmail(input()), composeStatusEmail(input()));
    assert.throws(() => composeStatusEmail(input({ at: 'hier' })), TypeError);
  });
});
