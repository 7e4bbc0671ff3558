/**
 * The `sendForSignature` workflow's contract (type name fixed in design.md): its input, result,
 * progress query and failure type, shared by the workflow, the API and tests. The PDF itself is
 * never here: the API uploads it and passes Universign's file id.
 */
import { defineQuery } from '@temporalio/workflow';
import type { SageDocumentRef } from '../activities/sync-contracts';
import type { PollSettings } from './messages';

export const SEND_WORKFLOW_TYPE = 'sendForSignature';

/** Metadata key naming the request (the send workflow's id) on its Universign transaction. */
export const REQUEST_ID_METADATA_KEY = 'requestId';

/** Failure type of a send whose step failed for good; its details hold one SendFailureDetails. */
export const SEND_STEP_FAILED = 'SendStepFailed';

export interface SendSigner {
  email: string;
  fullName?: string;
  /** E.164. */
  phone?: string;
}

export interface SendForSignatureInput {
  sageDocument: SageDocumentRef;
  /** Universign file id of the uploaded PDF (`file_…`), usable for 24 h. */
  fileId: string;
  documentName: string;
  signers: SendSigner[];
  /** Transaction name (default `<Type> <number>`). */
  name?: string;
  language: string;
  /** ISO-8601 UTC. */
  expiresAt?: string;
  /** Cadence given to the transaction's workflow. */
  poll?: PollSettings;
  /** false on a namespace without the custom search attributes (the time-skipping test server). */
  publishSearchAttributes?: boolean;
}

/** The answer of POST /api/signature-requests, and the workflow's result. */
export interface SendResult {
  transactionId: string;
  workflowId: string;
  status: 'EN_COURS';
}

export interface SendFailureDetails {
  step: string;
  transactionId: string | null;
  /** The Universign failure type (sync-contracts UNIVERSIGN_ERROR_TYPES), or null for another cause. */
  causeType: string | null;
}

export interface SendProgress {
  requestId: string;
  sageDocument: SageDocumentRef;
  /** The step running now (or that failed); null once done. */
  step: string | null;
  stepsDone: string[];
  transactionId: string | null;
  documentId: string | null;
  result: SendResult | null;
  error: { step: string; message: string } | null;
}

export const sendProgressQuery = defineQuery<SendProgress>('sendProgress');

/** `Devis D0042` for `{type: 'devis', number: 'D0042'}`. */
export function defaultTransactionName(document: SageDocumentRef): string {
  return `${document.type.charAt(0).toUpperCase()}${document.type.slice(1)} ${document.number}`;
}

/** The static summary of a send in the Temporal Web UI. */
export function describeSendWorkflow(sageDocument: SageDocumentRef, signers: number): string {
  return `Envoi en signature — Sage ${sageDocument.type} ${sageDocument.number} (${signers} signataire${signers > 1 ? 's' : ''})`;
}
