import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { FAILURES, failureText, type FailureKey } from '../../src/domain/failures.js';
import { FriendStatus, type FriendRow } from '../../src/domain/friend.js';
import { GroupStatus, MemberStatus, type Group, type Membership } from '../../src/domain/group.js';
import type { User } from '../../src/domain/user.js';
import { activeGroup, activeMembershipOf, contactOf, isActive, membershipOf, ownedActiveGroup } from '../../src/services/access.js';
import type { Store } from '../../src/store/port.js';

/** The access guards (src/services/access.ts) against a fake store: each answers the thing or throws the failure it is given. */

const ME = 7;
const OTHER = 8;
const me = { id: ME } as User;

/** Statuses other than active: 0 and 2 (a group reads as dissolved or blocked). */
const INACTIVE = [0, GroupStatus.active + 1];

// Rows with just the fields the guards read (the rest of each row does not matter to them).
const group = (id: number, owner: number, status: number) => ({ id, user_id: owner, status, name: `group ${id}` }) as Group;

/** Membership ids are far from user ids, so matching on the wrong field finds nobody. */
const member = (userId: number, status: number) => ({ id: 100 + userId, group_id: 1, user_id: userId, status }) as Membership;

const contact = (owner: number, friend: number, isblack: number) =>
  ({ id: 1000 + owner * 10 + friend, user_id: owner, friend_id: friend, isblack, status: FriendStatus.active }) as FriendRow;

/** Just `groups.find` and `friends.row`, over in-memory rows. */
function fakeStore(o: { groups?: Group[]; contacts?: FriendRow[] }): Store {
  const groups = new Map((o.groups ?? []).map((g) => [g.id, g]));
  const contacts = new Map((o.contacts ?? []).map((r) => [`${r.user_id}:${r.friend_id}`, r]));
  return {
    groups: { find: async (id: number) => groups.get(id) },
    friends: { row: async (ownerId: number, friendId: number) => contacts.get(`${ownerId}:${friendId}`) },
  } as Store;
}

/** The refusal of `key`: an AppError with exactly its text and code. */
function expectRefusal(e: unknown, key: FailureKey): void {
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).message).toBe(failureText(key));
  expect((e as AppError).code).toBe(FAILURES[key][0]);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the guard to throw');
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the guard to reject');
}

describe('isActive', () => {
  it('holds for an active group only', () => {
    expect(isActive(group(1, ME, GroupStatus.active))).toBe(true);
    for (const status of INACTIVE) expect(isActive(group(1, ME, status)), `status ${status}`).toBe(false);
    expect(isActive(undefined)).toBe(false);
  });
});

describe('activeGroup', () => {
  const store = fakeStore({ groups: [group(1, OTHER, GroupStatus.active), group(2, OTHER, 0), group(3, OTHER, 2)] });

  it('answers an active group, whoever owns it', async () => {
    expect(await activeGroup(store, 1, 'groupMissingOrBlocked')).toEqual(group(1, OTHER, GroupStatus.active));
  });

  it('refuses a missing group with the given failure', async () => {
    expectRefusal(await rejection(activeGroup(store, 99, 'groupMissingOrBlocked')), 'groupMissingOrBlocked');
    expectRefusal(await rejection(activeGroup(store, 99, 'qrUnavailable')), 'qrUnavailable');
  });

  it('refuses a group that is not active', async () => {
    expectRefusal(await rejection(activeGroup(store, 2, 'groupMissing')), 'groupMissing');
    expectRefusal(await rejection(activeGroup(store, 3, 'groupUnavailableForJoin')), 'groupUnavailableForJoin');
  });
});

