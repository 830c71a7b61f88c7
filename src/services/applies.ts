import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { Conversation, noticeData, noticeMessage, type ChatMessage } from '../domain/message.js';
import { TEXT } from '../domain/texts.js';
import { DEFAULT_GROUP_AVATAR, UserStatus, displayName, type User } from '../domain/user.js';
import { isUniqueViolation } from '../store/errors.js';
import type { ApplyRow, ApplyStatus, ApplyWithApplicant } from '../domain/friend.js';
import type { Repos, Store } from '../store/port.js';
import type { DeliveryService, Outgoing } from './delivery.js';
import { failure } from '../domain/failures.js';

const notice = (to: number, message: ChatMessage): Outgoing => ({
  conversation: Conversation.notices(to),
  kind: 'notice',
  members: [to],
  senderId: null,
  receivers: [to],
  message,
});

/** Friend applications: apply (E05), list (E06), handle (E07), check (E17), instant add (E40). */
export class ApplyService {
  constructor(
    private readonly store: Store,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
  ) {}

  private async target(me: User, friendId: number): Promise<User> {
    if (friendId === me.id) throw failure('cannotAddSelf');
    const target = await this.store.users.findById(friendId);
    if (!target || target.status !== UserStatus.active) throw failure('friendTargetMissing');
    return target;
  }

  private async create(tx: Repos, me: User, target: User, nickname: string): Promise<number> {
    try {
      return await tx.applies.create(me.id, target.id, nickname, this.clock.now());
    } catch (e) {
      if (isUniqueViolation(e)) throw failure('alreadyApplied');
      throw e;
    }
  }

  /** E05: a pending application, and a notice to the target. */
  async apply(me: User, friendId: number, nickname: string): Promise<void> {
    const target = await this.target(me, friendId);
    if (await this.store.applies.open(me.id, target.id)) throw failure('alreadyApplied');
    const fromId = `redirect-applyFriend-${me.id}`;
    const message = noticeMessage(randomUUID(), { id: target.id, name: displayName(target), avatar: target.avatar ?? '' }, this.clock.now(), {
      text: `用户[${displayName(me)}]申请添加您为好友，请尽快处理`,
      fromName: '好友申请提醒',
      fromId,
      fromAvatar: DEFAULT_GROUP_AVATAR,
      redirect: { url: '/pages/applyMyfriend/applyMyfriend', type: 'navigateTo' },
      noGroup: true,
    });
    const out = [notice(target.id, message)];
    const seqs = await this.store.transaction(async (tx) => {
      await this.create(tx, me, target, nickname);
      return this.delivery.append(tx, out);
    });
    this.delivery.publishAll(out, seqs);
  }

  /** E06: applications addressed to me, newest first, and how many are pending. */
  async list(me: User, page: number, limit: number): Promise<{ rows: ApplyWithApplicant[]; pending: number }> {
    const [rows, pending] = await Promise.all([
      this.store.applies.forTarget(me.id, (page - 1) * limit, limit),
      this.store.applies.countPending(me.id),
    ]);
    return { rows, pending };
  }

  /**
   * The pair of "we are friends now" notices (E07, E40): one to each side, sharing one id.
   * `remark` is the name the accepting side gives the other.
   */
  private friendsNow(me: User, other: User, remark: string): Outgoing[] {
    const id = randomUUID();
    const now = this.clock.now();
    const otherName = remark || displayName(other);
    const base = { chatType: 'single' as const, type: 'systemNotice', data: noticeData(TEXT.friendsNow), options: {}, create_time: now, isremove: 0 as const };
    return [
      notice(other.id, { ...base, id, from_avatar: me.avatar ?? '', from_name: displayName(me), from_id: me.id, to_id: other.id, to_name: otherName, to_avatar: other.avatar ?? '' }),
      notice(me.id, { ...base, id, from_avatar: other.avatar ?? '', from_name: otherName, from_id: other.id, to_id: me.id, to_name: displayName(me), to_avatar: me.avatar ?? '' }),
    ];
  }

  /**
   * Both contact entries, each only if missing. Rows are written lower user id first, so two
   * users befriending each other at the same moment lock them in the same order.
   */
  private async befriend(tx: Repos, me: User, other: User, myRemark: string): Promise<void> {
    const now = this.clock.now();
    const rows: [number, number, string][] = [
      [me.id, other.id, myRemark],
      [other.id, me.id, me.nickname],
    ];
    if (other.id < me.id) rows.reverse();
    for (const [owner, friend, remark] of rows) await tx.friends.addIfMissing(owner, friend, remark, now);
  }

  /** E07: settles an application addressed to me; on agreement both sides become friends. */
  async handle(me: User, id: number, status: ApplyStatus, remark: string): Promise<void> {
    const apply = await this.store.applies.findPending(id, me.id);
    const applicant = apply && (await this.store.users.findById(apply.user_id));
    if (!apply || !applicant) throw failure('applyNotFound');
    const out = status === 'agree' ? this.friendsNow(me, applicant, remark) : [];
    const seqs = await this.store
      .transaction(async (tx) => {
        if (!(await tx.applies.settle(id, status, this.clock.now()))) throw failure('applyNotFound');
        if (status === 'agree') await this.befriend(tx, me, applicant, remark);
        return this.delivery.append(tx, out);
      });
    this.delivery.publishAll(out, seqs);
  }

  /** E17: the pending application from the user with this uuid to me. */
  async pendingFrom(me: User, uuid: string): Promise<ApplyRow> {
    const applicant = await this.store.users.findByUuid(uuid);
    if (!applicant || applicant.status !== UserStatus.active) throw failure('userMissing');
    const open = await this.store.applies.open(applicant.id, me.id);
    if (!open || open.status !== 'pending') throw failure('applyInfoMissing');
    return open;
  }

  /** E40: befriends a user who accepts everyone (invite_confirm 0) without a pending step. */
  async autoAdd(me: User, friendId: number, nickname: string): Promise<void> {
    const target = await this.target(me, friendId);
    if (target.invite_confirm !== 0) throw failure('needApproval');
    if (await this.store.applies.open(me.id, target.id)) throw failure('alreadyApplied');
    const out = this.friendsNow(target, me, '').reverse();
    const seqs = await this.store
      .transaction(async (tx) => {
        const id = await this.create(tx, me, target, nickname);
        await tx.applies.settle(id, 'agree', this.clock.now());
        await this.befriend(tx, me, target, '');
        return this.delivery.append(tx, out);
      });
    this.delivery.publishAll(out, seqs);
  }
}
