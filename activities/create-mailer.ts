/**
 * Sends e-mail through one SMTP server given as a URL (`smtp://` or `smtps://`, credentials in the
 * URL). Every failure is thrown as MailerUnavailableError (retry later) or MailerRejectedError
 * (the server refused this message for good), and no error message ever carries the credentials.
 */
import { createTransport, type NodemailerError } from 'nodemailer';
import { isPermanentErrorType, MAILER_ERROR_TYPES } from '../workflows/error-types';

export interface MailerOptions {
  /** e.g. `smtps://user:pass@mail.example.com:465` or `smtp://127.0.0.1:2525`. */
  smtpUrl: string;
  /** Sender, e.g. `"Signatures" <signatures@example.com>`. */
  from: string;
  /** Limit for connecting, for the greeting and for each idle wait on the socket. */
  timeoutMs?: number;
}

export interface MailToSend {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /**
   * Stable Message-ID (`<tx_…-SIGNE@universign-sage-sync>`): a message sent again after a crash
   * carries the same id, so mail systems and people can recognise the duplicate.
   */
  messageId?: string;
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused while accepting the others (an all-refused send throws instead). */
  rejected: string[];
}

export interface Mailer {
  send(mail: MailToSend): Promise<SentMail>;
  close(): void;
}

export interface MailerErrorContext {
  reason: string;
  /** SMTP reply code, when the server answered. */
  responseCode?: number;
  /** SMTP command in flight (`DATA`, `RCPT TO`…) or nodemailer's error code (`ECONNECTION`…). */
  command?: string;
  code?: string;
}

export abstract class MailerError extends Error {
  /** ApplicationFailure.type of this error (from workflows/error-types, which says which are permanent). */
  abstract readonly type: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly code?: string;

  get retryable(): boolean {
    return !isPermanentErrorType(this.type);
  }

  // nodemailer's error is not kept as `cause`: its useful fields are copied here, redacted.
  constructor(context: MailerErrorContext) {
    super(context.reason);
    this.name = new.target.name;
    if (context.responseCode !== undefined) this.responseCode = context.responseCode;
    if (context.command !== undefined) this.command = context.command;
    if (context.code !== undefined) this.code = context.code;
  }
}

/** Connection refused, timeout, TLS or authentication failure, 4xx reply: worth retrying later. */
export class MailerUnavailableError extends MailerError {
  readonly type = MAILER_ERROR_TYPES.unavailable;
}

/** 5xx reply (e.g. 550 mailbox unavailable) or an unsendable message: the same send would fail again. */
export class MailerRejectedError extends MailerError {
  readonly type = MAILER_ERROR_TYPES.rejected;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createMailer(options: MailerOptions): Mailer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { server, secrets } = describeSmtpUrl(options.smtpUrl);
  // Values given next to `url` apply where the URL does not set them (a `?socketTimeout=` wins).
  const transport = createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });

  const redact = (text: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);

  return {
    async send(mail) {
      if (mail.to.length === 0) throw new MailerRejectedError({ reason: `SMTP ${server}: no recipient given` });
      const messageId = mail.messageId === undefined ? undefined : normalizeMessageId(mail.messageId);
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          ...(mail.headers === undefined ? {} : { headers: mail.headers }),
          ...(messageId === undefined ? {} : { messageId }),
        });
        return {
          messageId: info.messageId,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
        };
      } catch (err) {
        throw classifySmtpError(err, server, redact);
      }
    },
    close() {
      transport.close();
    },
  };
}

/**
 * 5xx replies are final (503 only says the session was out of step, so a new one may work).
 * Authentication failures are 5xx too, but they come from our configuration rather than from the
 * message: once SMTP_URL is fixed the same message goes through, so they stay retryable.
 */
function classifySmtpError(err: unknown, server: string, redact: (text: string) => string): MailerError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerError;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const command = typeof e.command === 'string' ? e.command : undefined;
  const detail = redact(oneLine(e.response ?? (err instanceof Error ? err.message : String(err))));
  const parts = [`SMTP ${server}`];
  if (command) parts.push(command);
  if (responseCode !== undefined) parts.push(`→ ${responseCode}`);
  else if (code) parts.push(`(${code})`);
  const context: MailerErrorContext = {
    reason: `${parts.join(' ')}: ${detail}`,
    ...(responseCode === undefined ? {} : { responseCode }),
    ...(command === undefined ? {} : { command }),
    ...(code === undefined ? {} : { code }),
  };
  if (code === 'EAUTH' || code === 'ENOAUTH') return new MailerUnavailableError(context);
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600 && responseCode !== 503) {
    return new MailerRejectedError(context);
  }
  // Refused before any reply: malformed addresses, too many recipients, bad configuration.
  if (responseCode === undefined && (code === 'EENVELOPE' || code === 'EMAXRECIPIENTS' || code === 'ECONFIG')) {
    return new MailerRejectedError(context);
  }
  return new MailerUnavailableError(context);
}

/** `<id@host>`: nodemailer would add missing brackets too, but the returned id must match the header. */
function normalizeMessageId(messageId: string): string {
  const bare = messageId.trim().replace(/^<|>$/g, '');
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(bare)) {
    throw new TypeError(`messageId must look like <local@domain>, got ${JSON.stringify(messageId)}`);
  }
  return `<${bare}>`;
}

/** Server name for messages, and the credential strings that must never appear in them. */
function describeSmtpUrl(smtpUrl: string): { server: string; secrets: string[] } {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // Never echo the URL itself: it may hold the password.
    throw new TypeError('SMTP URL is not a valid URL (expected smtp://[user:pass@]host[:port] or smtps://…)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new TypeError(`SMTP URL must use smtp:// or smtps://, not ${url.protocol}//`);
  }
  const secrets = [url.password, safeDecode(url.password), url.username, safeDecode(url.username)].filter((secret) => secret.length >= 3);
  return { server: `${url.protocol}//${url.host}`, secrets: [...new Set(secrets)] };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
