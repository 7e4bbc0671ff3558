/**
 * Task queue names derived from the workflow's own. Universign calls run on a queue of their own,
 * whose rate limit (maxTaskQueueActivitiesPerSecond, global across workers) is Universign's: it
 * throttles them and nothing else. Deterministic, so the workflow and the worker share it.
 */
export function universignTaskQueue(taskQueue: string): string {
  return `${taskQueue}-universign`;
}

/** The activities that call Universign, scheduled on universignTaskQueue by runs of the current code. */
export const UNIVERSIGN_ACTIVITY_NAMES = [
  'fetchUniversignTransaction',
  'archiveSignedDocuments',
  'cancelUniversignTransaction',
  // The send workflow's steps.
  'createUniversignTransaction',
  'addUniversignDocument',
  'addSignatureField',
  'addUniversignSignature',
  'setUniversignParticipant',
  'startUniversignTransaction',
] as const;

export function callsUniversign(activityName: string): boolean {
  return (UNIVERSIGN_ACTIVITY_NAMES as readonly string[]).includes(activityName);
}
