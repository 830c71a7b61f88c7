import type { AppError } from '../domain/errors.js';
import { failure } from '../domain/failures.js';

/** Driver errors translated to a few kinds every dialect shares (see dialects/*.ts). */
export type StoreErrorKind = 'unique_violation' | 'foreign_key_violation' | 'retryable' | 'unknown';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    override readonly cause: unknown,
  ) {
    super(`${kind}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StoreError';
  }
}

export const isUniqueViolation = (e: unknown): boolean => e instanceof StoreError && e.kind === 'unique_violation';

/** How long a statement or transaction that meets a locked database is tried again before 503. */
const BUSY_BUDGET_MS = 3000;

/** The pause before attempt `attempt + 1` (growing, with jitter), or undefined once the budget is spent. */
export function waitBeforeRetry(attempt: number, startedAt: number): number | undefined {
  if (Date.now() - startedAt >= BUSY_BUDGET_MS) return undefined;
  return Math.min(500, 5 * 2 ** attempt) + Math.random() * 20;
}

/** What a caller hears when the database stayed busy or locked: 503 with Retry-After. */
export const storeBusy = (cause: unknown): AppError => failure('databaseBusy', { retryAfterSeconds: 1, cause });
