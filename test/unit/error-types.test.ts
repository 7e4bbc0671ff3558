/**
 * The error type names in workflows/error-types are the ones the error classes raise, and the
 * retry policies the workflow builds from them stop exactly at the permanent ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MailerRejectedError, MailerUnavailableError } from '../../activities/create-mailer';
import {
  SageDocumentNotFoundError,
  SageGatewayRejectedError,
  SageGatewayUnavailableError,
  toSageActivityFailure,
} from '../../activities/sage-gateway-errors';
import {
  TransactionNotFoundError,
  toActivityFailure,
  UniversignAuthError,
  UniversignBadResponseError,
  UniversignUnavailableError,
} from '../../activities/universign-errors';
import { ACTION_HEARTBEAT_TIMEOUT, businessActionOptions } from '../../workflows/business-action-options';
import { isPermanentErrorType, PERMANENT_ACTION_ERROR_TYPES } from '../../workflows/error-types';
import { RECORD_OPTIONS } from '../../workflows/sync-activity-proxies';

const sage = { method: 'GET', path: '/documents/devis/D1', status: 500 };
const universign = { method: 'GET', path: '/transactions/tx_1' };

describe('error types', () => {
  test('each error class converts to a failure of its own type, non-retryable exactly when the type is permanent', () => {
    const failures = [
      toActivityFailure(new TransactionNotFoundError(universign)),
      toActivityFailure(new UniversignAuthError(universign)),
      toActivityFailure(new UniversignUnavailableError(universign)),
      toActivityFailure(new UniversignBadResponseError(universign)),
      toSageActivityFailure(new SageGatewayUnavailableError(sage)),
      toSageActivityFailure(new SageGatewayRejectedError({ ...sage, status: 422 })),
      toSageActivityFailure(new SageDocumentNotFoundError({ ...sage, status: 404 }, { type: 'devis', number: 'D1' })),
    ];
    const seen = failures.map((failure) => {
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.nonRetryable, isPermanentErrorType(failure.type ?? ''), String(failure.type));
      return [failure.type, failure.nonRetryable];
    });
    assert.deepEqual(seen, [
      ['TransactionNotFound', true],
      ['UniversignAuthError', true],
      ['UniversignUnavailable', false],
      ['UniversignBadResponse', true],
      ['SageGatewayUnavailable', false],
      ['SageGatewayRejected', true],
      ['SageDocumentNotFound', true],
    ]);
    assert.equal(new MailerRejectedError({ reason: '550' }).retryable, false);
    assert.equal(new MailerUnavailableError({ reason: 'timeout' }).retryable, true);
  });

  test('business actions: permanent types are not retried, and an attempt without a heartbeat for 15 s is retried', () => {
    const options = businessActionOptions(undefined);
    assert.deepEqual(options.retry?.nonRetryableErrorTypes, [...PERMANENT_ACTION_ERROR_TYPES]);
    assert.equal(options.heartbeatTimeout, ACTION_HEARTBEAT_TIMEOUT);
    assert.equal(ACTION_HEARTBEAT_TIMEOUT, '15 seconds');
  });

  test('retries after an outage come at most 30 s apart for the actions, 10 s for the database records', () => {
    assert.equal(businessActionOptions(undefined).retry?.maximumInterval, '30 seconds');
    assert.equal(businessActionOptions({ initialSeconds: 1, maximumAttempts: 3 }).retry?.maximumInterval, '30 seconds');
    assert.equal(RECORD_OPTIONS.retry?.maximumInterval, '10 seconds');
    // Never below the initial interval, which Temporal would refuse.
    assert.equal(businessActionOptions({ initialSeconds: 300 }).retry?.maximumInterval, '300 seconds');
  });
});
