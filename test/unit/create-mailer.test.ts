import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { composeStatusEmail } from '../../activities/compose-status-email';
import { createMailer, type Mailer, MailerRejectedError, MailerUnavailableError } from '../../activities/create-mailer';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink';

const FROM = '"Signatures Dupont" <signatures@dupont.example>';

describe('createMailer against a real SMTP server', () => {
  let sink: SmtpSink;
  let mailer: Mailer;

  before(async () => {
    sink = await startSmtpSink();
    mailer = createMailer({ smtpUrl: sink.url, from: FROM, timeoutMs: 5_000 });
  });
  after(async () => {
    mailer.close();
    await sink.close();
  });
  beforeEach(() => sink.failNext(0));

  test('delivers the status e-mail with its accented subject and bodies decoded', async () => {
    const before = sink.messages().length;
    const email = composeStatusEmail({
      status: 'REFUSE',
      sageDocument: { type: 'devis', number: 'D0042' },
      transactionId: 'tx_accents',
      signers: [{ email: 'helene@client.example', name: 'Hélène Lefèvre', state: 'refused' }],
      at: '2026-11-28T09:15:00Z',
    });
    const sent = await mailer.send({
      to: ['commercial@dupont.example', 'adv@dupont.example'],
      ...email,
      headers: { 'X-Universign-Transaction': 'tx_accents' },
    });
    assert.deepEqual(sent.accepted, ['commercial@dupont.example', 'adv@dupont.example']);
    assert.deepEqual(sent.rejected, []);

    const [mail] = (await sink.waitForMessages(before + 1)).slice(before);
    assert.ok(mail);
    assert.equal(mail.subject, 'Devis D0042 : signature refusée');
    assert.equal(mail.from, 'signatures@dupont.example');
    assert.equal(mail.headerFrom, '"Signatures Dupont" <signatures@dupont.example>');
    assert.deepEqual(mail.to, ['commercial@dupont.example', 'adv@dupont.example']);
    assert.equal(mail.text.trim(), email.text.trim());
    assert.ok(mail.text.includes('- Hélène Lefèvre <helene@client.example> — refusé'));
    assert.ok(mail.html?.includes('Hélène Lefèvre &lt;helene@client.example&gt; — refusé'));
    assert.equal(mail.headers['x-universign-transaction'], 'tx_accents');
    assert.equal(mail.messageId, sent.messageId);
    // The subject travelled as an RFC 2047 encoded word, not as raw 8-bit.
    assert.match(mail.raw, /^Subject: =\?UTF-8\?/im);
  });

  test('keeps a caller-given Message-ID, adding the brackets when missing', async () => {
    const before = sink.messages().length;
    const first = await mailer.send({
      to: ['adv@dupont.example'],
      subject: 'Devis D0042 signé',
      text: 'Signé.',
      html: '<p>Signé.</p>',
      messageId: '<tx_8Kd2-SIGNE@universign-sage-sync>',
    });
    const second = await mailer.send({
      to: ['adv@dupont.example'],
      subject: 'Devis D0042 signé',
      text: 'Signé.',
      html: '<p>Signé.</p>',
      messageId: 'tx_8Kd2-SIGNE@universign-sage-sync',
    });
    assert.equal(first.messageId, '<tx_8Kd2-SIGNE@universign-sage-sync>');
    assert.equal(second.messageId, '<tx_8Kd2-SIGNE@universign-sage-sync>');
    const received = (await sink.waitForMessages(before + 2)).slice(before);
    assert.deepEqual(
      received.map((mail) => mail.messageId),
      ['<tx_8Kd2-SIGNE@universign-sage-sync>', '<tx_8Kd2-SIGNE@universign-sage-sync>'],
    );
  });

  test('refuses a Message-ID that could not be a header value', async () => {
    await assert.rejects(
      mailer.send({ to: ['adv@dupont.example'], subject: 's', text: 't', html: 'h', messageId: 'no id\r\nBcc: x@y' }),
      TypeError,
    );
  });

  test('a 451 reply is retryable: MailerUnavailableError, and the retry goes through', async () => {
    const before = sink.messages().length;
    sink.failNext(1, 451);
    const mail = { to: ['adv@dupont.example'], subject: 'Réessai', text: 't', html: '<p>t</p>', messageId: '<retry-451@test>' };
    await assert.rejects(mailer.send(mail), (err: unknown) => {
      assert.ok(err instanceof MailerUnavailableError);
      assert.equal(err.retryable, true);
      assert.equal(err.type, 'MailerUnavailable');
      assert.equal(err.responseCode, 451);
      return true;
    });
    assert.equal(sink.messages().length, before);
    const sent = await mailer.send(mail);
    assert.equal(sent.messageId, '<retry-451@test>');
    assert.equal((await sink.waitForMessages(before + 1)).length, before + 1);
  });

  test('a 550 reply is permanent: MailerRejectedError', async () => {
    sink.failNext(1, 550);
    await assert.rejects(mailer.send({ to: ['nobody@dupont.example'], subject: 's', text: 't', html: 'h' }), (err: unknown) => {
      assert.ok(err instanceof MailerRejectedError);
      assert.equal(err.retryable, false);
      assert.equal(err.type, 'MailerRejected');
      assert.equal(err.responseCode, 550);
      assert.match(err.message, /550/);
      return true;
    });
  });

  test('no recipient is a permanent error, raised without connecting', async () => {
    await assert.rejects(mailer.send({ to: [], subject: 's', text: 't', html: 'h' }), MailerRejectedError);
  });
});

describe('createMailer when the server is unreachable', () => {
  test('a closed port is MailerUnavailableError, without the credentials in the message', async () => {
    const sink = await startSmtpSink();
    const { port } = sink;
    await sink.close();
    const mailer = createMailer({
      smtpUrl: `smtp://mailer-user:S3cr%C3%A8t-pass@127.0.0.1:${port}`,
      from: FROM,
      timeoutMs: 2_000,
    });
    try {
      await assert.rejects(mailer.send({ to: ['adv@dupont.example'], subject: 's', text: 't', html: 'h' }), (err: unknown) => {
        assert.ok(err instanceof MailerUnavailableError);
        assert.equal(err.retryable, true);
        assert.equal(err.responseCode, undefined);
        assert.ok(!err.message.includes('S3cr'), err.message);
        assert.ok(!err.message.includes('mailer-user'), err.message);
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        return true;
      });
    } finally {
      mailer.close();
    }
  });

  test('a server that never greets times out as MailerUnavailableError', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    assert.ok(address !== null && typeof address === 'object');
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${address.port}`, from: FROM, timeoutMs: 300 });
    try {
      await assert.rejects(
        mailer.send({ to: ['adv@dupont.example'], subject: 's', text: 't', html: 'h' }),
        (err: unknown) => err instanceof MailerUnavailableError && err.code === 'ETIMEDOUT',
      );
    } finally {
      mailer.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('an invalid URL is refused without echoing it', () => {
    assert.throws(
      () => createMailer({ smtpUrl: 'not a url with p4ssw0rd', from: FROM }),
      (err: unknown) => err instanceof TypeError && !err.message.includes('p4ssw0rd'),
    );
    assert.throws(() => createMailer({ smtpUrl: 'http://127.0.0.1:25', from: FROM }), TypeError);
  });
});
