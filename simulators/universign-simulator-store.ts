/**
 * The Universign simulator's store: the in-memory v1 API (simulated-universign-api.ts) plus the
 * test controls that drive it as signers and Universign would — build a transaction in one go,
 * sign, refuse, expire, force any state, inject failures. No HTTP here: the routes in
 * universign-simulator-api-routes.ts and universign-simulator-control-api.ts map requests onto it.
 */
import { renderSimulatedPdf } from './render-simulated-pdf';
import type { CreateSimulatedTransactionInput, ForceStateInput, SimulatedTransaction } from './simulated-transaction';
import type { SimulatedEventType } from './simulated-transaction-json';
import { DEFAULT_EXPIRY_MS, openActions, openSigner } from './simulated-transaction-rules';
import { SimulatedUniversignApi } from './simulated-universign-api';
import { invalid, invalidState } from './universign-simulator-error';

const LIFECYCLE_EVENTS: Record<string, SimulatedEventType> = {
  started: 'transaction.lifecycle.started',
  paused: 'transaction.lifecycle.paused',
  cancelled: 'transaction.lifecycle.cancelled',
  expired: 'transaction.lifecycle.expired',
  completed: 'transaction.lifecycle.completed',
};

export class UniversignSimulatorStore extends SimulatedUniversignApi {
  /** Builds a transaction (documents, fields, signatures, participants) and moves it to `state`. */
  createDirect(input: CreateSimulatedTransactionInput): SimulatedTransaction {
    const state = input.state ?? 'started';
    const signers = input.signers ?? [];
    if (state !== 'draft' && signers.length === 0) throw invalid('a transaction past draft needs at least one signer');
    const transaction = this.createTransaction({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.language !== undefined ? { language: input.language } : {}),
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    });
    for (const documentName of input.documents ?? ['document.pdf']) {
      const file = this.uploadFile(documentName, 'application/pdf', renderSimulatedPdf([documentName]));
      const document = this.addDocument(transaction.id, file.id, documentName);
      for (const signer of signers) {
        const field = this.addField(transaction.id, document.id, { type: 'signature' });
        this.addSignature(transaction.id, signer.email, field.id);
      }
    }
    for (const signer of signers) {
      this.upsertParticipant(transaction.id, {
        email: signer.email,
        ...(signer.fullName !== undefined ? { fullName: signer.fullName } : {}),
        ...(signer.phoneNumber !== undefined ? { phoneNumber: signer.phoneNumber } : {}),
      });
    }
    if (state === 'draft') return transaction;
    this.start(transaction.id);
    if (state === 'completed') {
      for (const signer of signers) this.sign(transaction.id, signer.email);
    } else if (state !== 'started') {
      this.forceState(transaction.id, { state });
    }
    if (input.stalled !== undefined || input.stalledReason !== undefined) {
      this.forceState(transaction.id, {
        state: transaction.state,
        stalled: input.stalled ?? transaction.stalled,
        stalledReason: input.stalledReason ?? transaction.stalledReason,
      });
    }
    return transaction;
  }

  /** That signer signs every task; the transaction completes when nobody is left. */
  sign(transactionId: string, email: string): SimulatedTransaction {
    const { transaction, participant, action } = openSigner(this.get(transactionId), email);
    const now = this.now();
    participant.state = 'completed';
    action.state = 'completed';
    action.completedAt = now;
    for (const task of action.tasks) task.state = 'done';
    this.emit(transaction, 'action.closed', action);
    if (transaction.actions.every((each) => each.state === 'completed')) {
      transaction.state = 'completed';
      transaction.completedAt = now;
      this.emit(transaction, 'transaction.lifecycle.completed');
    }
    return transaction;
  }

  /** That signer refuses: the transaction stays `started` but stalls, as Universign does. */
  refuse(transactionId: string, email: string, reason = 'signature_refusal'): SimulatedTransaction {
    const { transaction, participant, action } = openSigner(this.get(transactionId), email);
    participant.state = 'refused';
    action.state = 'refused';
    action.completedAt = this.now();
    for (const task of action.tasks) if (task.state === 'todo') task.state = 'refused';
    transaction.stalled = true;
    transaction.stalledReason = reason;
    this.emit(transaction, 'action.stalled', action);
    return transaction;
  }

  expire(transactionId: string): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (transaction.state !== 'started' && transaction.state !== 'paused') {
      throw invalidState(transaction, 'only a started or paused transaction can expire');
    }
    transaction.state = 'expired';
    this.emit(transaction, 'transaction.lifecycle.expired');
    return transaction;
  }

  /** Sets any state, even a backward or unknown one, for tests of odd observations. */
  forceState(transactionId: string, input: ForceStateInput): SimulatedTransaction {
    const transaction = this.get(transactionId);
    if (typeof input.state !== 'string' || input.state === '') throw invalid('state is required');
    const now = this.now();
    const changedState = transaction.state !== input.state;
    transaction.state = input.state;
    if (input.state !== 'draft') {
      transaction.startedAt ??= now;
      transaction.expiresAt ??= new Date(Date.parse(now) + DEFAULT_EXPIRY_MS).toISOString();
      // A draft forced forward gets its signers' actions, as a real start would give it.
      if (transaction.actions.length === 0) transaction.actions = openActions(transaction, this.now());
    }
    if (input.state === 'completed') transaction.completedAt ??= now;
    if (input.state === 'cancelled') transaction.cancelledAt ??= now;
    if (input.stalled !== undefined) transaction.stalled = input.stalled;
    if (input.stalledReason !== undefined) transaction.stalledReason = input.stalledReason;
    if (!transaction.stalled && input.stalledReason === undefined) transaction.stalledReason = null;
    const lifecycleEvent = LIFECYCLE_EVENTS[input.state];
    if (changedState && lifecycleEvent) this.emit(transaction, lifecycleEvent);
    if (input.stalled === true) this.emit(transaction, 'action.stalled');
    return transaction;
  }

  /** The next `times` API calls about this transaction answer HTTP `status` (0 times clears). */
  failNext(transactionId: string, status: number, times: number): void {
    const transaction = this.get(transactionId);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw invalid('status must be an HTTP error status');
    if (!Number.isInteger(times) || times < 0) throw invalid('times must be an integer ≥ 0');
    transaction.failure = times === 0 ? null : { status, remaining: times };
  }

  /** Consumes one injected failure, if any is pending. */
  takeFailure(transactionId: string): number | null {
    const failure = this.transactions.get(transactionId)?.failure;
    if (!failure) return null;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.get(transactionId).failure = null;
    return failure.status;
  }
}
