/** The type and message of whatever an activity call threw, as the sync log and the actions show them. */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

export interface FailureDescription {
  type: string;
  message: string;
}

export function describeFailure(err: unknown): FailureDescription {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return { type: err.cause.type ?? 'Error', message: err.cause.message };
  }
  if (err instanceof ActivityFailure && err.cause) {
    return { type: err.cause.name, message: err.cause.message };
  }
  if (err instanceof Error) return { type: err.name, message: err.message };
  return { type: 'Error', message: String(err) };
}
