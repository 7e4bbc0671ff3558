/**
 * POST /api/signature-requests: validate, upload the PDF, start the `sendForSignature` workflow
 * (or join this Idempotency-Key's), and answer 201 once the transaction is started, 202 when that
 * takes longer than the API waits. GET /api/signature-requests/:id: the send's progress.
 * The JSON schema gives the shape (and the OpenAPI document); parse-signature-request.ts the meaning.
 */
import type { FastifyInstance } from 'fastify';
import { awaitSendResult } from '../await-send-result';
import { getSignatureRequest } from '../get-signature-request';
import { MAX_EXPIRY_DAYS, MAX_SIGNERS, parseSignatureRequest, SAGE_FIELD_MAX, SIGNATURE_LANGUAGES } from '../parse-signature-request';
import { startSendWorkflow } from '../start-send-workflow';

// Base64 makes 20 MB of PDF 26.7 MB; the rest of the JSON is small.
export const SIGNATURE_REQUEST_BODY_LIMIT = 28 * 1024 * 1024;
/** How long POST waits for the transaction to be started before answering 202. */
export const DEFAULT_SEND_WAIT_MS = 20_000;

interface SignatureRequestBody {
  sageDocument: { type: string; number: string };
  document: { name: string; contentBase64: string };
  signers: Array<{ email: string; fullName?: string; phone?: string }>;
  name?: string;
  language?: string;
  expiresAt?: string;
}

const sageFieldSchema = { type: 'string', minLength: 1, maxLength: SAGE_FIELD_MAX } as const;

const bodySchema = {
  type: 'object',
  required: ['sageDocument', 'document', 'signers'],
  properties: {
    sageDocument: {
      type: 'object',
      required: ['type', 'number'],
      properties: {
        type: { ...sageFieldSchema, description: "Sage document type, e.g. devis (no ':')" },
        number: { ...sageFieldSchema, description: "Sage document number, e.g. D0042 (no ':')" },
      },
    },
    document: {
      type: 'object',
      required: ['name', 'contentBase64'],
      properties: {
        name: { type: 'string', minLength: 5, maxLength: 200, description: 'File name, ending with .pdf' },
        contentBase64: { type: 'string', minLength: 1, description: 'The PDF, base64-encoded (at most 20 MB decoded)' },
      },
    },
    signers: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_SIGNERS,
      description: 'Distinct e-mails; they sign in parallel',
      items: {
        type: 'object',
        required: ['email'],
        properties: {
          email: { type: 'string', minLength: 3, maxLength: 254 },
          fullName: { type: 'string', minLength: 1, maxLength: 200 },
          phone: { type: 'string', maxLength: 32, description: 'E.164, e.g. +33612345678' },
        },
      },
    },
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Transaction name (default: "<Type> <number>")' },
    language: { type: 'string', enum: [...SIGNATURE_LANGUAGES], default: 'fr', description: "Signers' interface language" },
    expiresAt: { type: 'string', format: 'date-time', description: `ISO-8601, in the future, at most ${MAX_EXPIRY_DAYS} days ahead` },
  },
} as const;

const headersSchema = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x20-\\x7E]+$',
      description: 'Makes retries safe: the same key and body join the send in progress or answer its outcome',
    },
  },
} as const;

const resultSchema = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    workflowId: { type: 'string' },
    status: { type: 'string', enum: ['EN_COURS'] },
  },
} as const;

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    step: { type: 'string' },
    transactionId: { type: 'string' },
  },
} as const;

const pendingSchema = {
  type: 'object',
  properties: {
    requestId: { type: 'string' },
    status: { type: 'string', enum: ['running'] },
    message: { type: 'string' },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

const progressSchema = {
  type: 'object',
  properties: {
    requestId: { type: 'string' },
    sageDocument: { type: ['object', 'null'], properties: { type: { type: 'string' }, number: { type: 'string' } } },
    status: { type: 'string', enum: ['running', 'sent', 'failed'] },
    step: { ...nullableString, description: 'The step running now, or the one that failed' },
    stepsDone: { type: ['array', 'null'], items: { type: 'string' } },
    transactionId: nullableString,
    workflowId: { ...nullableString, description: "The transaction's workflow, once started" },
    error: { type: ['object', 'null'], properties: { step: nullableString, message: { type: 'string' } } },
  },
} as const;

export async function signatureRequestRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: SignatureRequestBody; Headers: { 'idempotency-key'?: string } }>(
    '/',
    {
      prefixTrailingSlash: 'no-slash',
      bodyLimit: SIGNATURE_REQUEST_BODY_LIMIT,
      schema: {
        tags: ['signature-requests'],
        summary: 'Send a Sage document for signature on Universign and start its workflow',
        description:
          'Uploads the PDF, then a sendForSignature workflow creates and starts the Universign transaction (one signature ' +
          'per signer) and starts its signatureTransaction workflow. 201 once started; 202 with the request id when that ' +
          'takes longer than the API waits (GET /api/signature-requests/{id} reports the progress). With an ' +
          'Idempotency-Key, a retry joins the send in progress or answers its outcome (header Idempotent-Replayed: true).',
        headers: headersSchema,
        body: bodySchema,
        response: {
          201: resultSchema,
          202: pendingSchema,
          400: errorSchema,
          401: errorSchema,
          413: errorSchema,
          422: errorSchema,
          502: errorSchema,
          503: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const input = parseSignatureRequest(request.body, new Date());
      const key = request.headers['idempotency-key'];
      const { requestId, joined } = await startSendWorkflow(app.deps, input, {
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
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

  app.get<{ Params: { id: string } }>(
    '/:id',
    {
      schema: {
        tags: ['signature-requests'],
        summary: "A send's progress: running (with its step), sent (with the transaction) or failed (with the step and error)",
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } },
        response: { 200: progressSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (request) => getSignatureRequest(app.deps.temporal, request.params.id),
  );
}
