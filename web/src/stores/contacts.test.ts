import { describe, expect, it } from 'vitest';
import type { FriendFlags } from '../api/endpoints.js';
import type { Apply, FriendRow } from '../api/types.js';
import {
  filterGroups,
  friendName,
  friendState,
  mergeApplies,
  searchKeyword,
  shortText,
  withFirstPage,
  type ContactGroup,
} from './contacts.js';

function friend(id: number, name: string, extra: Partial<FriendRow> = {}): FriendRow {
  return { id, beizhu: '', username: `user${id}`, avatar: null, friend_nickname: '', friend_id: 100 + id, name, uuid: `u${id}`, ...extra };
}

function apply(id: number, status: Apply['status'] = 'pending'): Apply {
  return {
    id,
    user_id: id + 1000,
    friend_id: 1,
    nickname: '',
    status,
    user: { id: id + 1000, username: `a${id}`, avatar: null, nickname: null, uuid: `x${id}` },
  };
}

const flags = (f: Partial<FriendFlags> = {}): FriendFlags => ({
  id: 1,
  user_id: 1,
  friend_id: 2,
  nickname: '',
  friendlookme: 1,
  melookfriend: 1,
  ismystarfriend: 0,
  isblack: 0,
  status: 1,
  ...f,
});

describe('friendState', () => {
  it('reads the E19 row', () => {
    expect(friendState(flags())).toEqual({ isblack: false, star: false, friendLooksMe: true, meLooksFriend: true, known: true });
    expect(friendState(flags({ ismystarfriend: 1, friendlookme: 0, melookfriend: 0 }))).toMatchObject({
      star: true,
      friendLooksMe: false,
      meLooksFriend: false,
    });
  });

  it('treats "不是好友" for a friend still listed as blacklisted, with unknown flags', () => {
    expect(friendState(null)).toMatchObject({ isblack: true, known: false });
  });
});

describe('friendName', () => {
  it('prefers the remark, then the nickname, then the username (as E08 names)', () => {
    expect(friendName({ beizhu: 'Boss', friend_nickname: 'Bob', username: 'bob1' })).toBe('Boss');
    expect(friendName({ beizhu: '', friend_nickname: 'Bob', username: 'bob1' })).toBe('Bob');
    expect(friendName({ beizhu: null, friend_nickname: null, username: 'bob1' })).toBe('bob1');
  });
});

describe('filterGroups', () => {
  const groups: ContactGroup[] = [
    { title: 'A', list: [friend(1, 'Anna'), friend(2, 'Amy', { username: 'zed' })] },
    { title: 'Z', list: [friend(3, '张三', { friend_nickname: '张三', beizhu: '' })] },
    { title: '#', list: [friend(4, '123')] },
  ];

  it('keeps everything (the same array) for an empty query', () => {
    expect(filterGroups(groups, '  ')).toBe(groups);
  });

  it('matches name, nickname, remark and username case-insensitively and drops empty groups', () => {
    expect(filterGroups(groups, 'ANN')).toEqual([{ title: 'A', list: [groups[0]!.list[0]] }]);
    expect(filterGroups(groups, 'zed').map((g) => g.list.map((f) => f.id))).toEqual([[2]]);
    expect(filterGroups(groups, '张').map((g) => g.title)).toEqual(['Z']);
    expect(filterGroups(groups, 'user').map((g) => g.title)).toEqual(['A', 'Z', '#']);
    expect(filterGroups(groups, 'nobody')).toEqual([]);
  });

  it('keeps E08 order inside groups and of groups (# last)', () => {
    expect(filterGroups(groups, 'a').map((g) => g.title)).toEqual(['A']);
    expect(filterGroups(groups, '1').map((g) => g.title)).toEqual(['A', '#']);
  });
});

describe('searchKeyword / shortText', () => {
  it('trims, refuses empty, cuts at 50', () => {
    expect(searchKeyword('  bob ')).toBe('bob');
    expect(searchKeyword('   ')).toBeNull();
    expect(searchKeyword('x'.repeat(60))).toHaveLength(50);
    expect(shortText(' 我是Bob ')).toBe('我是Bob');
    expect(shortText('y'.repeat(80))).toHaveLength(50);
    expect(shortText('  ')).toBe('');
  });
});

describe('applies paging', () => {
  it('mergeApplies appends a further page without repeating a request', () => {
    expect(mergeApplies([apply(9), apply(8)], [apply(8), apply(7)]).map((a) => a.id)).toEqual([9, 8, 7]);
  });

  it('withFirstPage keeps the older pages already fetched after page 1 is fetched again', () => {
    const shown = [apply(6), apply(5), apply(4), apply(3)];
    const first = [apply(7), apply(6, 'agree'), apply(5)];
    expect(withFirstPage(first, shown, 3).map((a) => [a.id, a.status])).toEqual([
      [7, 'pending'],
      [6, 'agree'],
      [5, 'pending'],
      [4, 'pending'],
      [3, 'pending'],
    ]);
  });

  it('withFirstPage: a page 1 that is not full is everything', () => {
    expect(withFirstPage([apply(2)], [apply(2), apply(1)], 3).map((a) => a.id)).toEqual([2]);
    expect(withFirstPage([], [apply(1)], 3)).toEqual([]);
  });
});
