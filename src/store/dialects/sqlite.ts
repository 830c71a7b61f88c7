import Database from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { onConflictQuirks } from './quirks.js';
import type { DialectAdapter } from './types.js';

/** Statements kept compiled; the repos issue far fewer distinct SQL texts than this. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * better-sqlite3 compiles a statement on every `prepare`, and Kysely prepares once per query:
 * compiling cost as much as running the statements. This keeps the compiled statements by SQL
 * text (least recently used dropped past the limit). A statement still iterating (`busy`) is
 * never handed out twice; a fresh one is compiled for that call instead.
 */
export function cachingDatabase(
  db: Database.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase & { prepare(sql: string): Database.Statement } {
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

/** How often the background connection copies the WAL back into the database file. */
const CHECKPOINT_INTERVAL_MS = 500;
const CHECKPOINTER_START_DELAY_MS = 2000;
/** Pages the WAL may reach before the main connection checkpoints itself (when the worker lags). */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
// A failed checkpoint (the disk) is tried again on the next tick; the main connection reports such errors.
const timer = setInterval(() => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} }, workerData.intervalMs);
parentPort.once('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * Checkpoints on a second connection in a worker thread. Done on the main connection (SQLite's
 * default, every 1,000 pages) a checkpoint writes those pages into the database file inside some
 * request's COMMIT and stalls the event loop for 5–10 ms; in the background nobody waits for it.
 * The main connection still checkpoints if the WAL grows past the fallback (a stuck worker).
 */
function startCheckpointer(file: string, db: Database.Database): () => Promise<void> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  let worker: Worker | undefined;
  let gone: Promise<void> = Promise.resolve();
  // A worker that cannot run (or dies) leaves checkpoints to SQLite's own, on the main connection.
  const fallBack = () => {
    worker = undefined;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  };
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  // Started once the node is up: booting a thread while the server starts slows its start.
  const timer = setTimeout(() => {
    if (!db.open) return;
    const w = new Worker(CHECKPOINTER, { eval: true, workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS } });
    w.unref();
    gone = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.on('error', fallBack);
    w.on('exit', fallBack);
    worker = w;
  }, CHECKPOINTER_START_DELAY_MS);
  timer.unref();
  // Resolves once the worker's connection is closed (the last one checkpoints and removes the WAL).
  return async () => {
    clearTimeout(timer);
    const w = worker;
    if (!w) return;
    w.removeListener('exit', fallBack);
    w.postMessage('stop');
    const t = setTimeout(() => void w.terminate(), 5000);
    await gone;
    clearTimeout(t);
  };
}

/**
 * How long one statement waits, on the main thread, for a lock another process holds. The wait
 * blocks the event loop, so it is short: beyond it the statement (or its transaction) is tried
 * again from a timer, and a database still locked after a few seconds answers 503.
 */
const BUSY_TIMEOUT_MS = 50;

/**
 * SQLite through better-sqlite3: WAL (readers never block the writer), foreign keys on, a short
 * busy timeout for the rare second process, and synchronous=NORMAL, which in WAL mode keeps
 * every committed transaction across a process crash.
 */
export function createSqlite(file: string): DialectAdapter {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const stopCheckpointer = file === ':memory:' ? undefined : startCheckpointer(file, db);
  const statements = cachingDatabase(db);
  return {
    name: 'sqlite',
    kysely: new SqliteDialect({ database: statements }),
    direct(sql, parameters) {
      const stmt = statements.prepare(sql);
      if (stmt.reader) return stmt.all(parameters) as unknown[];
      stmt.run(parameters);
      return [];
    },
    afterClose: stopCheckpointer,
    inTransaction: () => db.inTransaction,
    quirks: onConflictQuirks({ singleWriter: true }),
    translateError(err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string') return undefined;
      if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique_violation';
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key_violation';
      if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'retryable';
      return undefined;
    },
  };
}
