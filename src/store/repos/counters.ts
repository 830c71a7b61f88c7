import { sql } from 'kysely';
import type { CounterRepo } from '../port.js';
import type { Ctx } from './base.js';

export class CounterRepository implements CounterRepo {
  constructor(private readonly ctx: Ctx) {}

  async increment(senderId: number, recipientId: number): Promise<number> {
    const { db, quirks } = this.ctx;
    const q = db.insertInto('send_counter').values({ sender_id: senderId, recipient_id: recipientId, count: 1 });
    await quirks.upsert(q, ['sender_id', 'recipient_id'], { count: sql<number>`${sql.ref('send_counter.count')} + 1` }).execute();
    return this.get(senderId, recipientId);
  }

  async get(senderId: number, recipientId: number): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('send_counter')
      .select('count')
      .where('sender_id', '=', senderId)
      .where('recipient_id', '=', recipientId)
      .executeTakeFirst();
    return row?.count ?? 0;
  }
}