describe('ownedActiveGroup', () => {
  const store = fakeStore({
    groups: [group(1, ME, GroupStatus.active), group(2, OTHER, GroupStatus.active), group(3, ME, 0), group(4, ME, 2)],
  });

  it("answers the caller's own active group", async () => {
    expect(await ownedActiveGroup(store, me, 1, 'groupNoRight')).toEqual(group(1, ME, GroupStatus.active));
  });

  it('refuses an active group someone else owns', async () => {
    expectRefusal(await rejection(ownedActiveGroup(store, me, 2, 'onlyOwnerRename')), 'onlyOwnerRename');
  });

  it('refuses a missing group', async () => {
    expectRefusal(await rejection(ownedActiveGroup(store, me, 99, 'groupNoRight')), 'groupNoRight');
  });

  it("refuses the caller's own group when it is not active", async () => {
    expectRefusal(await rejection(ownedActiveGroup(store, me, 3, 'onlyOwnerRemark')), 'onlyOwnerRemark');
    expectRefusal(await rejection(ownedActiveGroup(store, me, 4, 'groupNoRight')), 'groupNoRight');
  });
});

describe('membershipOf', () => {
  it("answers the caller's membership whatever its status", () => {
    for (const status of [MemberStatus.active, MemberStatus.muted, MemberStatus.pending]) {
      const mine = member(ME, status);
      expect(membershipOf([member(OTHER, MemberStatus.active), mine], me, 'notInGroupAction'), `status ${status}`).toBe(mine);
    }
  });

  it('refuses a caller who is not among the members', () => {
    expectRefusal(
      thrown(() => membershipOf([member(OTHER, MemberStatus.active)], me, 'notInGroupAction')),
      'notInGroupAction',
    );
    expectRefusal(
      thrown(() => membershipOf([], me, 'cannotNotifyMembers')),
      'cannotNotifyMembers',
    );
  });
});

describe('activeMembershipOf', () => {
  it("answers the caller's active membership", () => {
    const mine = member(ME, MemberStatus.active);
    expect(activeMembershipOf([member(OTHER, MemberStatus.muted), mine], me, 'notInGroup')).toBe(mine);
  });

  it('refuses a caller who is not among the members', () => {
    expectRefusal(
      thrown(() => activeMembershipOf([member(OTHER, MemberStatus.active)], me, 'notInGroup')),
      'notInGroup',
    );
  });

  it('refuses a pending member', () => {
    expectRefusal(
      thrown(() => activeMembershipOf([member(ME, MemberStatus.pending)], me, 'notInGroup')),
      'notInGroup',
    );
  });

  it('refuses a muted member', () => {
    expectRefusal(
      thrown(() => activeMembershipOf([member(ME, MemberStatus.muted)], me, 'notInGroupNickname')),
      'notInGroupNickname',
    );
  });
});

describe('contactOf', () => {
  const store = fakeStore({
    contacts: [
      contact(ME, OTHER, 0), // my entry for OTHER
      contact(ME, 9, 1), // my entry for 9, blacklisted
      contact(10, ME, 0), // only 10's entry for me: I have none for 10
    ],
  });

  it("answers the caller's own entry, with or without allowBlack", async () => {
    for (const allowBlack of [false, true]) {
      expect(await contactOf(store, me, OTHER, 'friendMissing', { allowBlack }), `allowBlack ${allowBlack}`).toEqual(contact(ME, OTHER, 0));
    }
  });

  it('refuses a missing entry, with or without allowBlack', async () => {
    for (const allowBlack of [false, true]) {
      expectRefusal(await rejection(contactOf(store, me, 99, 'friendMissing', { allowBlack })), 'friendMissing');
    }
  });

  it("does not take the other user's entry for the caller's", async () => {
    for (const allowBlack of [false, true]) {
      expectRefusal(await rejection(contactOf(store, me, 10, 'notFriend', { allowBlack })), 'notFriend');
    }
  });

  it('refuses a blacklisted entry without allowBlack', async () => {
    expectRefusal(await rejection(contactOf(store, me, 9, 'friendMissingOrBlack', { allowBlack: false })), 'friendMissingOrBlack');
  });

  it('answers a blacklisted entry with allowBlack', async () => {
    expect(await contactOf(store, me, 9, 'friendMissing', { allowBlack: true })).toEqual(contact(ME, 9, 1));
  });
});
