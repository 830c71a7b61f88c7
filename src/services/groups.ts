import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import {
  MemberStatus, composeGroupAvatar, composeGroupName, memberAvatar, memberName, type Group, type MemberWithUser,
  type Membership,
} from '../domain/group.js';
import { Conversation, noticeData, type ChatMessage } from '../domain/message.js';
import { UserStatus, displayName, type User } from '../domain/user.js';
import type { Store } from '../store/port.js';
import type { DeliveryService, Outgoing } from './delivery.js';
import { groupForLeave, groupObject, recomputeAvatar, toGroup, toUser } from './group-common.js';
import { failure, type FailureKey } from '../domain/failures.js';

export interface GroupOptions {
  tzOffsetMinutes: number;
}

export interface QrRequest {
  id: number;
  chatType: 'group' | 'single';
  /** `H5` for web clients: the code holds a link to the web front end at `http`. */
  h5: boolean;
  http: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Group life: create (E21), list (E23), info (E24), rename (E25), announce (E26), nickname (E27), leave or dissolve (E28), QR (E29), remove (E35), policy (E37). */
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
    const d = new Date(this.clock.now() + this.opts.tzOffsetMinutes * 60_000);
    return `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }

  /** A system notice from a member to the whole group. */
  private notice(g: Group, from: { id: number; name: string; avatar: string }, text: string, group: unknown): ChatMessage {
    return {
      id: randomUUID(),
      from_avatar: from.avatar,
      from_name: from.name,
      from_id: from.id,
      to_id: g.id,
      to_name: g.name,
      to_avatar: g.avatar ?? '',
      chatType: 'group',
      type: 'systemNotice',
      data: noticeData(text),
      options: {},
      create_time: this.clock.now(),
      isremove: 0,
      group,
    };
  }

  /** Everyone in `members`: active members through the group conversation, pending ones one by one. */
  private toMembers(g: Group, message: ChatMessage, members: Membership[]): Outgoing[] {
    const active = members.filter((m) => m.status === MemberStatus.active).map((m) => m.user_id);
    const others = members.filter((m) => m.status !== MemberStatus.active).map((m) => toUser(m.user_id, message));
    return [toGroup(g.id, message, active, null), ...others];
  }

  private async send(out: Outgoing[], write?: (tx: Parameters<Parameters<Store['transaction']>[0]>[0]) => Promise<void>): Promise<void> {
    const seqs = await this.store.transaction(async (tx) => {
      const s = await this.delivery.append(tx, out);
      if (write) await write(tx);
      return s;
    });
    this.delivery.publishAll(out, seqs);
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
    const seqs = await this.store.transaction(async (tx) => {
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
      await tx.messages.join(Conversation.group(g.id), 'group', people.map((u) => u.id), now);
      const text = `${displayName(me)}创建了一个群，大家可以开始聊天了`;
      const out = [toGroup(g.id, this.notice(g, { id: me.id, name: displayName(me), avatar: me.avatar ?? '' }, text, this.group(g)), people.map((u) => u.id), null)];
      return { out, seqs: await this.delivery.append(tx, out) };
    });
    this.delivery.publishAll(seqs.out, seqs.seqs);
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
    const group = await this.store.groups.find(id);
    const members = group && group.status === 1 ? await this.store.groups.membersWithUsers(id, MemberStatus.active) : [];
    if (!group || members.length === 0) throw failure('groupMissingOrBlocked');
    return { group, members };
  }

  private async ownedActive(me: User, id: number, refusal: FailureKey): Promise<Group> {
    const g = await this.store.groups.find(id);
    if (!g || g.status !== 1 || g.user_id !== me.id) throw failure(refusal);
    return g;
  }

  /** E25 / E26: the owner changes the name or the announcement; every member is told. */
  async update(me: User, id: number, change: { name: string } | { remark: string }): Promise<void> {
    const isName = 'name' in change;
    const g = await this.ownedActive(me, id, isName ? 'onlyOwnerRename' : 'onlyOwnerRemark');
    const now = this.clock.now();
    await this.store.groups.update(id, change, now);
    const members = await this.store.groups.members(id);
    const owner = members.find((m) => m.user_id === me.id);
    if (!owner) throw failure('cannotNotifyMembers');
    const updated = { ...g, ...change, update_time: now };
    const text = isName ? `群名称修改为：${change.name}` : `[公告] \n\n ${change.remark}`;
    const from = { id: me.id, name: memberName(owner, me), avatar: memberAvatar(owner, me) };
    await this.send(this.toMembers(updated, this.notice(updated, from, text, this.group(updated, members, 'short')), members));
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
    const mine = members.find((m) => m.user_id === me.id);
    if (!mine) throw failure('notInGroupAction');
    const group = groupForLeave(g, this.opts.tzOffsetMinutes, members);
    const from = { id: me.id, name: memberName(mine, me), avatar: memberAvatar(mine, me) };
    const conv = Conversation.group(id);
    if (g.user_id === me.id) {
      const message = this.notice(g, from, `群主于 ${this.localeTime()} 解散了该群`, group);
      await this.send(this.toMembers(g, message, members), async (tx) => {
        await tx.groups.delete(id);
        await tx.messages.leave(conv, 'all');
      });
      return;
    }
    const message = this.notice(g, from, `${from.name}于 ${this.localeTime()} 已退出群聊`, group);
    await this.send([toUser(g.user_id, message)], async (tx) => {
      await tx.groups.removeMember(id, me.id);
      await tx.messages.leave(conv, [me.id]);
    });
  }

  /** E37: the owner sets the join policy (0–10, spec §8.3). */
  async setPolicy(me: User, id: number, policy: number): Promise<void> {
    await this.ownedActive(me, id, 'groupNoRight');
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

  /** E29: a QR code (PNG) for joining a group I am in, or for adding a user as a friend. */
  async qrcode(me: User, q: QrRequest): Promise<Buffer> {
    const page = '#/pages/setpageInfo/setpageInfo?action=autoAddGroup';
    let text: string;
    if (q.chatType === 'single') {
      const u = await this.store.users.findById(q.id);
      if (!u || u.status !== UserStatus.active) throw failure('qrUserUnavailable');
      const name = displayName(u);
      text = q.h5
        ? `${q.http}${page}&title=${encodeURIComponent(`加用户[${name}]为好友`)}&id=${u.id}&chatType=single&name=${name}&avatar=${u.avatar ?? ''}`
        : JSON.stringify({ id: u.id, name, chatType: 'single' });
    } else {
      const g = await this.store.groups.find(q.id);
      const m = g && g.status === 1 ? await this.store.groups.membership(q.id, me.id) : undefined;
      if (!g || !m || m.status !== MemberStatus.active) throw failure('qrUnavailable');
      text = q.h5
        ? `${q.http}${page}&title=%E7%BE%A4%E4%BB%8B%E7%BB%8D&id=${g.id}&chatType=group&name=${g.name}`
        : JSON.stringify({ id: g.id, name: g.name });
    }
    // Loaded on first use: most nodes never draw a QR code, and it costs start-up time.
    const { default: QRCode } = await import('qrcode');
    return QRCode.toBuffer(text, { type: 'png', scale: 10, margin: 4, errorCorrectionLevel: 'M' });
  }
}
