import type { SeedDatabase, SeedRedis } from './seed-source.js';

/** What an import is told, and what it reports (`natter import --json` prints the report). */

export interface ImportOptions {
  dryRun: boolean;
  /** Remove each offline list from the seed's Redis once all of it is in Natter. */
  consume: boolean;
  batchSize: number;
  /** Time zone the seed wrote DATETIME values in (its Sequelize `timezone`), minutes east of UTC. */
  tzOffsetMinutes: number;
  now: number;
}

export interface TableSummary {
  table: string;
  read: number;
  /** Written (in a dry run: would be written). */
  written: number;
  /** Already in Natter with the same identity. */
  skipped: number;
  rejected: number;
  /** Rows made because the seed lacked them (a user without a user_info row). */
  created?: number;
}

/** A row or message that was refused (`rejected`) or taken with a change (`adjusted`). */
export interface Problem {
  table: string;
  id: string | number;
  reason: string;
}

export interface ImportReport {
  dryRun: boolean;
  tables: TableSummary[];
  rejected: Problem[];
  adjusted: Problem[];
  /** Offline lists removed from the seed's Redis (`consume`). */
  consumedLists: number;
}

export interface Sources {
  db: SeedDatabase;
  redis?: SeedRedis;
}

export type Progress = (line: string) => void;
