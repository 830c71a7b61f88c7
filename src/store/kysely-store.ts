import { Kysely, Migrator, sql, type MigrationProvider, type Transaction } from 'kysely';
import type { DatabaseConfig } from '../config.js';
import { translatingDialect, translatingDirect } from './dialects/translate.js';
import type { DialectAdapter } from './dialects/types.js';
import { StoreError, storeBusy, waitBeforeRetry } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { migrations } from './migrations/index.js';
import type { Repos, Store } from './port.js';
import { ApplyRepository } from './repos/applies.js';
import type { Ctx } from './repos/base.js';
import { CounterRepository } from './repos/counters.js';
import { FriendRepository } from './repos/friends.js';
import { GroupRepository } from './repos/groups.js';
import { MessageRepository } from './repos/messages.js';
import { RateLimitRepository } from './repos/rates.js';
import { ReceiptRepository } from './repos/receipts.js';
import { SessionRepository } from './repos/sessions.js';
import { UserRepository } from './repos/users.js';
import type { Database } from './schema.js';

/** The configured dialect; only its driver is loaded (each costs about 0.1 s of start-up). */
export async function adapterFor(config: DatabaseConfig, onError: (err: Error) => void): Promise<DialectAdapter> {
  switch (config.kind) {
    case 'sqlite':
      return (await import('./dialects/sqlite.js')).createSqlite(config.file);
    case 'postgres':
      return (await import('./dialects/postgres.js')).createPostgres(config.url, onError);
    case 'mysql':
      return (await import('./dialects/mysql.js')).createMysql(config.url, onError);
  }
}

function repos(ctx: Ctx, known: Set<string>): Repos {
  return {
    users: new UserRepository(ctx),
    sessions: new SessionRepository(ctx),
    rates: new RateLimitRepository(ctx),
    messages: new MessageRepository(ctx, known),
    friends: new FriendRepository(ctx),
    applies: new ApplyRepository(ctx),
    groups: new GroupRepository(ctx),
    counters: new CounterRepository(ctx),
    receipts: new ReceiptRepository(ctx),
  };
}

export interface OpenedStore extends Store {
  /** Brings the schema up to date; safe to call from several nodes at once. */
  migrate(): Promise<void>;
}

/** `onError` hears connection errors that belong to no query (an idle pooled connection dropped). */
export async function openStore(config: DatabaseConfig, onError: (err: Error) => void = () => undefined): Promise<OpenedStore> {
  const adapter = await adapterFor(config, onError);
  const db = new Kysely<Database>({ dialect: translatingDialect(adapter) });
  const known = new Set<string>();
  const base = repos({ db, dialect: adapter.name, quirks: adapter.quirks }, known);
  // Deadlocks, serialization failures and a database locked by another process roll back
  // whole; the transaction is tried again from a timer, and answers 503 if that lasts.
  const withRetry = async <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> => {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(fn);
      } catch (e) {
        if (!(e instanceof StoreError && e.kind === 'retryable')) throw e;
        const wait = waitBeforeRetry(attempt, started);
        if (wait === undefined) throw storeBusy(e);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  // SQLite has one connection and one writer: transactions asked for together commit together.
  // Inside one of those transactions the connection is ours: hot statements skip Kysely's executor.
  const direct = translatingDirect(adapter);
  const batches = adapter.quirks.singleWriter ? new GroupCommit(withRetry, direct) : undefined;
  return {
    ...base,
    dialect: adapter.name,
    transaction(fn) {
      const body = (trx: Transaction<Database>) => fn(repos({ db: trx, dialect: adapter.name, quirks: adapter.quirks, direct }, known));
      return batches ? batches.run(body) : withRetry(body);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async migrate() {
      const provider: MigrationProvider = { getMigrations: async () => migrations(adapter.name) };
      const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error) {
        throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    },
    async close() {
      await db.destroy();
      await adapter.afterClose?.();
    },
  };
}
