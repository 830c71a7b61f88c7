import { Kysely, sql, type Transaction } from 'kysely';
import fs from 'node:fs';
import type { DatabaseConfig } from '../config.js';
import { translatingDialect } from './dialects/translate.js';
import type { DialectAdapter, DialectName } from './dialects/types.js';
import { adapterFor, openStore } from './kysely-store.js';
import type { NewMessage } from './port.js';
import { MessageRepository } from './repos/messages.js';
import type { Database } from './schema.js';

/** The seed's tables, which Natter keeps under the same names (spec §3). */
export type SeedTable = 'user' | 'user_info' | 'goodfriend' | 'goodfriendapply' | 'group' | 'group_user';
export const SEED_TABLES: readonly SeedTable[] = ['user', 'user_info', 'goodfriend', 'goodfriendapply', 'group', 'group_user'];

export type Row = Record<string, unknown>;
type Key = string | number;

/** The writes of one batch; everything done through it commits together or not at all. */
export interface ImportWriter {
  /** Inserts rows with their own ids. */
  insert(table: SeedTable, rows: Row[]): Promise<void>;
  /**
   * Makes the users readers of a group conversation from its current end on. Members it already
   * has keep their cursors (a second run must not mark undelivered messages as delivered).
   */
  joinConversation(conversationId: string, userIds: number[], now: number): Promise<void>;
  /** Appends the messages to their conversations, in order, with the next sequence numbers. */
  append(messages: NewMessage[]): Promise<void>;
}

/**
 * Natter's database as the seed import sees it: reads to decide what is already there, batches
 * of writes in transactions, and the id sequences. The schema is brought up to date on open
 * (as the server does), except in a dry run, which writes nothing: there, a database without
 * the schema reads as empty.
 */
export interface ImportTarget {
  readonly dialect: DialectName;
  /** Rows of `table` whose `column` is one of `values` (only `columns` are read). */
  rowsWhere(table: SeedTable, column: string, values: Key[], columns: string[]): Promise<Row[]>;
  /** The highest id of the table (0 when empty). */
  maxId(table: SeedTable): Promise<number>;
  /** Which of these message ids the conversation already holds. */
  storedMessageIds(conversationId: string, msgIds: string[]): Promise<Set<string>>;
  write(fn: (w: ImportWriter) => Promise<void>): Promise<void>;
  /** Moves each table's id sequence past its highest id, so that new rows do not collide with imported ones. */
  advanceSequences(): Promise<void>;
  close(): Promise<void>;
}

/** At most this many values in one `in (…)` list or rows in one INSERT (bound parameters stay far below every driver's limit). */
const CHUNK = 200;

