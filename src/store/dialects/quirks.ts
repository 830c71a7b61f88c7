import type { InsertQueryBuilder } from 'kysely';

/**
 * What repositories write differently per database, as capabilities rather than names (in the
 * way Kysely's dialect adapters expose `supportsReturning`): a repository asks for an insert
 * that ignores duplicates or for an upsert, and the dialect says how.
 */
export interface RepoQuirks {
  /** Inserts, skipping rows that would break a unique key (nothing is updated). */
  insertIgnore<DB, TB extends keyof DB, O>(q: InsertQueryBuilder<DB, TB, O>): InsertQueryBuilder<DB, TB, O>;
  /**
   * Inserts, or on a conflict on `conflict` updates the columns of `set`. Expressions in `set`
   * see the existing row; MySQL evaluates them left to right, each seeing the assignments before
   * it, so a column that other expressions read goes last.
   */
  upsert<DB, TB extends keyof DB, O>(
    q: InsertQueryBuilder<DB, TB, O>,
    conflict: string[],
    set: Record<string, unknown>,
  ): InsertQueryBuilder<DB, TB, O>;
  /** `INSERT`/`UPDATE … RETURNING` (PostgreSQL, SQLite); otherwise read back after the write. */
  returning: boolean;
  /** `DELETE … LIMIT n` (MySQL); otherwise delete the ids of a limited sub-select. */
  deleteWithLimit: boolean;
  /** One connection writes (SQLite): transactions asked for together share one COMMIT. */
  singleWriter: boolean;
}

// The two builders type their `set` argument after their own clause; the values are the same.
type AnySet = Parameters<InsertQueryBuilder<object, never, object>['onDuplicateKeyUpdate']>[0];

/** `ON CONFLICT … DO NOTHING / DO UPDATE` (PostgreSQL, SQLite). */
export const onConflictQuirks = (o: { singleWriter: boolean }): RepoQuirks => ({
  insertIgnore: (q) => q.onConflict((oc) => oc.doNothing()),
  upsert: (q, conflict, set) => q.onConflict((oc) => oc.columns(conflict as never[]).doUpdateSet(set as never)),
  returning: true,
  deleteWithLimit: false,
  singleWriter: o.singleWriter,
});

/** `INSERT IGNORE` and `ON DUPLICATE KEY UPDATE` (MySQL, MariaDB). */
export const onDuplicateKeyQuirks: RepoQuirks = {
  insertIgnore: (q) => q.ignore(),
  upsert: (q, _conflict, set) => q.onDuplicateKeyUpdate(set as AnySet as never),
  returning: false,
  deleteWithLimit: true,
  singleWriter: false,
};
