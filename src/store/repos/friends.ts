import { FriendStatus, type ContactRow, type FriendFlags, type FriendRow } from '../../domain/friend.js';
import type { FriendEntry, FriendRepo } from '../port.js';
import { eitherDirection, precompiled, type Ctx } from './base.js';

const FRIEND_COLUMNS = [
  'id',
  'user_id',
  'friend_id',
  'nickname',
  'friendlookme',
  'melookfriend',
  'ismystarfriend',
  'isblack',
  'status',
] as const;

const rowsOfPair = precompiled((db, a: number, b: number) =>
  db.selectFrom('goodfriend').select(FRIEND_COLUMNS).where(eitherDirection(a, b)),
);

/** Directed contact entries (`goodfriend`): one row per owner and friend, unique per pair. */
export class FriendRepository implements FriendRepo {
  constructor(private readonly ctx: Ctx) {}

  row(ownerId: number, friendId: number): Promise<FriendRow | undefined> {
    return this.ctx.db
      .selectFrom('goodfriend')
      .select(FRIEND_COLUMNS)
      .where('user_id', '=', ownerId)
      .where('friend_id', '=', friendId)
      .executeTakeFirst();
  }

  async pair(me: number, other: number): Promise<{ mine?: FriendRow; theirs?: FriendRow }> {
    const rows = await rowsOfPair(this.ctx, me, other);
    return {
      mine: rows.find((r) => r.user_id === me && r.friend_id === other),
      theirs: rows.find((r) => r.user_id === other && r.friend_id === me),
    };
  }

  async hasContacts(userId: number): Promise<boolean> {
    const row = await this.ctx.db
      .selectFrom('goodfriend')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', '=', FriendStatus.active)
      .where('isblack', '=', 0)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async addIfMissing(ownerId: number, friendId: number, remark: string, now: number): Promise<boolean> {
    const { db, quirks } = this.ctx;
    const q = db.insertInto('goodfriend').values({
      user_id: ownerId,
      friend_id: friendId,
      nickname: remark,
      friendlookme: 1,
      melookfriend: 1,
      ismystarfriend: 0,
      isblack: 0,
      status: FriendStatus.active,
      order: 50,
      create_time: now,
      update_time: now,
    });
    const res = await quirks.insertIgnore(q).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  contacts(ownerId: number, offset: number, limit: number): Promise<ContactRow[]> {
    return this.ctx.db
      .selectFrom('goodfriend as g')
      .innerJoin('user as u', 'u.id', 'g.friend_id')
      .select(['g.id', 'g.nickname', 'g.friend_id', 'u.username', 'u.avatar', 'u.nickname as friend_nickname', 'u.uuid'])
      .where('g.user_id', '=', ownerId)
      .orderBy('g.id')
      .offset(offset)
      .limit(limit)
      .execute();
  }

  async setFlags(row: FriendEntry, flags: FriendFlags, now: number): Promise<void> {
    await this.ctx.db
      .updateTable('goodfriend')
      .set({ ...flags, update_time: now })
      .where('id', '=', row.id)
      .execute();
  }

  async deletePair(a: number, b: number): Promise<void> {
    await this.ctx.db.deleteFrom('goodfriend').where(eitherDirection(a, b)).execute();
  }

  async friendIdsOfRows(ownerId: number, rowIds: number[]): Promise<number[]> {
    if (rowIds.length === 0) return [];
    const rows = await this.ctx.db
      .selectFrom('goodfriend')
      .select('friend_id')
      .where('user_id', '=', ownerId)
      .where('id', 'in', rowIds)
      .where('status', '=', FriendStatus.active)
      .where('isblack', '=', 0)
      .execute();
    return rows.map((r) => r.friend_id);
  }
}
