/**
 * A real SMTP server on loopback that keeps what it receives, decoded (encoded-word subjects,
 * quoted-printable or base64 bodies) by mailparser, and can be told to refuse the next messages
 * with a chosen reply code. No TLS, no AUTH: only for tests.
 */
import type { AddressInfo } from 'node:net';
import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO), in order. */
  to: string[];
  /** The From header as written, e.g. `"Signatures" <signatures@example.com>`. */
  headerFrom: string;
  subject: string;
  text: string;
  html?: string;
  /** Message-ID header, brackets included. */
  messageId: string;
  /** Decoded header values by lower-case name (first occurrence). */
  headers: Record<string, string>;
  /** The message exactly as received after DATA. */
  raw: string;
}

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  port: number;
  messages(): ReceivedMail[];
  /** Resolves with all messages once at least `count` have arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Refuses the next `times` messages at the end of DATA with `code` (451 transient, 550 permanent…). */
  failNext(times: number, code?: number): void;
  close(): Promise<void>;
}

interface Waiter {
  count: number;
  resolve: (mails: ReceivedMail[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface SmtpSinkOptions {
  port?: number;
  /** Called with each accepted message (npm start prints them). */
  onMessage?: (mail: ReceivedMail) => void;
}

export async function startSmtpSink({ port = 0, onMessage }: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters = new Set<Waiter>();
  let failuresLeft = 0;
  let failureCode = 451;

  const settleWaiters = (): void => {
    for (const waiter of waiters) {
      if (received.length < waiter.count) continue;
      clearTimeout(waiter.timer);
      waiters.delete(waiter);
      waiter.resolve([...received]);
    }
  };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    // Lets close() finish promptly even if a client left a connection open.
    closeTimeout: 500,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err: Error) => callback(err));
      stream.on('end', () => {
        // The whole message must be read before replying, or the client sees a broken DATA phase.
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          callback(smtpError(failureCode));
          return;
        }
        const raw = Buffer.concat(chunks);
        decodeMail(raw, session.envelope).then(
          (mail) => {
            received.push(mail);
            onMessage?.(mail);
            settleWaiters();
            callback();
          },
          (err: unknown) => callback(smtpError(554, `cannot parse message: ${String(err)}`)),
        );
      });
    },
  });
  // A client hanging up mid-session is reported as an 'error' event; unhandled, it would end the test run.
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const boundPort = (server.server.address() as AddressInfo).port;

  return {
    url: `smtp://127.0.0.1:${boundPort}`,
    port: boundPort,
    messages: () => [...received],
    waitForMessages(count, timeoutMs = 5_000) {
      if (received.length >= count) return Promise.resolve([...received]);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          count,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`SMTP sink: expected ${count} message(s) within ${timeoutMs} ms, got ${received.length}`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    failNext(times, code = 451) {
      failuresLeft = times;
      failureCode = code;
    },
    async close() {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('SMTP sink closed'));
      }
      waiters.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function decodeMail(
  raw: Buffer,
  envelope: { mailFrom: { address: string } | false; rcptTo: Array<{ address: string }> },
): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    if (key in headers) continue;
    const value = parsed.headers.get(key);
    // Structured headers (addresses, dates, content types) are kept as written, unfolded.
    headers[key] =
      typeof value === 'string'
        ? value
        : line
            .slice(line.indexOf(':') + 1)
            .replace(/\r?\n[ \t]+/g, ' ')
            .trim();
  }
  const mail: ReceivedMail = {
    from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
    to: envelope.rcptTo.map((rcpt) => rcpt.address),
    headerFrom: addressText(parsed.from),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    messageId: parsed.messageId ?? '',
    headers,
    raw: raw.toString('utf8'),
  };
  if (typeof parsed.html === 'string') mail.html = parsed.html;
  return mail;
}

function addressText(address: AddressObject | AddressObject[] | undefined): string {
  if (address === undefined) return '';
  return (Array.isArray(address) ? address : [address]).map((entry) => entry.text).join(', ');
}

function smtpError(responseCode: number, message?: string): Error & { responseCode: number } {
  const text = message ?? (responseCode < 500 ? 'Temporary failure, try again later (test sink)' : 'Mailbox unavailable (test sink)');
  return Object.assign(new Error(text), { responseCode });
}
