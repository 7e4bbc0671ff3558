/**
 * POST /api/signature-requests: validate, check the Sage document exists, upload the PDF, start
 * the `sendForSignature` workflow (or join this Idempotency-Key's), and answer 201 once the
 * transaction is started, 202 when that takes longer than the API waits.
 * GET /api/signature-requests/:id: the send's progress.
 * Shapes: signature-request-schemas.ts; the meaning past them: parse-signature-request.ts.
 * Services throw domain errors the error handler answers; these handlers only translate HTTP.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../error-response-schema';
import { awaitSendResult } from './await-send-result';
import { getSignatureRequest } from './get-signature-request';
import { parseSignatureRequest } from './parse-signature-request';
import {
  sendPending,
  sendResult,
  signatureRequestBody,
  signatureRequestError,
  signatureRequestHeaders,
  signatureRequestParams,
  signatureRequestView,
} from './signature-request-schemas';
import { startSendWorkflow } from './start-send-workflow';

// Base64 makes 20 MB of PDF 26.7 MB; the rest of the JSON is small.
export const SIGNATURE_REQUEST_BODY_LIMIT = 28 * 1024 * 1024;
/** How long POST waits for the transaction to be started before answering 202. */
export const DEFAULT_SEND_WAIT_MS = 20_000;

const tags = ['signature-requests'];

export const signatureRequestRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/',
    {
      prefixTrailingSlash: 'no-slash',
      bodyLimit: SIGNATURE_REQUEST_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Send a Sage document for signature on Universign and start its workflow',
        description:
          'Checks the Sage document exists on the Sage gateway (422 when it does not; skipped when no gateway is configured), ' +
          'uploads the PDF, then a sendForSignature workflow creates and starts the Universign transaction (one signature ' +
          'per signer) and starts its signatureTransaction workflow. 201 once started; 202 with the request id when that ' +
          'takes longer than the API waits (GET /api/signature-requests/{id} reports the progress). With an ' +
          'Idempotency-Key, a retry joins the send in progress or answers its outcome (header Idempotent-Replayed: true).',
        headers: signatureRequestHeaders,
        body: signatureRequestBody,
        response: {
          201: sendResult,
          202: sendPending,
          ...errorResponses(400, 401, 413),
          422: signatureRequestError,
          502: signatureRequestError,
          503: signatureRequestError,
        },
      },
    },
    async (request, reply) => {
      const input = parseSignatureRequest(request.body, new Date());
      const key = request.headers['idempotency-key'];
      const { requestId, joined } = await startSendWorkflow(app.deps, input, {
        ...(key !== undefined ? { idempotencyKey: key } : {}),
        log: request.log,
      });
      if (joined) reply.header('Idempotent-Replayed', 'true');
      const outcome = await awaitSendResult(app.deps.temporal, requestId, app.deps.settings.sendWaitMs ?? DEFAULT_SEND_WAIT_MS);
      if (outcome.kind === 'sent') return reply.code(201).send(outcome.result);
      return reply
        .code(202)
        .header('Location', `/api/signature-requests/${requestId}`)
        .send({ requestId, status: 'running', message: `still sending: GET /api/signature-requests/${requestId} reports its progress` });
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: "A send's progress: running (with its step), sent (with the transaction) or failed (with the step and error)",
        params: signatureRequestParams,
        response: { 200: signatureRequestView, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => getSignatureRequest(app.deps.temporal, request.params.id),
  );
};
