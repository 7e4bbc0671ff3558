/**
 * E-mails NOTIFY_TO about SIGNE, REFUSE or EXPIRE, in French. The Message-ID is derived from the
 * transaction and status, so in the rare case of a resend (crash right after the SMTP server
 * accepted) mail clients see the same message.
 */
import { ApplicationFailure } from '@temporalio/common';
import { composeStatusEmail } from '../compose-status-email';
import { MailerRejectedError } from '../create-mailer';
import type { BusinessActionInput, BusinessActionOutcome } from '../sync-contracts';
import type { BusinessActionDeps } from './business-action-deps';
import { runRecordedAction } from './run-recorded-action';

export function createNotifyByEmail({ prisma, mailer, settings }: BusinessActionDeps) {
  return async function notifyByEmail(input: BusinessActionInput): Promise<BusinessActionOutcome> {
    return runRecordedAction(prisma, { transactionId: input.transactionId, kind: 'NOTIFY_BY_EMAIL', status: input.status }, async () => {
      if (input.status !== 'SIGNE' && input.status !== 'REFUSE' && input.status !== 'EXPIRE') {
        return { state: 'skipped', summary: `no e-mail for ${input.status}` };
      }
      if (!mailer || settings.notifyTo.length === 0) {
        return { state: 'skipped', summary: 'e-mail not configured (SMTP_URL, NOTIFY_TO)' };
      }
      const email = composeStatusEmail({
        status: input.status,
        sageDocument: input.sageDocument,
        transactionId: input.transactionId,
        transactionName: input.transactionName,
        signers: input.signers,
        at: input.at,
      });
      try {
        const sent = await mailer.send({
          to: settings.notifyTo,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: `<${input.transactionId}.${input.status}@universign-sage-sync>`,
        });
        return { state: 'done', summary: `"${email.subject}" sent to ${sent.accepted.join(', ')}`, result: { messageId: sent.messageId } };
      } catch (err) {
        if (err instanceof MailerRejectedError) {
          throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
        }
        throw err;
      }
    });
  };
}
