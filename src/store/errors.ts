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
