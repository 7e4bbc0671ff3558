/**
 * The Universign v1 API routes of the simulator (shared/universign-api.md): file upload,
 * transaction creation and editing, start, cancel, and the archive downloads, each reading its
 * form fields and answering the API's JSON. Authentication, body parsing and injected failures
 * happen before, in universign-simulator-api-handler.ts.
 */
import type { ServerResponse } from 'node:http';
import { invalid } from './universign-simulator-error';
import { need, type Route, sendJson, sendPdf } from './universign-simulator-http';
import type { UniversignSimulatorStore } from './universign-simulator-store';

export interface ApiContext {
  form: URLSearchParams;
  multipart: FormData | null;
  res: ServerResponse;
}

export function createApiRoutes(store: UniversignSimulatorStore): Array<Route<ApiContext>> {
  return [
    {
      method: 'POST',
      pattern: '/v1/files',
      async handle({ multipart, res }) {
        const file = multipart?.get('file');
        if (!file || typeof file === 'string') throw invalid('multipart part "file" is required');
        const content = new Uint8Array(await file.arrayBuffer());
        const uploaded = store.uploadFile(file.name || 'file', file.type || 'application/octet-stream', content);
        sendJson(res, 200, { object: 'file', id: uploaded.id, name: uploaded.name, size: uploaded.size, created_at: uploaded.createdAt });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions',
      handle({ form, res }) {
        const name = optionalString(form, 'name');
        const language = optionalString(form, 'language');
        const expiresAt = optionalString(form, 'expires_at');
        const durationMinutes = optionalInteger(form, 'duration');
        const transaction = store.createTransaction({
          ...(name !== undefined ? { name } : {}),
          ...(language !== undefined ? { language } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(durationMinutes !== undefined ? { durationMinutes } : {}),
          metadata: readMetadataFields(form),
        });
        sendJson(res, 200, store.toJson(transaction));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transactions/:tx',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.toJson(store.get(need(tx))));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/documents',
      handle({ form, res }, { tx }) {
        const fileId = requiredString(form, 'document');
        const document = store.addDocument(need(tx), fileId, optionalString(form, 'name'));
        sendJson(res, 200, { object: 'document', id: document.id, name: document.name });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/documents/:doc/fields',
      handle({ form, res }, { tx, doc }) {
        const page = optionalInteger(form, 'page');
        const x = optionalInteger(form, 'x');
        const y = optionalInteger(form, 'y');
        const field = store.addField(need(tx), need(doc), {
          type: requiredString(form, 'type'),
          ...(page !== undefined ? { page } : {}),
          ...(x !== undefined ? { x } : {}),
          ...(y !== undefined ? { y } : {}),
        });
        sendJson(res, 200, { object: 'field', id: field.id, type: field.type, document: doc, page: field.page, x: field.x, y: field.y });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/signatures',
      handle({ form, res }, { tx }) {
        const signature = store.addSignature(need(tx), requiredString(form, 'signer'), requiredString(form, 'field'));
        sendJson(res, 200, { object: 'signature', signer: signature.signer, field: signature.field });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/participants',
      handle({ form, res }, { tx }) {
        const fullName = optionalString(form, 'full_name');
        const phoneNumber = optionalString(form, 'phone_number');
        const minSignatureLevel = optionalString(form, 'min_signature_level');
        const participant = store.upsertParticipant(need(tx), {
          email: requiredString(form, 'email'),
          ...(fullName !== undefined ? { fullName } : {}),
          ...(phoneNumber !== undefined ? { phoneNumber } : {}),
          ...(minSignatureLevel !== undefined ? { minSignatureLevel } : {}),
        });
        sendJson(res, 200, {
          object: 'participant',
          email: participant.email,
          full_name: participant.fullName,
          phone_number: participant.phoneNumber,
          min_signature_level: participant.minSignatureLevel,
          state: participant.state,
        });
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/start',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.toJson(store.start(need(tx))));
      },
    },
    {
      method: 'POST',
      pattern: '/v1/transactions/:tx/cancel',
      handle({ res }, { tx }) {
        sendJson(res, 200, store.toJson(store.cancel(need(tx))));
      },
    },
    {
      method: 'GET',
      pattern: '/v1/transactions/:tx/archive/documents/:doc/download',
      handle({ res }, { tx, doc }) {
        sendPdf(res, store.signedDocument(need(tx), need(doc)), `${doc}.pdf`);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/archives/:tx/documents/:doc/download',
      handle({ res }, { tx, doc }) {
        sendPdf(res, store.signedDocument(need(tx), need(doc)), `${doc}.pdf`);
      },
    },
    {
      method: 'GET',
      pattern: '/v1/archives/:tx/requester-attestation',
      handle({ res }, { tx }) {
        sendPdf(res, store.evidence(need(tx)), `${tx}-attestation.pdf`);
      },
    },
  ];
}

/** `metadata[key]=value` pairs of a form. */
function readMetadataFields(form: URLSearchParams): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    const match = /^metadata\[(.*)\]$/.exec(key);
    if (match) metadata[match[1] ?? ''] = value;
  }
  return metadata;
}

function optionalString(form: URLSearchParams, key: string): string | undefined {
  return form.get(key) ?? undefined;
}

function requiredString(form: URLSearchParams, key: string): string {
  const value = form.get(key);
  if (value === null || value === '') throw invalid(`${key} is required`);
  return value;
}

function optionalInteger(form: URLSearchParams, key: string): number | undefined {
  const value = form.get(key);
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalid(`${key} must be an integer`);
  return Number(value);
}
