import type { Clock } from '../domain/clock.js';
import type { Indexed } from '../domain/contacts.js';
import { failure } from '../domain/failures.js';
import { FriendStatus, type ContactRow, type FriendRow, type UserSearchRow } from '../domain/friend.js';
import { UserStatus, type User, type UserInfo } from '../domain/user.js';
import type { Store } from '../store/port.js';
import { contactOf } from './access.js';

export interface Contact {
  id: number;
  beizhu: string;
  username: string;
  avatar: string | null;
  friend_nickname: string;
  friend_id: number;
  name: string;
  uuid: string;
}

export interface FriendProfile {
  row: FriendRow;
  friend: User;
  info: UserInfo | undefined;
}

export interface UserSetInfo {
  id: number;
  userset: string;
  invite_confirm: number;
  uuid: string;
  isgoodfriend: boolean;
  isgoodfriend_status: boolean;
}

const SEARCH_LIMIT = 50;

/** Contacts and their flags: search (E04), list (E08), profile (E09), black/star/visibility (E10–E12), E19, E33, E39. */
export class FriendService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** E04: registered, active users whose username contains the keyword; exact match first. */
  search(me: User, keyword: string): Promise<UserSearchRow[]> {
    return this.store.users.search(keyword, me.id, SEARCH_LIMIT);
  }

  /** E08: my contacts on the page, grouped by the initial of their display name. */
  async contacts(me: User, page: number, limit: number): Promise<{ count: number; rows: Indexed<Contact> | [] }> {
    const rows = await this.store.friends.contacts(me.id, (page - 1) * limit, limit);
    const list = rows.map((r: ContactRow): Contact => ({
      id: r.id,
      beizhu: r.nickname,
      username: r.username,
      avatar: r.avatar,
      friend_nickname: r.friend_nickname,
      friend_id: r.friend_id,
      name: r.nickname || r.friend_nickname || r.username,
      uuid: r.uuid,
    }));
    if (list.length === 0) return { count: 0, rows: [] };
    // Loaded on first use: the character tables are not needed to start.
    const { groupByInitial } = await import('../domain/contacts.js');
    return { count: list.length, rows: groupByInitial(list, (c) => c.name) };
  }

  /** E09: my entry for a friend with their profile. */
  async profile(me: User, friendId: number): Promise<FriendProfile> {
    const row = await contactOf(this.store, me, friendId, 'friendMissing', { allowBlack: true });
    const friend = await this.store.users.findById(friendId);
    if (!friend) throw failure('friendMissing');
    return { row, friend, info: await this.store.users.findInfo(friendId) };
  }

  /** E10: blacklists or un-blacklists the friend (on my side only). */
  async toggleBlack(me: User, friendId: number): Promise<void> {
    const row = await contactOf(this.store, me, friendId, 'friendMissing', { allowBlack: true });
    await this.store.friends.setFlags(row, { isblack: row.isblack === 1 ? 0 : 1 }, this.clock.now());
  }

  /** E11: stars or un-stars a friend who is not blacklisted. */
  async toggleStar(me: User, friendId: number): Promise<void> {
    const row = await contactOf(this.store, me, friendId, 'friendMissingOrBlack', { allowBlack: false });
    await this.store.friends.setFlags(row, { ismystarfriend: row.ismystarfriend === 0 ? 1 : 0 }, this.clock.now());
  }

  /** E12: feed visibility flags of a friend who is not blacklisted. */
  async setVisibility(me: User, friendId: number, friendlookme: number, melookfriend: number): Promise<void> {
    const row = await contactOf(this.store, me, friendId, 'friendMissingOrBlack', { allowBlack: false });
    await this.store.friends.setFlags(row, { friendlookme, melookfriend }, this.clock.now());
  }

  /** E19: my entry for the user, when not blacklisted. */
  isFriend(me: User, friendId: number): Promise<FriendRow> {
    return contactOf(this.store, me, friendId, 'notFriend', { allowBlack: false });
  }

  /** E33: removes both entries and every application between us, so either side may apply again. */
  async remove(me: User, friendId: number): Promise<void> {
    await contactOf(this.store, me, friendId, 'notFriendNoRight', { allowBlack: true });
    await this.store.transaction(async (tx) => {
      await tx.friends.deletePair(me.id, friendId);
      await tx.applies.deleteBetween(me.id, friendId);
    });
  }

  /** E39: whether and how a registered user can be added, seen from me. */
  async userSetInfo(me: User, userId: number): Promise<UserSetInfo> {
    const target = await this.store.users.findById(userId);
    if (!target || target.role !== 'user' || target.status !== UserStatus.active) throw failure('notAddable');
    const theirs = await this.store.friends.row(target.id, me.id);
    return {
      id: target.id,
      userset: target.userset,
      invite_confirm: target.invite_confirm,
      uuid: target.uuid,
      isgoodfriend: theirs !== undefined,
      // As the original: "normal" unless a friendship exists and is blacklisted or not active.
      isgoodfriend_status: theirs === undefined || (theirs.isblack === 0 && theirs.status === FriendStatus.active),
    };
  }
}
