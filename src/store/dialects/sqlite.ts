import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { DialectAdapter } from './types.js';

/**
 * SQLite through better-sqlite3: WAL (readers never block the writer), foreign keys on, a busy
 * timeout for the rare second process, and synchronous=NORMAL, which in WAL mode keeps every
 * committed transaction across a process crash.
 */
export function createSqlite(file: string): DialectAdapter {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return {
    name: 'sqlite',
    kysely: new SqliteDialect({ database: db }),
    upsertStyle: 'on_conflict',
    translateError(err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string') return undefined;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique_violation';
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key_violation';
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'retryable';
      return undefined;
    },
  };
}
