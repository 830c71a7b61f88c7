import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import {
  GROUP_AVATAR_TILES,
  MemberStatus,
  composeGroupAvatar,
  composeGroupName,
  groupForLeave,
  groupObject,
  memberAvatar,
  memberName,
  type Group,
  type MemberWithUser,
  type Membership,
} from '../domain/group.js';
import { Conversation, systemNotice, type ChatMessage, type Party } from '../domain/message.js';
import { formatLocal } from '../domain/time.js';
import { displayName, type User } from '../domain/user.js';
import type { Repos, Store } from '../store/port.js';
import { activeGroup, membershipOf, ownedActiveGroup } from './access.js';
import { toGroup, toUser, type DeliveryService, type Outgoing } from './delivery.js';

export interface GroupOptions {
  tzOffsetMinutes: number;
}

/** Group life: create (E21), list (E23), info (E24), rename (E25), announce (E26), nickname (E27), leave or dissolve (E28), remove (E35), policy (E37). */
export class GroupService {
  constructor(
    private readonly store: Store,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
    private readonly opts: GroupOptions,
  ) {}

  private group(g: Group, members?: Membership[], fields: 'full' | 'short' = 'full') {
    return groupObject(g, this.opts.tzOffsetMinutes, members, fields);
  }

  /** The server's local date and time as the seed printed it (`2025/9/12 10:05:03`). */
  private localeTime(): string {
    return formatLocal(this.clock.now(), this.opts.tzOffsetMinutes, 'YYYY/M/D HH:mm:ss');
  }

  /** A system notice from a member to the whole group. */
  private notice(g: Group, from: Party, text: string, group: unknown): ChatMessage {
    return systemNotice({
      id: randomUUID(),
      from,
      to: { id: g.id, name: g.name, avatar: g.avatar ?? '' },
      chatType: 'group',
      text,
      createTime: this.clock.now(),
      group,
    });
  }

  /** Everyone in `members`: active members through the group conversation, pending ones one by one. */
  private toMembers(g: Group, message: ChatMessage, members: Membership[]): Outgoing[] {
    const active = members.filter((m) => m.status === MemberStatus.active).map((m) => m.user_id);
    const others = members.filter((m) => m.status !== MemberStatus.active).map((m) => toUser(m.user_id, message));
    return [toGroup(g.id, message, active, null), ...others];
  }

