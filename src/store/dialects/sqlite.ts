import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import type { DialectAdapter } from './types.js';

/** Statements kept compiled; the repos issue far fewer distinct SQL texts than this. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * better-sqlite3 compiles a statement on every `prepare`, and Kysely prepares once per query:
 * compiling cost as much as running the statements. This keeps the compiled statements by SQL
 * text (least recently used dropped past the limit). A statement still iterating (`busy`) is
 * never handed out twice; a fresh one is compiled for that call instead.
 */
export function cachingDatabase(db: Database.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit) {
        if (hit.busy) return db.prepare(sql);
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql);
      cache.set(sql, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

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
    kysely: new SqliteDialect({ database: cachingDatabase(db) }),
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
