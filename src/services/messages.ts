import { randomUUID } from 'node:crypto';
import { chatRuleFor } from '../domain/chatset.js';
import type { Clock } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { Conversation, decodeOptions, type ChatMessage, type ChatType } from '../domain/message.js';
import { MSG } from '../domain/messages.js';
import { UserStatus, type User } from '../domain/user.js';
import type { Store } from '../store/port.js';
import type { DeliveryService, Outgoing } from './delivery.js';

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
  ) {}

  /** E20: stores and pushes a message; answers the message object. */
  async send(me: User, input: SendInput): Promise<ChatMessage> {
    if (input.chatType === 'group') throw new AppError('not_found', MSG.groupUnavailable);
    return this.sendSingle(me, input);
  }

  /** E22: everything waiting for the caller is pushed to their socket, in order, once. */
  async fetchOffline(me: User): Promise<void> {
    await this.delivery.requestDrain(me.id);
  }

  private async gate(me: User, to: User): Promise<Gate> {
    const isVisitor = me.role === 'visitor';
    const rule = chatRuleFor(to.userset, isVisitor ? 'visitor' : 'user');
    const theirs = await this.store.friends.row(to.id, me.id);
    if (isVisitor) {
      if (rule.sendCount === 0) {
        if (theirs && theirs.isblack !== 0) throw new AppError('forbidden', MSG.visitorBlacklisted);
        if (theirs && theirs.status !== 1) throw new AppError('forbidden', MSG.visitorSystemBlocked);
        if (!theirs) throw new AppError('forbidden', MSG.visitorNotFriend);
      }
      return { count: true, limitOne: rule.sendCount === 1, fromRemark: '', toRemark: '' };
    }
    if (theirs && theirs.isblack !== 0) throw new AppError('forbidden', MSG.userBlacklisted);
    if (theirs && theirs.status !== 1) throw new AppError('forbidden', MSG.userSystemBlocked);
    if (!theirs && rule.sendCount === 0) throw new AppError('forbidden', MSG.friendsOnly);
    const mine = await this.store.friends.row(me.id, to.id);
    return {
      count: !theirs,
      limitOne: !theirs && rule.sendCount === 1,
      fromRemark: theirs?.nickname ?? '',
      toRemark: mine?.nickname ?? '',
    };
  }

  private async sendSingle(me: User, input: SendInput): Promise<ChatMessage> {
    const to = await this.store.users.findById(input.sendto_id);
    if (!to || to.status !== UserStatus.active) throw new AppError('not_found', MSG.recipientGone);
    const gate = await this.gate(me, to);
    const message: ChatMessage = {
      id: randomUUID(),
      from_avatar: me.avatar ?? '',
      from_name: gate.fromRemark || me.nickname || me.username,
      from_id: me.id,
      to_id: to.id,
      to_name: gate.toRemark || to.nickname || to.username,
      to_avatar: to.avatar ?? '',
      chatType: 'single',
      type: input.type,
      data: input.data,
      options: decodeOptions(input.options),
      create_time: this.clock.now(),
      isremove: 0,
      sendUUid: me.uuid,
    };
    const self = to.id === me.id;
    const out: Outgoing = {
      conversation: Conversation.pair(me.id, to.id),
      kind: 'single',
      members: self ? [me.id] : [me.id, to.id],
      senderId: self ? null : me.id,
      receivers: [to.id],
      message,
    };
    const seqs = await this.store.transaction(async (tx) => {
      if (gate.count && !self) {
        const sent = await tx.counters.increment(me.id, to.id);
        if (gate.limitOne && sent > 1) throw new AppError('forbidden', MSG.oneMessageOnly);
      }
      return this.delivery.append(tx, [out]);
    });
    this.delivery.publishAll([out], seqs);
    return message;
  }
}