  /** E21: a group of me and the chosen contacts (entry ids of my own contact list). */
  async create(me: User, entryIds: string[]): Promise<void> {
    const ids = [...new Set(entryIds.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647))];
    const friendIds = await this.store.friends.friendIdsOfRows(me.id, ids);
    if (friendIds.length === 0) throw failure('pickGroupUsers');
    const friends = (await this.store.users.findActiveByIds(friendIds)).filter((u) => u.id !== me.id);
    if (friends.length === 0) throw failure('groupUsersMissing');
    const people = [me, ...friends];
    const now = this.clock.now();
    const text = `${displayName(me)}创建了一个群，大家可以开始聊天了`;
    const from = { id: me.id, name: displayName(me), avatar: me.avatar ?? '' };
    await this.delivery.commit(
      (g: Group) => [
        toGroup(
          g.id,
          this.notice(g, from, text, this.group(g)),
          people.map((u) => u.id),
          null,
        ),
      ],
      async (tx) => {
        const g = await tx.groups.create(
          {
            uuid: randomUUID(),
            user_id: me.id,
            name: composeGroupName(people.map(displayName)),
            avatar: composeGroupAvatar(people.map((u) => u.avatar ?? '')),
          },
          people.map((u) => u.id),
          now,
        );
        await tx.messages.reset(Conversation.group(g.id));
        await tx.messages.join(
          Conversation.group(g.id),
          'group',
          people.map((u) => u.id),
          now,
        );
        return g;
      },
    );
  }

  /** E23: active groups I am an active member of, newest first. */
  async list(me: User, page: number, limit: number) {
    const rows = await this.store.groups.listFor(me.id, (page - 1) * limit, limit);
    return rows.map(({ group, membership: m }) => {
      const { update_time: _u, ...g } = this.group(group);
      return { ...g, group_users: [{ group_id: m.group_id, user_id: m.user_id, nickname: m.nickname, avatar: m.avatar }] };
    });
  }

  /** E24: an active group with its active members and their profiles (readable by anyone signed in, to preview before joining). */
  async info(id: number): Promise<{ group: Group; members: MemberWithUser[] }> {
    const group = await activeGroup(this.store, id, 'groupMissingOrBlocked');
    const members = await this.store.groups.membersWithUsers(id, MemberStatus.active);
    if (members.length === 0) throw failure('groupMissingOrBlocked');
    return { group, members };
  }

  /** E25 / E26: the owner changes the name or the announcement; every member is told. */
  async update(me: User, id: number, change: { name: string } | { remark: string }): Promise<void> {
    const isName = 'name' in change;
    const g = await ownedActiveGroup(this.store, me, id, isName ? 'onlyOwnerRename' : 'onlyOwnerRemark');
    const now = this.clock.now();
    const members = await this.store.groups.members(id);
    const owner = membershipOf(members, me, 'cannotNotifyMembers');
    const updated = { ...g, ...change, update_time: now };
    const text = isName ? `群名称修改为：${change.name}` : `[公告] \n\n ${change.remark}`;
    const from = { id: me.id, name: memberName(owner, me), avatar: memberAvatar(owner, me) };
    const notice = this.notice(updated, from, text, this.group(updated, members, 'short'));
    // The change and its notice commit together.
    await this.delivery.commit(this.toMembers(updated, notice, members), (tx) => tx.groups.update(id, change, now));
  }

  /** E27: my name inside the group. */
  async setNickname(me: User, id: number, nickname: string): Promise<void> {
    const m = await this.store.groups.membership(id, me.id);
    if (!m || m.status !== MemberStatus.active) throw failure('notInGroupNickname');
    await this.store.groups.setMember(id, me.id, { nickname }, this.clock.now());
  }

  /** E28: the owner dissolves the group (everyone is told); a member leaves it (the owner is told). */
  async leaveOrDissolve(me: User, id: number): Promise<void> {
    const g = await this.store.groups.find(id);
    if (!g) throw failure('groupMissing');
    const members = await this.store.groups.membersWithUsers(id);
    const mine = membershipOf(members, me, 'notInGroupAction');
    const group = groupForLeave(g, this.opts.tzOffsetMinutes, members);
    const from = { id: me.id, name: memberName(mine, me), avatar: memberAvatar(mine, me) };
    const conv = Conversation.group(id);
    if (g.user_id === me.id) {
      const message = this.notice(g, from, `群主于 ${this.localeTime()} 解散了该群`, group);
      await this.delivery.commit(
        this.toMembers(g, message, members),
        async (tx) => {
          await tx.groups.delete(id);
          await tx.messages.leave(conv, 'all');
        },
        { messagesFirst: true },
      );
      return;
    }
    const message = this.notice(g, from, `${from.name}于 ${this.localeTime()} 已退出群聊`, group);
    await this.delivery.commit(
      [toUser(g.user_id, message)],
      async (tx) => {
        await tx.groups.removeMember(id, me.id);
        await tx.messages.leave(conv, [me.id]);
      },
      { messagesFirst: true },
    );
  }

  /** E37: the owner sets the join policy (0–10, spec §8.3). */
  async setPolicy(me: User, id: number, policy: number): Promise<void> {
    await ownedActiveGroup(this.store, me, id, 'groupNoRight');
    await this.store.groups.update(id, { invite_confirm: policy }, this.clock.now());
  }

  /** E35: the owner removes a member (any status); the avatar follows. */
  async removeMember(me: User, groupId: number, userId: number): Promise<void> {
    const g = await this.store.groups.find(groupId);
    if (!g || g.user_id !== me.id) throw failure('onlyOwner');
    if (userId === me.id) throw failure('ownerCannotRemoveSelf');
    const now = this.clock.now();
    await this.store.transaction(async (tx) => {
      await tx.groups.removeMember(groupId, userId);
      await tx.messages.leave(Conversation.group(groupId), [userId]);
      await recomputeAvatar(tx, groupId, now);
    });
  }
}

/** Recomputes the group avatar from its first active members (spec §8.4); returns it. */
export async function recomputeAvatar(tx: Repos, groupId: number, now: number): Promise<string | undefined> {
  const avatars = await tx.groups.firstAvatars(groupId, GROUP_AVATAR_TILES);
  if (avatars.length === 0) return undefined;
  const avatar = composeGroupAvatar(avatars);
  await tx.groups.update(groupId, { avatar }, now);
  return avatar;
}
