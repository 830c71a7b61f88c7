import { GroupStatus, MemberStatus, type Group, type MemberWithUser, type Membership } from '../../domain/group.js';
import type { GroupPatch, GroupRepo } from '../port.js';
import { insertReturningId, type Ctx } from './base.js';

const MEMBER = ['gu.id', 'gu.group_id', 'gu.user_id', 'gu.nickname', 'gu.avatar', 'gu.status', 'gu.order', 'gu.create_time'] as const;

export class GroupRepository implements GroupRepo {
  constructor(private readonly ctx: Ctx) {}

  private get db() {
    return this.ctx.db;
  }

  async hasActiveMembership(userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('group_user')
      .select('id')
      .where('user_id', '=', userId)
      .where('status', '=', MemberStatus.active)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async create(g: Pick<Group, 'uuid' | 'user_id' | 'name' | 'avatar'>, memberIds: number[], now: number): Promise<Group> {
    const id = await insertReturningId(this.ctx, 'group', {
      ...g,
      remark: '',
      invite_confirm: 0,
      status: GroupStatus.active,
      order: 50,
      create_time: now,
      update_time: now,
    });
    if (memberIds.length > 0) {
      await this.db
        .insertInto('group_user')
        .values(
          memberIds.map((user_id) => ({
            group_id: id,
            user_id,
            nickname: '',
            avatar: '',
            status: MemberStatus.active,
            order: 50,
            create_time: now,
            update_time: now,
          })),
        )
        .execute();
    }
    const group = await this.find(id);
    if (!group) throw new Error(`group ${id} vanished after insert`);
    return group;
  }

  find(id: number): Promise<Group | undefined> {
    return this.db.selectFrom('group').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async update(id: number, patch: GroupPatch, now: number): Promise<void> {
    await this.db
      .updateTable('group')
      .set({ ...patch, update_time: now })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('group').where('id', '=', id).execute();
  }

  members(groupId: number, status?: number): Promise<Membership[]> {
    let q = this.db.selectFrom('group_user as gu').select(MEMBER).where('gu.group_id', '=', groupId);
    if (status !== undefined) q = q.where('gu.status', '=', status);
    return q.orderBy('gu.id').execute();
  }

  async membersWithUsers(groupId: number, status?: number): Promise<MemberWithUser[]> {
    let q = this.db
      .selectFrom('group_user as gu')
      .innerJoin('user as u', 'u.id', 'gu.user_id')
      .select(MEMBER)
      .select(['u.username as u_username', 'u.avatar as u_avatar', 'u.nickname as u_nickname', 'u.uuid as u_uuid', 'u.role as u_role'])
      .where('gu.group_id', '=', groupId);
    if (status !== undefined) q = q.where('gu.status', '=', status);
    const rows = await q.orderBy('gu.id').execute();
    return rows.map(({ u_username, u_avatar, u_nickname, u_uuid, u_role, ...m }) => ({
      ...m,
      user: { id: m.user_id, username: u_username, avatar: u_avatar, nickname: u_nickname, uuid: u_uuid, role: u_role },
    }));
  }

  membership(groupId: number, userId: number): Promise<Membership | undefined> {
    return this.db
      .selectFrom('group_user as gu')
      .select(MEMBER)
      .where('gu.group_id', '=', groupId)
      .where('gu.user_id', '=', userId)
      .executeTakeFirst();
  }

  async listFor(userId: number, offset: number, limit: number): Promise<{ group: Group; membership: Membership }[]> {
    const rows = await this.db
      .selectFrom('group as g')
      .innerJoin('group_user as gu', 'gu.group_id', 'g.id')
      .selectAll('g')
      .select([
        'gu.id as m_id',
        'gu.nickname as m_nickname',
        'gu.avatar as m_avatar',
        'gu.status as m_status',
        'gu.order as m_order',
        'gu.create_time as m_create_time',
      ])
      .where('gu.user_id', '=', userId)
      .where('gu.status', '=', MemberStatus.active)
      .where('g.status', '=', GroupStatus.active)
      .orderBy('g.id', 'desc')
      .offset(offset)
      .limit(limit)
      .execute();
    return rows.map(({ m_id, m_nickname, m_avatar, m_status, m_order, m_create_time, ...group }) => ({
      group,
      membership: {
        id: m_id,
        group_id: group.id,
        user_id: userId,
        nickname: m_nickname,
        avatar: m_avatar,
        status: m_status,
        order: m_order,
        create_time: m_create_time,
      },
    }));
  }

  async addMember(groupId: number, userId: number, status: number, now: number): Promise<void> {
    await this.db
      .insertInto('group_user')
      .values({ group_id: groupId, user_id: userId, nickname: '', avatar: '', status, order: 50, create_time: now, update_time: now })
      .execute();
  }

  async setMember(groupId: number, userId: number, patch: Partial<Pick<Membership, 'status' | 'nickname'>>, now: number): Promise<void> {
    await this.db
      .updateTable('group_user')
      .set({ ...patch, update_time: now })
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .execute();
  }

  async removeMember(groupId: number, userId: number): Promise<number> {
    const res = await this.db.deleteFrom('group_user').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async firstAvatars(groupId: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_user as gu')
      .innerJoin('user as u', 'u.id', 'gu.user_id')
      .select(['gu.avatar', 'u.avatar as user_avatar'])
      .where('gu.group_id', '=', groupId)
      .where('gu.status', '=', MemberStatus.active)
      .orderBy('gu.id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.avatar || r.user_avatar || '');
  }

  async countActive(): Promise<number> {
    const row = await this.db
      .selectFrom('group')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', GroupStatus.active)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
