import { sql } from 'kysely';
import type { RateLimitRepo } from '../port.js';
import type { Ctx } from './base.js';

/**
 * Fixed windows in one table, shared by every node. `hit` is one atomic upsert: a window that
 * has ended restarts at 1, otherwise the count grows.
 */
export class RateLimitRepository implements RateLimitRepo {
  constructor(private readonly ctx: Ctx) {}

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    const { db } = this.ctx;
    const q = db.insertInto('rate_limit').values({ key, count: 1, reset_at: now + windowMs });
    // MySQL evaluates the assignments left to right, so `count` must read `reset_at` before it changes.
    const count = sql<number>`case when ${sql.ref('rate_limit.reset_at')} <= ${now} then 1 else ${sql.ref('rate_limit.count')} + 1 end`;
    const resetAt = sql<number>`case when ${sql.ref('rate_limit.reset_at')} <= ${now} then ${now + windowMs} else ${sql.ref('rate_limit.reset_at')} end`;
    await this.ctx.quirks.upsert(q, ['key'], { count, reset_at: resetAt }).execute();
    return this.peek(key, now);
  }

  async peek(key: string, now: number): Promise<number> {
    const row = await this.ctx.db.selectFrom('rate_limit').select(['count', 'reset_at']).where('key', '=', key).executeTakeFirst();
    return row && row.reset_at > now ? row.count : 0;
  }

  async release(key: string, now: number): Promise<void> {
    await this.ctx.db
      .updateTable('rate_limit')
      .set({ count: sql<number>`${sql.ref('count')} - 1` })
      .where('key', '=', key)
      .where('count', '>', 0)
      .where('reset_at', '>', now)
      .execute();
  }

  async reset(key: string): Promise<void> {
    await this.ctx.db.deleteFrom('rate_limit').where('key', '=', key).execute();
  }

  async purge(now: number): Promise<void> {
    await this.ctx.db.deleteFrom('rate_limit').where('reset_at', '<=', now).execute();
  }
}
