import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import type { SeedTable } from '../store/import-target.js';

/** The seed's own storage: a foreign system, read here and nowhere else (docs/migration.md). */

export type SeedRow = Record<string, unknown>;

/** A source that cannot be reached or read; `which` names it in the one-line message. */
export class SourceError extends Error {}

const OFFLINE_PREFIX = 'chat_getmessage_';

/** How long connecting to a source may take before the import gives up. */
const CONNECT_TIMEOUT_MS = 5000;

const describeError = (e: unknown): string => {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err.message === 'string' && err.message !== '' ? err.message : String(e);
  return typeof err.code === 'string' && !message.includes(err.code) ? `${err.code}: ${message}` : message;
};

/** The address of a URL without its credentials, for messages. */
export const redact = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
};

/** The seed's MySQL database: tables read in id order, a batch at a time. DATETIME values come as text. */
export class SeedDatabase {
  private constructor(
    private readonly conn: mysql.Connection,
    readonly address: string,
  ) {}

  static async open(url: string): Promise<SeedDatabase> {
    const address = redact(url);
    try {
      const conn = await mysql.createConnection({
        uri: url,
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: false,
        connectTimeout: CONNECT_TIMEOUT_MS,
        charset: 'utf8mb4_general_ci',
      });
      conn.on('error', () => undefined);
      return new SeedDatabase(conn, address);
    } catch (e) {
      throw new SourceError(`cannot read the seed MySQL database at ${address}: ${describeError(e)}`);
    }
  }

  private async query<T>(text: string, params: unknown[] = []): Promise<T[]> {
    try {
      const [rows] = await this.conn.query(text, params);
      return rows as T[];
    } catch (e) {
      throw new SourceError(`cannot read the seed MySQL database at ${this.address}: ${describeError(e)}`);
    }
  }

  /** Which of the seed's tables exist (a deployment that never used groups may lack them). */
  async tables(): Promise<Set<string>> {
    const rows = await this.query<{ name: string }>(
      'select table_name as name from information_schema.tables where table_schema = database()',
    );
    return new Set(rows.map((r) => r.name));
  }

  async count(table: SeedTable): Promise<number> {
    const [row] = await this.query<{ n: number }>(`select count(*) as n from \`${table}\``);
    return Number(row?.n ?? 0);
  }

  /** Rows with `id` above `afterId`, in id order, at most `limit`. */
  batch(table: SeedTable, afterId: number, limit: number): Promise<SeedRow[]> {
    return this.query<SeedRow>(`select * from \`${table}\` where id > ? order by id limit ?`, [afterId, limit]);
  }

  /** For each pair with open applications (pending or agreed), the id of the newest one. */
  async newestOpenApplications(): Promise<Map<string, number>> {
    const rows = await this.query<{ user_id: number; friend_id: number; id: number }>(
      "select user_id, friend_id, max(id) as id from goodfriendapply where status in ('pending','agree') group by user_id, friend_id",
    );
    return new Map(rows.map((r) => [`${r.user_id}:${r.friend_id}`, Number(r.id)]));
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => undefined);
  }
}

/** One user's waiting offline messages: the raw list entries, oldest first. */
export interface OfflineList {
  key: string;
  userId: number | undefined;
  entries: string[];
}

/** The seed's Redis: the offline lists `chat_getmessage_<userId>` (RPUSH on send, read whole by chatGetmessageOffLine). */
export class SeedRedis {
  private constructor(
    private readonly redis: Redis,
    readonly address: string,
  ) {}

  static async open(url: string): Promise<SeedRedis> {
    const address = redact(url);
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (e) {
      redis.disconnect();
      throw new SourceError(`cannot read the seed Redis at ${address}: ${describeError(e)}`);
    }
    return new SeedRedis(redis, address);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new SourceError(`cannot read the seed Redis at ${this.address}: ${describeError(e)}`);
    }
  }

  /** Every offline list, in key order (SCAN, never KEYS). */
  async lists(): Promise<string[]> {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, found] = await this.call(() => this.redis.scan(cursor, 'MATCH', `${OFFLINE_PREFIX}*`, 'COUNT', 1000));
      for (const k of found) keys.add(k);
      cursor = next;
    } while (cursor !== '0');
    return [...keys].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  async read(key: string): Promise<OfflineList> {
    const type = await this.call(() => this.redis.type(key));
    const entries = type === 'list' ? await this.call(() => this.redis.lrange(key, 0, -1)) : [];
    const tail = key.slice(OFFLINE_PREFIX.length);
    const userId = /^[1-9][0-9]{0,9}$/.test(tail) ? Number(tail) : undefined;
    return { key, userId, entries };
  }

  /** Removes the first `count` entries (the ones imported); entries pushed since stay. */
  async consume(key: string, count: number): Promise<void> {
    await this.call(() => this.redis.ltrim(key, count, -1));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
