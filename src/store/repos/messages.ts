import { sql } from 'kysely';
import type { CursorAdvance, MessageRepo, NewMessage, StoredMessage } from '../port.js';
import { precompiled, type Ctx } from './base.js';

const STORED = ['message.id', 'message.conversation_id', 'message.seq', 'message.sender_id', 'message.body', 'message.revoked'] as const;

const insertMessage = precompiled(
  (
    db,
    msg_id: string,
    conversation_id: string,
    seq: number,
    sender_id: number | null,
    chat_type: string,
    type: string,
    body: string,
    create_time: number,
  ) => db.insertInto('message').values({ msg_id, conversation_id, seq, sender_id, chat_type, type, body, create_time }),
);

/** Takes the next sequence number where UPDATE … RETURNING exists (SQLite, PostgreSQL). */
const bumpReturning = precompiled((db, id: string) =>
  db
    .updateTable('conversation')
    .set({ last_seq: sql<number>`${sql.ref('last_seq')} + 1` })
    .where('id', '=', id)
    .returning('last_seq'),
);

const advanceOne = precompiled((db, seq: number, conversation_id: string, user_id: number) =>
  db
    .updateTable('conversation_member')
    .set({ delivered_seq: seq })
    .where('conversation_id', '=', conversation_id)
    .where('user_id', '=', user_id)
    .where('delivered_seq', '<', seq),
);

/** Both users of a pair delivered up to one message (a sender's own message and its receiver's copy). */
const advanceTwo = precompiled((db, seq: number, conversation_id: string, a: number, b: number) =>
  db
    .updateTable('conversation_member')
    .set({ delivered_seq: seq })
    .where('conversation_id', '=', conversation_id)
    .where((eb) => eb.or([eb('user_id', '=', a), eb('user_id', '=', b)]))
    .where('delivered_seq', '<', seq),
);

/**
 * Durable messages with per-conversation sequence numbers, and read-diffusion delivery state:
 * one cursor per (conversation, member) says what that member has been sent.
 */
export class MessageRepository implements MessageRepo {
  constructor(
    private readonly ctx: Ctx,
    /** Conversations whose row and members are known to exist (per process; they are never deleted). */
    private readonly known: Set<string>,
  ) {}

  private async ensureConversation(m: NewMessage): Promise<void> {
    if (this.known.has(m.conversation_id)) return;
    const { db, quirks } = this.ctx;
    const conv = db.insertInto('conversation').values({ id: m.conversation_id, kind: m.kind, last_seq: 0, create_time: m.create_time });
    await quirks.insertIgnore(conv).execute();
    if (m.members.length > 0) {
      const rows = m.members.map((user_id) => ({ conversation_id: m.conversation_id, user_id, delivered_seq: 0, joined_seq: 0 }));
      const mem = db.insertInto('conversation_member').values(rows);
      await quirks.insertIgnore(mem).execute();
    }
    this.known.add(m.conversation_id);
  }

  async join(conversationId: string, kind: 'group', userIds: number[], now: number): Promise<void> {
    const { db, quirks } = this.ctx;
    const conv = db.insertInto('conversation').values({ id: conversationId, kind, last_seq: 0, create_time: now });
    await quirks.insertIgnore(conv).execute();
    if (userIds.length === 0) return;
    const row = await db.selectFrom('conversation').select('last_seq').where('id', '=', conversationId).executeTakeFirstOrThrow();
    const at = Number(row.last_seq);
    await db.deleteFrom('conversation_member').where('conversation_id', '=', conversationId).where('user_id', 'in', userIds).execute();
    await db
      .insertInto('conversation_member')
      .values(userIds.map((user_id) => ({ conversation_id: conversationId, user_id, delivered_seq: at, joined_seq: at })))
      .execute();
  }

  async leave(conversationId: string, userIds: number[] | 'all'): Promise<void> {
    const { db } = this.ctx;
    const conv = await db.selectFrom('conversation').select('last_seq').where('id', '=', conversationId).executeTakeFirst();
    if (!conv) return;
    let q = db
      .updateTable('conversation_member')
      .set({ left_seq: Number(conv.last_seq) })
      .where('conversation_id', '=', conversationId)
      .where('left_seq', 'is', null);
    if (userIds !== 'all') {
      if (userIds.length === 0) return;
      q = q.where('user_id', 'in', userIds);
    }
    await q.execute();
  }

  async reset(conversationId: string): Promise<void> {
    await this.ctx.db.deleteFrom('conversation_member').where('conversation_id', '=', conversationId).execute();
  }

  async markRevoked(conversationId: string, msgId: string): Promise<void> {
    await this.ctx.db
      .updateTable('message')
      .set({ revoked: 1 })
      .where('conversation_id', '=', conversationId)
      .where('msg_id', '=', msgId)
      .execute();
  }

  async find(conversationId: string, msgId: string): Promise<(StoredMessage & { create_time: number }) | undefined> {
    return this.ctx.db
      .selectFrom('message')
      .select([...STORED, 'message.create_time'])
      .where('conversation_id', '=', conversationId)
      .where('msg_id', '=', msgId)
      .orderBy('seq')
      .executeTakeFirst();
  }

