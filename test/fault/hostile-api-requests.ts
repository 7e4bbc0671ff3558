/**
 * /api requests the API must refuse with a 4xx: bad or missing tokens, bodies of the wrong
 * type or shape, unknown fields, huge bodies, hostile ids and path tricks, wrong methods. None of
 * them may start a send or record anything.
 */
import { SIGNATURE_REQUEST_BODY_LIMIT } from '../../api/signature-requests/signature-request-routes';

export interface HostileRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64');

/** A body that would be accepted, for the variants that break one thing in it. */
function validSend(number: string) {
  return {
    sageDocument: { type: 'devis', number },
    document: { name: `devis-${number}.pdf`, contentBase64: PDF },
    signers: [{ email: 'client@example.com', fullName: 'Client' }],
  };
}

export function hostileApiRequests(token: string): HostileRequest[] {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const requests: HostileRequest[] = [];
  const add = (kind: string, method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    requests.push({
      kind,
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });

  const badTokens: Array<Record<string, string>> = [
    {},
    { authorization: '' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: `Bearer ${token}x` },
    { authorization: `Bearer ${token.slice(0, -1)}` },
    { authorization: `bearer  ${token} extra` },
    { authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}` },
    { authorization: `Token ${token}` },
    { authorization: `Bearer ${'x'.repeat(4000)}` },
    { authorization: `Bearer ${token.toUpperCase()}` },
    { authorization: 'Bearer \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9' },
  ];
  const protectedRoutes: Array<[string, string, unknown?]> = [
    ['GET', '/api/transactions'],
    ['GET', '/api/transactions/tx_unknown'],
    ['GET', '/api/transactions/tx_unknown/history'],
    ['POST', '/api/transactions/tx_unknown/resync', {}],
    ['POST', '/api/transactions/tx_unknown/cancel', {}],
    ['GET', '/api/signature-requests/send-key-x'],
    ['POST', '/api/signature-requests', validSend('HOSTILE-AUTH')],
  ];
  for (const [index, headers] of badTokens.entries()) {
    for (const [method, path, body] of protectedRoutes) {
      // Only the token is wrong: with a right one the send would be accepted.
      const contentType: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
      add(`bad token #${index}`, method, path, { ...headers, ...contentType }, body);
    }
  }

  const badBodies: Array<[string, unknown]> = [
    ['empty object', {}],
    ['array', [validSend('HOSTILE-A')]],
    ['number', 42],
    ['null', 'null'],
    ['not JSON', '{"sageDocument":'],
    ['sageDocument a string', { ...validSend('H'), sageDocument: 'devis:H' }],
    ['number a number', { ...validSend('H'), sageDocument: { type: 'devis', number: 42 } }],
    ['type empty', { ...validSend('H'), sageDocument: { type: '', number: 'H1' } }],
    ['signers an object', { ...validSend('H'), signers: { email: 'a@b.c' } }],
    ['no signers', { ...validSend('H'), signers: [] }],
    ['signer e-mail invalid', { ...validSend('H'), signers: [{ email: 'not-an-email' }] }],
    ['signer e-mail a number', { ...validSend('H'), signers: [{ email: 7 }] }],
    ['document not base64', { ...validSend('H'), document: { name: 'x.pdf', contentBase64: '***not base64***' } }],
    ['document not a PDF', { ...validSend('H'), document: { name: 'x.pdf', contentBase64: Buffer.from('hello').toString('base64') } }],
    ['document name missing', { ...validSend('H'), document: { contentBase64: PDF } }],
    ['unknown top-level field', { ...validSend('H'), admin: true }],
    ['unknown field in sageDocument', { ...validSend('H'), sageDocument: { type: 'devis', number: 'H1', id: 1 } }],
    ['unknown field in signer', { ...validSend('H'), signers: [{ email: 'a@example.com', role: 'admin' }] }],
    ['__proto__ field', '{"__proto__":{"polluted":true},"sageDocument":{"type":"devis","number":"H1"}}'],
    ['expiresAt not a date', { ...validSend('H'), expiresAt: 'tomorrow' }],
    ['expiresAt in the past', { ...validSend('H'), expiresAt: '2001-01-01T00:00:00Z' }],
    ['language a number', { ...validSend('H'), language: 12 }],
    ['name an object', { ...validSend('H'), name: { x: 1 } }],
    ['NUL in the document number', { ...validSend('H'), sageDocument: { type: 'devis', number: 'H\u00001' } }],
    ['NUL in a signer name', { ...validSend('H'), signers: [{ email: 'a@example.com', fullName: 'A\u0000B' }] }],
    ['NUL in the document name', { ...validSend('H'), document: { name: 'x\u0000.pdf', contentBase64: PDF } }],
    ['NUL in the document type', { ...validSend('H'), sageDocument: { type: 'de\u0000vis', number: 'H1' } }],
    ['NUL in the e-mail', { ...validSend('H'), signers: [{ email: 'a\u0000@example.com' }] }],
    ['NUL in the transaction name', { ...validSend('H'), name: 'Devis\u0000' }],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['huge string number', { ...validSend('H'), sageDocument: { type: 'devis', number: 'N'.repeat(100_000) } }],
  ];
  for (const [kind, body] of badBodies) add(`bad body: ${kind}`, 'POST', '/api/signature-requests', json, body);
  add(
    'wrong content type',
    'POST',
    '/api/signature-requests',
    { ...auth, 'content-type': 'text/plain' },
    JSON.stringify(validSend('H-CT1')),
  );
  add('form content type', 'POST', '/api/signature-requests', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'a=b');
  add('no content type', 'POST', '/api/signature-requests', auth, JSON.stringify(validSend('H-CT2')));
  add('huge body', 'POST', '/api/signature-requests', json, Buffer.alloc(SIGNATURE_REQUEST_BODY_LIMIT + 1024, ' '));
  add('huge body on resync', 'POST', '/api/transactions/tx_unknown/resync', json, Buffer.alloc(2 * 1024 * 1024, ' '));

  const hostileIds = [
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fhealth',
    'tx_unknown%00',
    `${'x'.repeat(2000)}`,
    "tx'%20OR%20'1'%3D'1",
    '%F0%9F%92%A5',
    '%E0%A4%A',
    'tx_%3Cscript%3E',
    'null',
    '-1',
  ];
  for (const id of hostileIds) {
    add('hostile id', 'GET', `/api/transactions/${id}`, auth);
    add('hostile id', 'GET', `/api/transactions/${id}/history`, auth);
    add('hostile id', 'POST', `/api/transactions/${id}/resync`, json, {});
    add('hostile id', 'POST', `/api/transactions/${id}/cancel`, json, {});
    add('hostile id', 'GET', `/api/signature-requests/${id}`, auth);
  }
  const queries = [
    'status=NOPE',
    'status=',
    'status[]=SIGNE',
    'sageDocument=%00',
    `sageDocument=${'d'.repeat(5000)}`,
    'limit=-1',
    'cursor=%%%',
  ];
  for (const query of queries) add('hostile query', 'GET', `/api/transactions?${query}`, auth);
  const paths = [
    '/api/../webhooks/universign',
    '/api/transactions/../../health',
    '//api/transactions',
    '/API/transactions',
    '/api/transactions/',
    '/api/transactions/tx_unknown/../../signature-requests',
    '/api/%2e%2e/metrics',
    '/api/transactions/tx_unknown/nope',
  ];
  for (const path of paths) add('path trick', 'GET', path, auth);
  for (const method of ['DELETE', 'PUT', 'PATCH']) {
    add('wrong method', method, '/api/transactions/tx_unknown', json, {});
    add('wrong method', method, '/api/signature-requests', json, validSend('H-M'));
  }
  add('resync body of wrong type', 'POST', '/api/transactions/tx_unknown/resync', json, { reason: 42 });
  add('resync unknown field', 'POST', '/api/transactions/tx_unknown/resync', json, { reason: 'x', force: true });
  add('cancel body an array', 'POST', '/api/transactions/tx_unknown/cancel', json, []);
  return requests;
}
