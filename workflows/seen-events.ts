/**
 * Bounded memory of webhook event ids already handled, so redelivered signals are ignored even
 * across continue-as-new. Universign retries for up to ~3 days, far fewer events than the bound.
 */
export const SEEN_EVENT_IDS_LIMIT = 500;

export function rememberEventId(ids: string[], eventId: string): { isNew: boolean; ids: string[] } {
  if (ids.includes(eventId)) return { isNew: false, ids };
  const next = [...ids, eventId];
  return { isNew: true, ids: next.length > SEEN_EVENT_IDS_LIMIT ? next.slice(-SEEN_EVENT_IDS_LIMIT) : next };
}
