import { failure, type FailureKey } from '../domain/failures.js';
import type { FriendRow } from '../domain/friend.js';
import { GroupStatus, MemberStatus, type Group, type Membership } from '../domain/group.js';
import type { User } from '../domain/user.js';
import type { Store } from '../store/port.js';

/**
 * Who may act on what, in one place: each guard answers the thing asked for or throws the
 * failure the caller names (the seed words the same refusal differently per endpoint).
 */

/** A group that exists and is active (not dissolved or blocked). */
export const isActive = (g: Group | undefined): g is Group => g?.status === GroupStatus.active;

export async function activeGroup(store: Store, id: number, refusal: FailureKey): Promise<Group> {
  const g = await store.groups.find(id);
  if (!isActive(g)) throw failure(refusal);
  return g;
}

/** An active group the caller owns. */
export async function ownedActiveGroup(store: Store, me: User, id: number, refusal: FailureKey): Promise<Group> {
  const g = await activeGroup(store, id, refusal);
  if (g.user_id !== me.id) throw failure(refusal);
  return g;
}

/** The caller's membership among `members`, whatever its status. */
export function membershipOf<M extends Membership>(members: M[], me: User, refusal: FailureKey): M {
  const m = members.find((x) => x.user_id === me.id);
  if (!m) throw failure(refusal);
  return m;
}

/** The caller's membership among `members`, which must be active. */
export function activeMembershipOf<M extends Membership>(members: M[], me: User, refusal: FailureKey): M {
  const m = membershipOf(members, me, refusal);
  if (m.status !== MemberStatus.active) throw failure(refusal);
  return m;
}

/** The caller's own contact entry for `friendId`; a blacklisted one only with `allowBlack`. */
export async function contactOf(
  store: Store,
  me: User,
  friendId: number,
  refusal: FailureKey,
  o: { allowBlack: boolean },
): Promise<FriendRow> {
  const row = await store.friends.row(me.id, friendId);
  if (!row || (!o.allowBlack && row.isblack !== 0)) throw failure(refusal);
  return row;
}