function chunks<T>(list: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

// The import moves rows table by table with their own columns; the table types are the schema's business.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Opens the configured database for an import (`dryRun`: no migration, no write, no new SQLite file). */
export async function openImportTarget(config: DatabaseConfig, o: { dryRun: boolean }): Promise<ImportTarget> {
  if (o.dryRun && config.kind === 'sqlite' && !fs.existsSync(config.file)) return emptyTarget('sqlite');
  if (!o.dryRun) {
    const store = await openStore(config);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
  }
  const adapter = await adapterFor(config, () => undefined);
  const db = new Kysely<Database>({ dialect: translatingDialect(adapter) });
  try {
    const tables = await db.introspection.getTables();
    if (!tables.some((t) => t.name === 'user')) {
      await close(db, adapter);
      return emptyTarget(adapter.name);
    }
  } catch (e) {
    await close(db, adapter);
    throw e;
  }
  return new KyselyImportTarget(db, adapter, o.dryRun);
}

async function close(db: Kysely<Database>, adapter: DialectAdapter): Promise<void> {
  await db.destroy();
  await adapter.afterClose?.();
}

/** A dry run's view of a database that has no schema yet: nothing is there. */
function emptyTarget(dialect: DialectName): ImportTarget {
  return {
    dialect,
    rowsWhere: async () => [],
    maxId: async () => 0,
    storedMessageIds: async () => new Set(),
    write: async () => undefined,
    advanceSequences: async () => undefined,
    close: async () => undefined,
  };
}

class KyselyImportTarget implements ImportTarget {
  readonly dialect: DialectName;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
    private readonly dryRun: boolean,
  ) {
    this.dialect = adapter.name;
  }

  private get any(): AnyDb {
    return this.db as unknown as AnyDb;
  }

  async rowsWhere(table: SeedTable, column: string, values: Key[], columns: string[]): Promise<Row[]> {
    const out: Row[] = [];
    for (const part of chunks([...new Set(values)])) {
      const rows = (await this.any.selectFrom(table).select(columns).where(column, 'in', part).execute()) as Row[];
      out.push(...rows);
    }
    return out;
  }

  async maxId(table: SeedTable): Promise<number> {
    const row = await this.any
      .selectFrom(table)
      .select((eb) => eb.fn.max('id').as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async storedMessageIds(conversationId: string, msgIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks([...new Set(msgIds)])) {
      const rows = await this.db
        .selectFrom('message')
        .select('msg_id')
        .where('conversation_id', '=', conversationId)
        .where('msg_id', 'in', part)
        .execute();
      for (const r of rows) found.add(r.msg_id);
    }
    return found;
  }

  async write(fn: (w: ImportWriter) => Promise<void>): Promise<void> {
    if (this.dryRun) return;
    await this.db.transaction().execute((trx) => fn(this.writer(trx)));
  }

  private writer(trx: Transaction<Database>): ImportWriter {
    const ctx = { db: trx, dialect: this.adapter.name, quirks: this.adapter.quirks };
    const messages = new MessageRepository(ctx, new Set());
    const any = trx as unknown as AnyDb;
    return {
      async insert(table, rows) {
        for (const part of chunks(rows)) await any.insertInto(table).values(part).execute();
      },
      async joinConversation(conversationId, userIds, now) {
        const conv = trx.insertInto('conversation').values({ id: conversationId, kind: 'group', last_seq: 0, create_time: now });
        await ctx.quirks.insertIgnore(conv).execute();
        if (userIds.length === 0) return;
        const row = await trx.selectFrom('conversation').select('last_seq').where('id', '=', conversationId).executeTakeFirstOrThrow();
        const at = Number(row.last_seq);
        for (const part of chunks(userIds)) {
          const rows = part.map((user_id) => ({ conversation_id: conversationId, user_id, delivered_seq: at, joined_seq: at }));
          await ctx.quirks.insertIgnore(trx.insertInto('conversation_member').values(rows)).execute();
        }
      },
      async append(list) {
        for (const m of list) await messages.append(m);
      },
    };
  }

  async advanceSequences(): Promise<void> {
    if (this.dryRun || this.adapter.name !== 'postgres') return;
    // MySQL's AUTO_INCREMENT and SQLite's AUTOINCREMENT already follow explicit ids; PostgreSQL's sequences do not.
    for (const table of SEED_TABLES) {
      const seq = await sql<{ name: string | null }>`select pg_get_serial_sequence(${`"${table}"`}, 'id') as name`.execute(this.db);
      const name = seq.rows[0]?.name;
      if (!name) continue;
      const top = await sql<{ n: string | null }>`select max(${sql.ref('id')}) as n from ${sql.table(table)}`.execute(this.db);
      const max = Number(top.rows[0]?.n ?? 0);
      const now = await sql<{ last_value: string; is_called: boolean }>`select last_value, is_called from ${sql.raw(name)}`.execute(
        this.db,
      );
      const state = now.rows[0];
      const used = state ? (state.is_called ? Number(state.last_value) : Number(state.last_value) - 1) : 0;
      if (max > used) await sql`select setval(${name}, ${max}, true)`.execute(this.db);
    }
  }

  async close(): Promise<void> {
    await close(this.db, this.adapter);
  }
}
