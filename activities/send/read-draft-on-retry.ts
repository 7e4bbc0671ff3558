/**
 * For a retried send step: what the transaction on Universign already has, so a step whose
 * previous attempt succeeded on Universign but lost its answer is not done twice. First attempts
 * skip the read (one call fewer on the happy path).
 */
import { Context } from '@temporalio/activity';
import type { UniversignClient, UniversignJson } from '../universign-client';

export async function readDraftOnRetry(
  universign: Pick<UniversignClient, 'getTransaction'>,
  transactionId: string,
): Promise<UniversignJson | null> {
  if (Context.current().info.attempt <= 1) return null;
  return universign.getTransaction(transactionId);
}

export function objectsIn(value: unknown): UniversignJson[] {
  return Array.isArray(value)
    ? value.filter((each): each is UniversignJson => typeof each === 'object' && each !== null && !Array.isArray(each))
    : [];
}
