import type { Dialect } from 'kysely';
import type { StoreErrorKind } from '../errors.js';
import type { RepoQuirks } from './quirks.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** What differs between databases; everything else is written once in the repos. */
export interface DialectAdapter {
  name: DialectName;
  kysely: Dialect;
  /** Maps a driver error to a shared kind, or undefined when it is none of them. */
  translateError(err: unknown): StoreErrorKind | undefined;
  /** How the repositories' writes are spelled on this database. */
  quirks: RepoQuirks;
  /** Runs after the Kysely instance is destroyed (helpers of the driver to stop). */
  afterClose?: () => Promise<void>;
  /**
   * Set where a `retryable` error can hit a statement outside any transaction (SQLite, locked by
   * another process): whether a transaction is open now. Such a statement is tried again later,
   * without blocking; inside a transaction the whole transaction is.
   */
  inTransaction?: () => boolean;
  /**
   * Set where the driver runs statements synchronously on one connection (SQLite): runs one
   * compiled statement at once, without Kysely's per-query executor (rows of a reader, none of a
   * write). Only for statements inside a transaction the store holds, where nothing else can use
   * the connection between them.
   */
  direct?: DirectRunner;
}

/** Runs one compiled statement with its parameters; answers its rows (none for a write). */
export type DirectRunner = (sql: string, parameters: readonly unknown[]) => unknown[];
