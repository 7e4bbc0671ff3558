// The Sage gateway simulator's control route (POST /_control/documents): adds a document the gateway API then serves; token and body checked.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SageGatewaySimulator, startSageGatewaySimulator } from '../../simulators/sage-gateway-simulator';

const TOKEN = 'control-test-token';

describe('sage gateway simulator control route', () => {
  let simulator: SageGatewaySimulator;
  let origin: string;
  before(async () => {
    simulator = await startSageGatewaySimulator({ token: TOKEN });
    origin = new URL(simulator.url).origin;
  });
  after(() => simulator.close());

  const post = (body: unknown, token = TOKEN) =>
    fetch(`${origin}/_control/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('creates a quote the gateway API then serves', async () => {
    const created = await post({ number: 'DEMO-1', freeFields: { REF_CLIENT: 'C1' } });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { type: 'devis', number: 'DEMO-1', status: 'en_cours', freeFields: { REF_CLIENT: 'C1' } });
    const read = await fetch(`${simulator.url}/documents/devis/DEMO-1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), { type: 'devis', number: 'DEMO-1', status: 'en_cours', freeFields: { REF_CLIENT: 'C1' } });
  });

  test('needs the gateway token', async () => {
    const refused = await post({ number: 'DEMO-2' }, 'wrong');
    assert.equal(refused.status, 401);
    assert.equal(simulator.getDocument('devis', 'DEMO-2'), undefined);
  });

  test('refuses a body without a number (400) and other methods (405)', async () => {
    assert.equal((await post({ type: 'devis' })).status, 400);
    const get = await fetch(`${origin}/_control/documents`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(get.status, 405);
  });
});
