/**
 * The transaction metadata a webhook event carries (`payload.object.metadata` when the object is
 * a transaction): it names the Sage document of a transaction this service has not seen yet.
 */
export function eventTransactionMetadata(payloadObject: unknown): Record<string, string> | null {
  const object = payloadObject as { object?: unknown; metadata?: unknown } | null;
  if (object?.object !== 'transaction' || typeof object.metadata !== 'object' || object.metadata === null) return null;
  return Object.fromEntries(
    Object.entries(object.metadata as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** The same, from a stored event (the whole webhook body). */
export function storedEventTransactionMetadata(storedPayload: unknown): Record<string, string> | null {
  return eventTransactionMetadata((storedPayload as { payload?: { object?: unknown } } | null)?.payload?.object);
}
