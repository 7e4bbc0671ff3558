/**
 * Search attributes that make the Temporal Web UI an operator's console: find a transaction's
 * workflow by Sage document, status or Universign state. Registered by the worker at start (and
 * by `npm run temporal:search-attributes` for a cluster the worker may not administer).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SIGNATURE_STATUS_KEY = defineSearchAttributeKey('SignatureStatus', SearchAttributeType.KEYWORD);
export const UNIVERSIGN_STATE_KEY = defineSearchAttributeKey('UniversignState', SearchAttributeType.KEYWORD);
export const SAGE_DOCUMENT_KEY = defineSearchAttributeKey('SageDocument', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [SIGNATURE_STATUS_KEY, UNIVERSIGN_STATE_KEY, SAGE_DOCUMENT_KEY];

/** The `SageDocument` keyword: `<type>:<number>`, e.g. `devis:D0042`. */
export function sageDocumentKeyword(document: { type: string; number: string }): string {
  return `${document.type}:${document.number}`;
}
