import { randomUUID } from 'node:crypto';
import { chatRuleFor } from '../domain/chatset.js';
import type { Clock } from '../domain/clock.js';
import { ValidationError } from '../domain/errors.js';
import { failure } from '../domain/failures.js';
import { FriendStatus } from '../domain/friend.js';
import { MemberStatus, groupObject, memberAvatar, memberName } from '../domain/group.js';
import { Conversation, chatMessage, decodeOptions, systemNotice, type ChatMessage, type ChatType } from '../domain/message.js';
import { UserStatus, displayName, type User } from '../domain/user.js';
import type { Store } from '../store/port.js';
import { activeGroup, isActive, membershipOf } from './access.js';
import { toGroup, toPair, toUser, type DeliveryService, type Outgoing } from './delivery.js';

export interface RevokeInput {
  to_id: number;
  to_name: string;
  to_avatar: string;
  id: string;
  chatType: ChatType;
  create_time: number;
}

/** Messages can be revoked for this long after they were sent. */
const REVOKE_WINDOW_MS = 5 * 60_000;

export interface SendInput {
  sendto_id: number;
  chatType: ChatType;
  type: string;
  data: string;
  options: string;
}

/** What the single-chat gate of spec §8.1 decided about the one-message counter. */
interface Gate {
  /** Count this message towards "messages sent before friendship". */
  count: boolean;
  /** Refuse when the count would exceed one. */
  limitOne: boolean;
  /** The recipient's remark for the sender, and the sender's for the recipient (user senders only). */
  fromRemark: string;
  toRemark: string;
}

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
    private readonly opts: { tzOffsetMinutes: number },
  ) {}

  /** E20: stores and pushes a message; answers the message object. */
  async send(me: User, input: SendInput): Promise<ChatMessage> {
    return input.chatType === 'group' ? this.sendGroup(me, input) : this.sendSingle(me, input);
  }

  /**
   * Group chat: one stored message for the group conversation, pushed to every other active
   * member. Two queries whatever the group size; no per-member database work on this path.
   */
  private async sendGroup(me: User, input: SendInput): Promise<ChatMessage> {
    const found = await this.store.groups.find(input.sendto_id);
    const members = isActive(found) ? await this.store.groups.members(found.id, MemberStatus.active) : [];
    if (!found || members.length === 0) throw failure('groupUnavailable');
    const g = found;
    const mine = membershipOf(members, me, 'notInGroup');
    const message = chatMessage({
      id: randomUUID(),
      from: { id: me.id, name: memberName(mine, me), avatar: memberAvatar(mine, me) },
      to: { id: g.id, name: g.name, avatar: g.avatar ?? '' },
      chatType: 'group',
      type: input.type,
      data: input.data,
      options: decodeOptions(input.options),
      createTime: this.clock.now(),
      group: groupObject(g, this.opts.tzOffsetMinutes, members),
      sendUUid: me.uuid,
    });
    const receivers = members.filter((m) => m.user_id !== me.id).map((m) => m.user_id);
    await this.delivery.commit([toGroup(g.id, message, receivers, me.id)]);
    return message;
  }

  /**
   * E32: a revoke notice for a message I sent less than 5 minutes ago, checked against the stored
   * message (not the client's word); the stored message is marked and no longer delivered.
   */
  async revoke(me: User, r: RevokeInput): Promise<ChatMessage> {
    const now = this.clock.now();
    if (r.create_time > now || r.create_time < 1_000_000_000_000) {
      // The seed's rule for this parameter is 10^12 ≤ create_time ≤ now, checked as validation.
      const err = `消息发送时间 的数值 必须 在 1000000000000 和 ${now} 之间`;
      throw new ValidationError([{ key: 'create_time', desc: '消息发送时间', type: 'int', value: r.create_time, err: [err] }]);
    }
    if (now - r.create_time > REVOKE_WINDOW_MS) throw failure('revokeTooLate');
    let name = displayName(me);
    let avatar = me.avatar ?? '';
    let out: (m: ChatMessage) => Outgoing[];
    let conversation: string;
    if (r.chatType === 'group') {
      const g = await activeGroup(this.store, r.to_id, 'groupMissing');
      const members = await this.store.groups.members(g.id);
      const mine = membershipOf(members, me, 'notInGroupAction');
      name = `${memberName(mine, me)} `;
      avatar = memberAvatar(mine, me);
      conversation = Conversation.group(g.id);
      const active = members.filter((m) => m.status === MemberStatus.active).map((m) => m.user_id);
      const others = members.filter((m) => m.status !== MemberStatus.active).map((m) => m.user_id);
      out = (m) => [toGroup(g.id, m, active, null), ...others.map((u) => toUser(u, m))];
    } else {
      conversation = Conversation.pair(me.id, r.to_id);
      out = (m) => [toPair(me.id, r.to_id, m)];
    }
    const stored = await this.store.messages.find(conversation, r.id);
    if (!stored || stored.sender_id !== me.id) throw failure('revokeNotFound');
    if (now - stored.create_time > REVOKE_WINDOW_MS) throw failure('revokeTooLate');
    const notice = systemNotice({
      id: r.id,
      from: { id: me.id, name: name.trim(), avatar },
      to: { id: r.to_id, name: r.to_name, avatar: r.to_avatar },
      chatType: r.chatType,
      actionType: 'revoke',
      text: `${name}撤回了一条消息`,
      createTime: now,
      group: null,
    });
    await this.delivery.commit(out(notice), (tx) => tx.messages.markRevoked(conversation, r.id));
    return notice;
  }

  /** E22: everything waiting for the caller is pushed to their socket, in order, once. */
  async fetchOffline(me: User): Promise<void> {
    await this.delivery.requestDrain(me.id);
  }

  private async gate(me: User, to: User): Promise<Gate> {
    const isVisitor = me.role === 'visitor';
    const rule = chatRuleFor(to.userset, isVisitor ? 'visitor' : 'user');
    const { mine, theirs } = await this.store.friends.pair(me.id, to.id);
    if (isVisitor) {
      if (rule.sendCount === 0) {
        if (theirs && theirs.isblack !== 0) throw failure('visitorBlacklisted');
        if (theirs && theirs.status !== FriendStatus.active) throw failure('visitorSystemBlocked');
        if (!theirs) throw failure('visitorNotFriend');
      }
      return { count: true, limitOne: rule.sendCount === 1, fromRemark: '', toRemark: '' };
    }
    if (theirs && theirs.isblack !== 0) throw failure('userBlacklisted');
    if (theirs && theirs.status !== FriendStatus.active) throw failure('userSystemBlocked');
    if (!theirs && rule.sendCount === 0) throw failure('friendsOnly');
    return {
      count: !theirs,
      limitOne: !theirs && rule.sendCount === 1,
      fromRemark: theirs?.nickname ?? '',
      toRemark: mine?.nickname ?? '',
    };
  }

  private async sendSingle(me: User, input: SendInput): Promise<ChatMessage> {
    const to = await this.store.users.findById(input.sendto_id);
    if (!to || to.status !== UserStatus.active) throw failure('recipientGone');
    const gate = await this.gate(me, to);
    const message = chatMessage({
      id: randomUUID(),
      from: { id: me.id, name: gate.fromRemark || me.nickname || me.username, avatar: me.avatar ?? '' },
      to: { id: to.id, name: gate.toRemark || to.nickname || to.username, avatar: to.avatar ?? '' },
      chatType: 'single',
      type: input.type,
      data: input.data,
      options: decodeOptions(input.options),
      createTime: this.clock.now(),
      sendUUid: me.uuid,
    });
    const self = to.id === me.id;
    await this.delivery.commit([toPair(me.id, to.id, message)], async (tx) => {
      if (gate.count && !self) {
        const sent = await tx.counters.increment(me.id, to.id);
        if (gate.limitOne && sent > 1) throw failure('oneMessageOnly');
      }
    });
    return message;
  }
}
