// Typed failures. Activities throw these; Temporal sees an ApplicationFailure whose `type` is listed in
// NON_RETRYABLE_ERRORS, so bad input fails the step at once instead of being retried forever.
// The API maps the same types to 4xx responses.
import { ApplicationFailure } from '@temporalio/common';
import type { NonRetryableErrorType } from '../workflows/definitions.js';

export function nonRetryable(type: NonRetryableErrorType, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : undefined });
}

/** The error's Temporal failure type, if it is one of ours. */
export function failureType(err: unknown): NonRetryableErrorType | undefined {
  if (err instanceof ApplicationFailure && err.type) return err.type as NonRetryableErrorType;
  return undefined;
}
