// The Sage gateway client's reads and free-field updates against the simulator: headers, getDocument, path encoding, updateFreeFields.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TOKEN, useSageGatewaySimulator } from './sage-gateway-client-support';

describe('sage gateway client against the simulator', () => {
  const gw = useSageGatewaySimulator();
  const { client } = gw;

  test('sends the bearer token and JSON headers', async () => {
    const seen: Headers[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers));
      return fetch(input, init);
    };
    await client({ fetch: recordingFetch }).getDocument('devis', gw.quote);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.get('authorization'), `Bearer ${TOKEN}`);
    assert.equal(seen[0]?.get('accept'), 'application/json');
    const call = gw.simulator.calls().at(-1);
    assert.deepEqual(
      { method: call?.method, path: call?.path, status: call?.status, authorized: call?.authorized },
      { method: 'GET', path: `/api/documents/devis/${gw.quote}`, status: 200, authorized: true },
    );
  });

  test('getDocument returns type, number, status and free fields', async () => {
    const document = await client().getDocument('devis', gw.quote);
    assert.deepEqual(document, {
      type: 'devis',
      number: gw.quote,
      status: 'en_cours',
      freeFields: { STATUT_SIGNATURE: 'EN_ATTENTE', REF_CLIENT: 'C42' },
    });
  });

  test('path segments are percent-encoded', async () => {
    const odd = `${gw.quote}/A B?#`;
    gw.simulator.seedDocument({ number: odd });
    const document = await client({ baseUrl: `${gw.simulator.url}/` }).getDocument('devis', odd);
    assert.equal(document.number, odd);
    assert.equal(gw.simulator.calls().at(-1)?.path, `/api/documents/devis/${encodeURIComponent(odd)}`);
    await assert.rejects(client().getDocument('devis', '..'), TypeError);
  });

  test('updateFreeFields PATCHes {fields} and the gateway merges them', async () => {
    await client().updateFreeFields('devis', gw.quote, {
      STATUT_SIGNATURE: 'SIGNE',
      DATE_SIGNATURE: '2026-11-28',
      REF_CLIENT: null,
    });
    const call = gw.simulator.calls().at(-1);
    assert.equal(call?.method, 'PATCH');
    assert.equal(call?.path, `/api/documents/devis/${gw.quote}/free-fields`);
    assert.deepEqual(call?.body, { fields: { STATUT_SIGNATURE: 'SIGNE', DATE_SIGNATURE: '2026-11-28', REF_CLIENT: null } });
    assert.deepEqual((await client().getDocument('devis', gw.quote)).freeFields, {
      STATUT_SIGNATURE: 'SIGNE',
      DATE_SIGNATURE: '2026-11-28',
      REF_CLIENT: null,
    });
  });
});
