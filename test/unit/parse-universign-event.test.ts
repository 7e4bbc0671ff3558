import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseUniversignEvent, WebhookEventError, type WebhookEventFailure } from '../../api/webhooks/parse-universign-event';
import { buildWebhookEvent } from '../../simulators/universign-webhook-event';

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function rejects(rawBody: Buffer, reason: WebhookEventFailure, message: RegExp): WebhookEventError {
  let caught: unknown;
  try {
    parseUniversignEvent(rawBody);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof WebhookEventError, `expected WebhookEventError, got ${String(caught)}`);
  assert.equal(caught.reason, reason, caught.message);
  assert.match(caught.message, message);
  return caught;
}

describe('parseUniversignEvent', () => {
  test('reads a transaction event as the simulator sends it', () => {
    const transaction = { object: 'transaction', id: 'tx_abc123', state: 'completed', stalled: false };
    const { id, rawBody } = buildWebhookEvent({
      type: 'transaction.lifecycle.completed',
      payloadObject: transaction,
      createdAt: '2025-03-01T10:00:00.000Z',
    });
    assert.deepEqual(parseUniversignEvent(rawBody), {
      eventId: id,
      type: 'transaction.lifecycle.completed',
      createdAt: '2025-03-01T10:00:00.000Z',
      transactionId: 'tx_abc123',
      payloadObject: transaction,
    });
  });

  test('reads an action event through its transaction_id', () => {
    const action = {
      object: 'action',
      id: 'act_9',
      transaction_id: 'tx_77',
      actor: 'alice@example.com',
      state: 'refused',
      stalled_reason: 'signature_refusal',
    };
    const event = parseUniversignEvent(
      json({ object: 'event', id: 'evt_1', type: 'action.stalled', created_at: '2025-03-01T10:00:00Z', payload: { object: action } }),
    );
    assert.equal(event.transactionId, 'tx_77');
    assert.equal(event.type, 'action.stalled');
    assert.equal(event.createdAt, '2025-03-01T10:00:00.000Z');
    assert.deepEqual(event.payloadObject, action);
  });

  test('finds the transaction in a nested transaction object, or by a tx_ id without "object"', () => {
    const nested = parseUniversignEvent(
      json({
        object: 'event',
        id: 'evt_2',
        type: 'action.closed',
        payload: { object: { object: 'action', id: 'act_1', transaction: { id: 'tx_nested' } } },
      }),
    );
    assert.equal(nested.transactionId, 'tx_nested');
    const bare = parseUniversignEvent(
      json({ object: 'event', id: 'evt_3', type: 'transaction.lifecycle.started', payload: { object: { id: 'tx_bare' } } }),
    );
    assert.equal(bare.transactionId, 'tx_bare');
  });

  test('tolerates a missing "object" when the id is an evt_ id, and odd or absent created_at', () => {
    const event = parseUniversignEvent(
      json({ id: 'evt_4', type: 'transaction.lifecycle.expired', payload: { object: { object: 'transaction', id: 'tx_1' } } }),
    );
    assert.equal(event.eventId, 'evt_4');
    assert.equal(event.createdAt, null);
    const seconds = parseUniversignEvent(
      json({ id: 'evt_5', type: 't', created_at: 1_740_823_200, payload: { object: { object: 'transaction', id: 'tx_1' } } }),
    );
    assert.equal(seconds.createdAt, '2025-03-01T10:00:00.000Z');
    const unreadable = parseUniversignEvent(
      json({ id: 'evt_6', type: 't', created_at: 'yesterday', payload: { object: { object: 'transaction', id: 'tx_1' } } }),
    );
    assert.equal(unreadable.createdAt, null);
    rejects(json({ id: 'abc', type: 't', payload: { object: { object: 'transaction', id: 'tx_1' } } }), 'shape', /evt_/);
    rejects(
      json({ object: 'transaction', id: 'evt_7', type: 't', payload: { object: { object: 'transaction', id: 'tx_1' } } }),
      'shape',
      /"object" is not "event"/,
    );
  });

  test('refuses an event without an id', () => {
    rejects(
      json({ object: 'event', type: 'transaction.lifecycle.completed', payload: { object: { object: 'transaction', id: 'tx_1' } } }),
      'shape',
      /no "id"/,
    );
    rejects(json({ object: 'event', id: '', type: 't', payload: {} }), 'shape', /"id" is empty/);
    rejects(json({ object: 'event', id: 42, type: 't', payload: {} }), 'shape', /no "id"/);
  });

  test('refuses an event without a type', () => {
    rejects(json({ object: 'event', id: 'evt_1', payload: { object: { object: 'transaction', id: 'tx_1' } } }), 'shape', /no "type"/);
    rejects(json({ object: 'event', id: 'evt_1', type: null, payload: {} }), 'shape', /no "type"/);
  });

  test('refuses a body that is not JSON, or not UTF-8', () => {
    rejects(Buffer.from('{"object":"event",', 'utf8'), 'body', /not JSON/);
    rejects(Buffer.alloc(0), 'body', /not JSON/);
    rejects(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'body', /not UTF-8/);
  });

  test('refuses a JSON array, null or scalar body', () => {
    rejects(json([{ object: 'event', id: 'evt_1', type: 't' }]), 'body', /must be a JSON object, got an array/);
    rejects(json(null), 'body', /got null/);
    rejects(json('evt_1'), 'body', /got string/);
  });

  test('refuses an event that names no transaction, keeping its id for the receiver', () => {
    const error = rejects(
      json({ object: 'event', id: 'evt_8', type: 'apikey.created', payload: { object: { object: 'apikey', id: 'key_1' } } }),
      'no_transaction',
      /evt_8 \(apikey\.created\) names no transaction/,
    );
    assert.deepEqual(error.event, { eventId: 'evt_8', type: 'apikey.created' });
    rejects(json({ object: 'event', id: 'evt_9', type: 'action.opened' }), 'no_transaction', /no "payload\.object"/);
    rejects(
      json({ object: 'event', id: 'evt_9', type: 'action.opened', payload: { object: 'tx_1' } }),
      'no_transaction',
      /no "payload\.object"/,
    );
    rejects(
      json({ object: 'event', id: 'evt_9', type: 'action.opened', payload: { object: { object: 'action', id: 'act_1' } } }),
      'no_transaction',
      /names no transaction/,
    );
  });

  test('refuses a transaction id with characters Universign does not use', () => {
    rejects(
      json({ object: 'event', id: 'evt_10', type: 't', payload: { object: { object: 'transaction', id: 'tx_1\n../x' } } }),
      'shape',
      /malformed transaction id/,
    );
  });
});
