/**
 * Before a send reaches Universign: asks the Sage gateway whether the document exists, so a
 * mistyped number is refused (422) instead of becoming a transaction nobody can match in Sage.
 * A gateway that does not answer is an outage (503, retry later); one that refuses this API's
 * token is a setup fault (502, check SAGE_GATEWAY_TOKEN). The token is never quoted.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { SageGatewayClient } from '../../activities/sage-gateway-client';
import { SageDocumentNotFoundError, SageGatewayError, SageGatewayUnavailableError } from '../../activities/sage-gateway-errors';
import { SendFailedError, type SendFailureWhere, UnknownSageDocumentError } from '../domain-errors';

export const CHECK_SAGE_DOCUMENT_STEP = 'check the Sage document';

const UNADDRESSABLE = new Set(['.', '..']);

export async function checkSageDocument(
  sage: SageGatewayClient,
  document: { type: string; number: string },
  requestId: string,
  log: FastifyBaseLogger,
): Promise<void> {
  const where: SendFailureWhere = { requestId, step: CHECK_SAGE_DOCUMENT_STEP };
  const named = `Sage document ${document.type} ${document.number}`;
  // `.` and `..` cannot be put in the gateway's URL (the client refuses them): no such document can be reached.
  if (UNADDRESSABLE.has(document.type) || UNADDRESSABLE.has(document.number)) throw new UnknownSageDocumentError(document, where);
  try {
    await sage.getDocument(document.type, document.number);
  } catch (err) {
    if (err instanceof SageDocumentNotFoundError) throw new UnknownSageDocumentError(document, where);
    // The client's message (token redacted) says what failed: the caller gets the gist, the log the details.
    if (err instanceof SageGatewayError) log.warn({ err: err.message, sageDocument: document }, 'cannot check the Sage document');
    if (err instanceof SageGatewayUnavailableError) {
      const detail = err.status === undefined ? 'no answer' : `HTTP ${err.status}`;
      throw new SendFailedError(`the Sage gateway is unavailable (${detail}), so ${named} cannot be checked; retry later`, where, true);
    }
    if (err instanceof SageGatewayError && (err.status === 401 || err.status === 403)) {
      // The status alone: what the gateway says about a refused token is no use to the caller.
      throw new SendFailedError(
        `the Sage gateway refused this API's credentials (HTTP ${err.status}), so ${named} cannot be checked; check SAGE_GATEWAY_TOKEN`,
        where,
        false,
      );
    }
    if (err instanceof SageGatewayError) {
      throw new SendFailedError(`the Sage gateway could not check ${named}: ${err.message}`, where, false);
    }
    throw err;
  }
}
