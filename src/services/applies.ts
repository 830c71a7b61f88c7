import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import type { ApplyRow, ApplyStatus, ApplyWithApplicant } from '../domain/friend.js';
import type { DefaultImages } from '../domain/images.js';
import { navigationNotice, systemNotice } from '../domain/message.js';
import { TEXT } from '../domain/texts.js';
import { UserStatus, displayName, type User } from '../domain/user.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Repos, Store } from '../store/port.js';
import { toUser, type DeliveryService, type Outgoing } from './delivery.js';

/** Friend applications: apply (E05), list (E06), handle (E07), check (E17), instant add (E40). */
export class ApplyService {
  constructor(
    private readonly store: Store,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
    private readonly images: DefaultImages,
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
    const message = navigationNotice(
      randomUUID(),
      { id: target.id, name: displayName(target), avatar: target.avatar ?? '' },
      this.clock.now(),
      {
        text: `用户[${displayName(me)}]申请添加您为好友，请尽快处理`,
        fromName: '好友申请提醒',
        fromId,
        fromAvatar: this.images.groupAvatar,
        redirect: { url: '/pages/applyMyfriend/applyMyfriend', type: 'navigateTo' },
        noGroup: true,
      },
    );
    await this.delivery.commit([toUser(target.id, message)], async (tx) => {
      await this.create(tx, me, target, nickname);
    });
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
    const createTime = this.clock.now();
    const mine = { id: me.id, name: displayName(me), avatar: me.avatar ?? '' };
    const theirs = { id: other.id, name: remark || displayName(other), avatar: other.avatar ?? '' };
    const notice = (from: typeof mine, to: typeof mine) =>
      toUser(to.id, systemNotice({ id, from, to, chatType: 'single', text: TEXT.friendsNow, createTime }));
    return [notice(mine, theirs), notice(theirs, mine)];
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
    await this.delivery.commit(out, async (tx) => {
      if (!(await tx.applies.settle(id, status, this.clock.now()))) throw failure('applyNotFound');
      if (status === 'agree') await this.befriend(tx, me, applicant, remark);
    });
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
    await this.delivery.commit(out, async (tx) => {
      const id = await this.create(tx, me, target, nickname);
      await tx.applies.settle(id, 'agree', this.clock.now());
      await this.befriend(tx, me, target, '');
    });
  }
}
