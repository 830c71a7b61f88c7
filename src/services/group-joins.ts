import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import {
  JoinPolicy,
  MemberStatus,
  groupForApproval,
  groupForJoin,
  memberAvatar,
  memberName,
  type Group,
  type MemberWithUser,
  type Membership,
} from '../domain/group.js';
import type { DefaultImages } from '../domain/images.js';
import { Conversation, navigationNotice, systemNotice } from '../domain/message.js';
import { TEXT } from '../domain/texts.js';
import { UserStatus, displayName, type User } from '../domain/user.js';
import type { Repos, Store } from '../store/port.js';
import { activeGroup, ownedActiveGroup } from './access.js';
import { toGroup, toUser, type DeliveryService, type Outgoing } from './delivery.js';
import { recomputeAvatar } from './groups.js';

export interface JoinRequest {
  groupId: number;
  userId: number;
  desc: string;
}

const enc = encodeURIComponent;

/**
 * Joining groups (E36) and approving joins (E38) under the join policies of spec §8.3.
 * Unlike the seed, the caller's identity decides who invites (spec §11.9): a user may ask to
 * join for themself, an active member may invite others, and only the owner's own invitation
 * skips approval. The client's `inviteuser_id` is never trusted.
 */
export class GroupJoinService {
  constructor(
    private readonly store: Store,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
    private readonly opts: { tzOffsetMinutes: number; images: DefaultImages },
  ) {}

  /** "<label>[<joiner>] 加入了群聊" to `receivers` (every active member, the newcomer included); `group` as loaded before. */
  private joinedNotice(g: Group, group: unknown, receivers: number[], joiner: User, label: string): Outgoing {
    const now = this.clock.now();
    const message = systemNotice({
      id: randomUUID(),
      from: { id: `redirect-applyAddGroup${g.id}-${joiner.id}-${now}`, name: '加群申请提醒', avatar: this.opts.images.groupAvatar },
      to: { id: g.id, name: g.name, avatar: g.avatar ?? '' },
      chatType: 'group',
      text: `${label}[${displayName(joiner)}] 加入了群聊`,
      createTime: now,
      group,
    });
    return toGroup(g.id, message, receivers, null);
  }

  /** The request to the owner to approve a join (policy 1). */
  private approvalRequest(
    g: Group,
    before: MemberWithUser[],
    owner: User,
    ownerM: Membership | undefined,
    joiner: User,
    who: { self: boolean; inviter: string; label: string },
    desc: string,
  ): Outgoing {
    const { label } = who;
    const now = this.clock.now();
    const fromId = `redirect-applyAddGroup${g.id}-${joiner.id}-${now}`;
    const detail = {
      addGroupUserType: who.self ? '用户自主进群' : '邀请进群',
      // As the original: the label with its brackets and 邀请 taken out ("BobG " for "[BobG]邀请 ").
      inviteUser: who.self ? '' : label.replace('[', '').replace(']', '').replace('邀请', ''),
      addGroupTime: now,
      addGroupDesc: desc,
      addGroupUserRole: joiner.role,
      msgidKey: fromId,
    };
    const url =
      `/pages/setpageInfo/setpageInfo?action=applyAddGroup&title=${enc('加群申请')}&id=${g.id}&name=${enc(g.name)}` +
      `&avatar=${enc(g.avatar ?? '')}&chatType=group&applyUserid=${joiner.id}&applyUsername=${displayName(joiner)}` +
      `&applyUseruuid=${joiner.uuid}&applyUseravatar=${enc(joiner.avatar ?? '')}&applydesc=${enc(JSON.stringify(detail))}`;
    const to = { id: owner.id, name: memberName(ownerM, owner), avatar: memberAvatar(ownerM, owner) };
    return toUser(
      owner.id,
      navigationNotice(randomUUID(), to, now, {
        text: `请处理申请 ${label}[${displayName(joiner)}] 加入了群[${g.name}]`,
        fromName: '加群处理',
        fromId,
        fromAvatar: this.opts.images.groupAvatar,
        redirect: { type: 'navigateTo', desc: detail, url },
        group: groupForJoin(g, this.opts.tzOffsetMinutes, before),
      }),
    );
  }