  async append(m: NewMessage): Promise<number> {
    await this.ensureConversation(m);
    let seq = await this.nextSeq(m.conversation_id);
    if (seq === undefined) {
      // The cache was wrong (a rolled-back transaction created it): create the rows for real.
      this.known.delete(m.conversation_id);
      await this.ensureConversation(m);
      seq = await this.nextSeq(m.conversation_id);
      if (seq === undefined) throw new Error(`conversation ${m.conversation_id} could not be created`);
    }
    await insertMessage(this.ctx, m.msg_id, m.conversation_id, seq, m.sender_id, m.chat_type, m.type, m.body, m.create_time);
    return seq;
  }

  /** Takes the conversation's next sequence number (the row lock serialises concurrent senders). */
  private async nextSeq(conversationId: string): Promise<number | undefined> {
    const { db, quirks } = this.ctx;
    if (quirks.returning) {
      const [row] = await bumpReturning(this.ctx, conversationId);
      return row ? Number(row.last_seq) : undefined;
    }
    const res = await db
      .updateTable('conversation')
      .set({ last_seq: sql<number>`${sql.ref('last_seq')} + 1` })
      .where('id', '=', conversationId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    const row = await db.selectFrom('conversation').select('last_seq').where('id', '=', conversationId).executeTakeFirstOrThrow();
    return Number(row.last_seq);
  }

  async cursors(userId: number): Promise<Map<string, number>> {
    const rows = await this.ctx.db
      .selectFrom('conversation_member')
      .select(['conversation_id', 'delivered_seq'])
      .where('user_id', '=', userId)
      .execute();
    return new Map(rows.map((r) => [r.conversation_id, Number(r.delivered_seq)]));
  }

  async cursor(conversationId: string, userId: number): Promise<number | undefined> {
    const row = await this.ctx.db
      .selectFrom('conversation_member')
      .select('delivered_seq')
      .where('conversation_id', '=', conversationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? Number(row.delivered_seq) : undefined;
  }

  async advance(entries: CursorAdvance[]): Promise<void> {
    // One statement per (conversation, seq): a group message delivered to many members is one update.
    const groups = new Map<string, { conv: string; seq: number; users: number[] }>();
    for (const e of entries) {
      const key = `${e.conversation_id}\u0000${e.seq}`;
      const g = groups.get(key) ?? { conv: e.conversation_id, seq: e.seq, users: [] };
      g.users.push(e.user_id);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const [a, b] = g.users as [number, number?];
      if (g.users.length === 1) {
        await advanceOne(this.ctx, g.seq, g.conv, a);
        continue;
      }
      if (g.users.length === 2) {
        await advanceTwo(this.ctx, g.seq, g.conv, a, b as number);
        continue;
      }
      await this.ctx.db
        .updateTable('conversation_member')
        .set({ delivered_seq: g.seq })
        .where('conversation_id', '=', g.conv)
        .where('user_id', 'in', g.users)
        .where('delivered_seq', '<', g.seq)
        .execute();
    }
  }

  pending(userId: number, afterId: number, limit: number): Promise<StoredMessage[]> {
    return this.ctx.db
      .selectFrom('conversation_member as cm')
      .innerJoin('message', (j) =>
        j.onRef('message.conversation_id', '=', 'cm.conversation_id').onRef('message.seq', '>', 'cm.delivered_seq'),
      )
      .select(STORED)
      .where('cm.user_id', '=', userId)
      .where((eb) => eb.or([eb('cm.left_seq', 'is', null), eb('message.seq', '<=', eb.ref('cm.left_seq'))]))
      .where('message.id', '>', afterId)
      .where((eb) => eb.or([eb('message.sender_id', 'is', null), eb('message.sender_id', '<>', userId)]))
      .orderBy('message.id')
      .limit(limit)
      .execute();
  }

  range(conversationId: string, fromSeq: number, toSeq: number): Promise<StoredMessage[]> {
    return this.ctx.db
      .selectFrom('message')
      .select(STORED)
      .where('conversation_id', '=', conversationId)
      .where('seq', '>', fromSeq)
      .where('seq', '<=', toSeq)
      .orderBy('seq')
      .execute();
  }

  async purgeBefore(cutoff: number, limit: number): Promise<number> {
    const { db, quirks } = this.ctx;
    const res = quirks.deleteWithLimit
      ? await db.deleteFrom('message').where('create_time', '<', cutoff).limit(limit).executeTakeFirst()
      : await db
          .deleteFrom('message')
          .where('id', 'in', (eb) => eb.selectFrom('message').select('id').where('create_time', '<', cutoff).limit(limit))
          .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async countAllPending(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('conversation_member as cm')
      .innerJoin('message', (j) =>
        j.onRef('message.conversation_id', '=', 'cm.conversation_id').onRef('message.seq', '>', 'cm.delivered_seq'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('message.revoked', '=', 0)
      .where((eb) => eb.or([eb('cm.left_seq', 'is', null), eb('message.seq', '<=', eb.ref('cm.left_seq'))]))
      .where((eb) => eb.or([eb('message.sender_id', 'is', null), eb('message.sender_id', '<>', eb.ref('cm.user_id'))]))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async countPending(userId: number): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('conversation_member as cm')
      .innerJoin('message', (j) =>
        j.onRef('message.conversation_id', '=', 'cm.conversation_id').onRef('message.seq', '>', 'cm.delivered_seq'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cm.user_id', '=', userId)
      .where('message.revoked', '=', 0)
      .where((eb) => eb.or([eb('cm.left_seq', 'is', null), eb('message.seq', '<=', eb.ref('cm.left_seq'))]))
      .where((eb) => eb.or([eb('message.sender_id', 'is', null), eb('message.sender_id', '<>', userId)]))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
