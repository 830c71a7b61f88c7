import { randomUUID } from 'node:crypto';
import { chatRuleFor } from '../domain/chatset.js';
import type { Clock } from '../domain/clock.js';
import { ValidationError } from '../domain/errors.js';
import { failure } from '../domain/failures.js';
import { FriendStatus } from '../domain/friend.js';
import { MemberStatus, groupObject, memberAvatar, memberName } from '../domain/group.js';
import { Conversation, chatMessage, decodeOptions, systemNotice, type ChatMessage, type ChatType } from '../domain/message.js';
import type { SendInput } from '../domain/send.js';
import { UserStatus, displayName, type User } from '../domain/user.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Repos, Store } from '../store/port.js';
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

export type { SendInput } from '../domain/send.js';

/** A stored message and its place: its conversation and sequence number there. */
interface Sent {
  message: ChatMessage;
  conversation: string;
  seq: number;
  /** The sender is pushed it too (a message to oneself); otherwise the sender's cursor just passes it. */
  echo: boolean;
}

/** What a WebSocket send answers: the stored message, its place, and whether an earlier send with that client id had stored it. */
export interface SentOnce extends Sent {
  repeated: boolean;
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
    return (input.chatType === 'group' ? await this.sendGroup(me, input) : await this.sendSingle(me, input)).message;
  }

  /**
   * E20 with a client id (the WebSocket `send` frame, docs/protocol.md): the first send of a
   * (sender, cid) stores and pushes the message and records the cid in the same transaction;
   * any later one, on any node, stores nothing and answers the message stored then. A send that
   * failed recorded nothing, so sending it again is checked again. `stored` hears the answer
   * once, as soon as it is known: for a new message, after the COMMIT and before the push.
   *
   * A send marked `resend` is looked up first, so it is answered with the stored message even if
   * the rules would refuse it now. An unmarked one is checked and stored straight away (no read
   * before it: the common case pays nothing for idempotency); if its cid was recorded already,
   * the record's key refuses the write and the stored message is the answer.
   */
  async sendOnce(
    me: User,
    cid: string,
    input: SendInput,
    stored: (sent: SentOnce) => void = () => undefined,
    o: { resend?: boolean } = {},
  ): Promise<SentOnce> {
    const earlier = o.resend ? await this.earlier(me, cid) : undefined;
    if (earlier) {
      stored(earlier);
      return earlier;
    }
    const committed = (s: Sent) => stored({ ...s, repeated: false });
    try {
      const sent =
        input.chatType === 'group' ? await this.sendGroup(me, input, cid, committed) : await this.sendSingle(me, input, cid, committed);
      return { ...sent, repeated: false };
    } catch (e) {
      // The cid was recorded already: an earlier send, or a concurrent one (another socket, another node) committed first.
      const raced = isUniqueViolation(e) ? await this.earlier(me, cid) : undefined;
      if (!raced) throw e;
      stored(raced);
      return raced;
    }
  }

  private async earlier(me: User, cid: string): Promise<SentOnce | undefined> {
    const r = await this.store.receipts.find(me.id, cid);
    if (!r) return undefined;
    const echo = r.conversation_id === Conversation.pair(me.id, me.id);
    return { message: JSON.parse(r.body) as ChatMessage, conversation: r.conversation_id, seq: r.seq, echo, repeated: true };
  }

  /** The receipt of a client id, written first in the message's transaction (its key settles concurrent resends). */
  private async receipt(tx: Repos, me: User, cid: string | undefined, conversation: string, message: ChatMessage): Promise<void> {
    if (cid === undefined) return;
    await tx.receipts.record({
      sender_id: me.id,
      cid,
      conversation_id: conversation,
      msg_id: message.id,
      create_time: message.create_time,
    });
  }

  /**
   * Group chat: one stored message for the group conversation, pushed to every other active
   * member. Two queries whatever the group size; no per-member database work on this path.
   */
  private async sendGroup(me: User, input: SendInput, cid?: string, committed?: (s: Sent) => void): Promise<Sent> {
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
    const out = toGroup(g.id, message, receivers, me.id);
    const place = (seq: number): Sent => ({ message, conversation: out.conversation, seq, echo: false });
    const write = cid === undefined ? undefined : (tx: Repos) => this.receipt(tx, me, cid, out.conversation, message);
    const { seq } = await this.delivery.commitOne(out, write, committed && ((seq) => committed(place(seq))));
    return place(seq);
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

  private async sendSingle(me: User, input: SendInput, cid?: string, committed?: (s: Sent) => void): Promise<Sent> {
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
    const out = toPair(me.id, to.id, message);
    const place = (seq: number): Sent => ({ message, conversation: out.conversation, seq, echo: self });
    const write = async (tx: Repos) => {
      await this.receipt(tx, me, cid, out.conversation, message);
      if (gate.count && !self) {
        const sent = await tx.counters.increment(me.id, to.id);
        if (gate.limitOne && sent > 1) throw failure('oneMessageOnly');
      }
    };
    const { seq } = await this.delivery.commitOne(out, write, committed && ((seq) => committed(place(seq))));
    return place(seq);
  }
}