  /** Makes the membership active and the user a reader of the group from now on. */
  private async admit(tx: Repos, g: Group, userId: number, insert: boolean): Promise<void> {
    const now = this.clock.now();
    if (insert) await tx.groups.addMember(g.id, userId, MemberStatus.active, now);
    else await tx.groups.setMember(g.id, userId, { status: MemberStatus.active }, now);
    await tx.messages.join(Conversation.group(g.id), 'group', [userId], now);
  }

  private commit(out: Outgoing[], write: (tx: Repos) => Promise<void>): Promise<void> {
    return this.delivery.commit(out, write, { onConflict: 'alreadyMember' });
  }

  /** E36: I join, or I invite someone; answers 加群成功 or 等待群主同意. */
  async join(me: User, r: JoinRequest): Promise<string> {
    const g = await activeGroup(this.store, r.groupId, 'groupUnavailableForJoin');
    const members = await this.store.groups.membersWithUsers(g.id);
    const self = r.userId === me.id;
    const inviterM = self ? undefined : members.find((m) => m.user_id === me.id);
    if (!self && inviterM?.status !== MemberStatus.active) throw failure('notInGroupAction');
    const existing = members.find((m) => m.user_id === r.userId);
    if (existing) throw failure(existing.status === MemberStatus.pending ? 'joinPending' : 'alreadyMember');
    const joiner = await this.store.users.findById(r.userId);
    if (!joiner || joiner.status !== UserStatus.active) throw failure('joinUserUnavailable');

    const inviter = self ? '' : memberName(inviterM, me);
    const label = self ? '' : me.role === 'user' ? `[${inviter}]邀请 ` : (inviterM?.nickname ?? '');
    const ownerInvite = !self && me.id === g.user_id;
    const policy = g.invite_confirm;
    if (policy === JoinPolicy.loginRequired && !ownerInvite && joiner.role === 'visitor') throw failure('loginToJoin');

    if (policy === JoinPolicy.approval && !ownerInvite) {
      const owner = await this.store.users.findById(g.user_id);
      const out = owner
        ? [
            this.approvalRequest(
              g,
              members,
              owner,
              members.find((m) => m.user_id === g.user_id),
              joiner,
              { self, inviter, label },
              r.desc,
            ),
          ]
        : [];
      await this.commit(out, (tx) => tx.groups.addMember(g.id, joiner.id, MemberStatus.pending, this.clock.now()));
      return TEXT.waitForOwner;
    }
    const now = this.clock.now();
    const receivers = [...members.filter((m) => m.status === MemberStatus.active).map((m) => m.user_id), joiner.id];
    const group = groupForJoin(g, this.opts.tzOffsetMinutes, members);
    const out = policy <= JoinPolicy.loginRequired ? [this.joinedNotice(g, group, receivers, joiner, label)] : [];
    await this.commit(out, async (tx) => {
      await this.admit(tx, g, joiner.id, true);
      await recomputeAvatar(tx, g.id, now);
    });
    return TEXT.joined;
  }

  /** E38: the owner admits or turns away a pending member; admission is announced to the group. */
  async decide(me: User, groupId: number, userId: number, agree: boolean): Promise<void> {
    const g = await ownedActiveGroup(this.store, me, groupId, 'groupNoRight');
    const active = await this.store.groups.members(groupId, MemberStatus.active);
    if (active.length === 0) throw failure('groupNoRight');
    const m = await this.store.groups.membership(groupId, userId);
    if (!m || m.status !== MemberStatus.pending) throw failure('illegalOperation');
    // Checked before anything changes (the seed answered 400 after changing data).
    const joiner = await this.store.users.findById(userId);
    if (!joiner || joiner.status !== UserStatus.active) throw failure('joinUserGone');
    if (!agree) {
      await this.store.groups.removeMember(groupId, userId);
      return;
    }
    const now = this.clock.now();
    const group = groupForApproval(g, this.opts.tzOffsetMinutes, active);
    const out = [this.joinedNotice(g, group, [...active.map((a) => a.user_id), userId], joiner, '')];
    await this.commit(out, async (tx) => {
      await this.admit(tx, g, userId, false);
      await recomputeAvatar(tx, g.id, now);
    });
  }
}
