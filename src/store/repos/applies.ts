import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { ApplyRow, ApplyStatus, ApplyWithApplicant } from '../../domain/friend.js';
import type { ApplyRepo } from '../port.js';
import type { Database, GoodfriendApplyTable } from '../schema.js';
import { eitherDirection, insertReturningId, type Ctx } from './base.js';

const APPLY_COLUMNS = [
  'a.id',
  'a.user_id',
  'a.friend_id',
  'a.nickname',
  'a.friendlookme',
  'a.melookfriend',
  'a.ismystarfriend',
  'a.isblack',
  'a.status',
  'a.order',
  'a.create_time',
  'a.update_time',
] as const;

type Applications = ExpressionBuilder<Database & { a: GoodfriendApplyTable }, 'a'>;

/** `<applicant>:<target>` while an application is open (pending or agreed): at most one per pair. */
const activeKey = (applicantId: number, targetId: number): string => `${applicantId}:${targetId}`;

/** Friend applications (`goodfriendapply`). */
export class ApplyRepository implements ApplyRepo {
  constructor(private readonly ctx: Ctx) {}

  /** The first application that `where` selects. */
  private first(where: (eb: Applications) => Expression<SqlBool>): Promise<ApplyRow | undefined> {
    return this.ctx.db.selectFrom('goodfriendapply as a').select(APPLY_COLUMNS).where(where).executeTakeFirst();
  }

  open(applicantId: number, targetId: number): Promise<ApplyRow | undefined> {
    return this.first((eb) =>
      eb.and([eb('a.user_id', '=', applicantId), eb('a.friend_id', '=', targetId), eb('a.status', 'in', ['pending', 'agree'])]),
    );
  }

  create(applicantId: number, targetId: number, nickname: string, now: number): Promise<number> {
    return insertReturningId(this.ctx, 'goodfriendapply', {
      user_id: applicantId,
      friend_id: targetId,
      nickname,
      friendlookme: 1,
      melookfriend: 1,
      ismystarfriend: 0,
      isblack: 0,
      status: 'pending',
      active_key: activeKey(applicantId, targetId),
      order: 50,
      create_time: now,
      update_time: now,
    });
  }

  async forTarget(targetId: number, offset: number, limit: number): Promise<ApplyWithApplicant[]> {
    const rows = await this.ctx.db
      .selectFrom('goodfriendapply as a')
      .innerJoin('user as u', 'u.id', 'a.user_id')
      .select(APPLY_COLUMNS)
      .select(['u.username as u_username', 'u.avatar as u_avatar', 'u.nickname as u_nickname', 'u.uuid as u_uuid'])
      .where('a.friend_id', '=', targetId)
      .orderBy('a.id', 'desc')
      .offset(offset)
      .limit(limit)
      .execute();
    return rows.map(({ u_username, u_avatar, u_nickname, u_uuid, ...a }) => ({
      ...a,
      user: { id: a.user_id, username: u_username, avatar: u_avatar, nickname: u_nickname, uuid: u_uuid },
    }));
  }

  async countPending(targetId: number): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('goodfriendapply')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('friend_id', '=', targetId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  findPending(id: number, targetId: number): Promise<ApplyRow | undefined> {
    return this.first((eb) => eb.and([eb('a.id', '=', id), eb('a.friend_id', '=', targetId), eb('a.status', '=', 'pending')]));
  }

  async settle(id: number, status: ApplyStatus, now: number): Promise<boolean> {
    const row = await this.ctx.db
      .selectFrom('goodfriendapply')
      .select(['user_id', 'friend_id'])
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (!row) return false;
    // A refused or ignored application no longer blocks a new one.
    const open = status === 'pending' || status === 'agree';
    const res = await this.ctx.db
      .updateTable('goodfriendapply')
      .set({ status, update_time: now, active_key: open ? activeKey(row.user_id, row.friend_id) : null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 || status === 'pending';
  }

  async deleteBetween(a: number, b: number): Promise<void> {
    await this.ctx.db.deleteFrom('goodfriendapply').where(eitherDirection(a, b)).execute();
  }
}
