/** Keeps the Web UI current: search attributes (only when a value changed) and the details text. */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { TransactionState } from './messages';
import { renderCurrentDetails } from './render-current-details';
import { SAGE_DOCUMENT_KEY, SIGNATURE_STATUS_KEY, sageDocumentKeyword, UNIVERSIGN_STATE_KEY } from './search-attributes';

export class StatePublisher {
  private readonly published = new Map<string, string>();
  private readonly searchAttributes: boolean;

  /** `searchAttributes` false leaves them alone (a namespace where they cannot be registered). */
  constructor(searchAttributes: boolean) {
    this.searchAttributes = searchAttributes;
  }

  publish(state: TransactionState): void {
    const wanted: Array<[typeof SIGNATURE_STATUS_KEY, string | null]> = [
      [SIGNATURE_STATUS_KEY, state.status],
      [UNIVERSIGN_STATE_KEY, state.universignState],
      [SAGE_DOCUMENT_KEY, state.sageDocument ? sageDocumentKeyword(state.sageDocument) : null],
    ];
    const updates: SearchAttributeUpdatePair[] = [];
    for (const [key, value] of wanted) {
      if (value === null || this.published.get(key.name) === value) continue;
      this.published.set(key.name, value);
      updates.push({ key, value });
    }
    if (updates.length > 0 && this.searchAttributes) upsertSearchAttributes(updates);
    setCurrentDetails(renderCurrentDetails(state));
  }
}
