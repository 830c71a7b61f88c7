import { Kysely, sql } from 'kysely';
import { createMysql } from '../../src/store/dialects/mysql.js';
import { createPostgres } from '../../src/store/dialects/postgres.js';
import { createSqlite } from '../../src/store/dialects/sqlite.js';

/**
 * A second, test-only connection to a server's database, for rows no API writes yet (friend
 * rows: there is no friends API). Close it before the server drops the database.
 */
export interface FriendRowInput {
  nickname?: string;
  isblack?: number;
  status?: number;
}

export class RawDb {
  private constructor(
    // The schema is the server's business; these tests only insert seed-shaped rows.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly db: Kysely<any>,
    private readonly afterClose?: () => Promise<void>,
  ) {}

  static open(databaseUrl: string): RawDb {
    const adapter = databaseUrl.startsWith('sqlite:')
      ? createSqlite(databaseUrl.slice('sqlite:'.length))
      : databaseUrl.startsWith('postgres')
        ? createPostgres(databaseUrl)
        : createMysql(databaseUrl);
    return new RawDb(new Kysely({ dialect: adapter.kysely }), adapter.afterClose);
  }

  /** One directed `goodfriend` row: `ownerId` has `friendId` in their contacts (spec §3.3). */
  async addFriendRow(ownerId: number, friendId: number, row: FriendRowInput = {}): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto('goodfriend')
      .values({
        user_id: ownerId,
        friend_id: friendId,
        nickname: row.nickname ?? '',
        friendlookme: 1,
        melookfriend: 1,
        ismystarfriend: 0,
        isblack: row.isblack ?? 0,
        status: row.status ?? 1,
        order: 50,
        create_time: now,
        update_time: now,
      })
      .execute();
  }

  /** The id of `ownerId`'s row for `friendId` (what E21 group/create takes). */
  async friendRowId(ownerId: number, friendId: number): Promise<number> {
    const row = await this.db
      .selectFrom('goodfriend')
      .select('id')
      .where('user_id', '=', ownerId)
      .where('friend_id', '=', friendId)
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Both directions, active and not blacklisted. */
  async befriend(a: number, b: number): Promise<void> {
    await this.addFriendRow(a, b);
    await this.addFriendRow(b, a);
  }

  /** Runs a statement as is (schema changes made behind the server's back). */
  async exec(statement: string): Promise<void> {
    await sql.raw(statement).execute(this.db);
  }

  async countRows(table: string): Promise<number> {
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.afterClose?.();
  }
}
