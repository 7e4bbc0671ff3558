/**
 * Makes sure the namespace knows the workflow's search attributes, adding the missing ones.
 * Run by the worker at start: a workflow upserting an unknown attribute would be stuck.
 * Temporal Cloud does not let clients add them: there, create them once with the command in the
 * README; this check then finds them and adds nothing.
 */

import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<{ added: string[] }> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = SEARCH_ATTRIBUTE_KEYS.map((key) => key.name).filter((name) => !known.has(name));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  }
  return { added: missing };
}
