import { describe, expect, it } from 'vitest';
import type { WireMessage } from '../api/types.js';
import { canRevoke, isRepeatNotice, placeOf, upsertSorted, withMessage, type Conversation, type LocalMessage } from './model.js';

const labels = { image: '[图片]', video: '[视频]', audio: '[语音]', file: '[文件]', emoticon: '[表情]' };
const ME = 7;

function wire(over: Partial<WireMessage>): WireMessage {
  return {
    id: 'm1',
    from_id: 9,
    from_name: 'Bob',
    from_avatar: 'b.png',
    to_id: ME,
    to_name: 'Me',
    to_avatar: 'me.png',
    chatType: 'single',
    type: 'text',
    data: JSON.stringify({ data: 'hi', dataType: false, otherData: null }),
    options: {},
    create_time: 1000,
    isremove: 0,
    ...over,
  };
}

function local(w: WireMessage, over: Partial<LocalMessage> = {}): LocalMessage {
  return { ...w, owner: ME, key: w.id, conv: placeOf(w, ME).conv, state: 'received', mine: Number(w.from_id) === ME, ...over };
}

describe('which conversation a message belongs to', () => {
  it('is the other person for 1:1, whoever sent it', () => {
    expect(placeOf(wire({}), ME)).toMatchObject({ conv: 'single:9', name: 'Bob', avatar: 'b.png' });
    expect(placeOf(wire({ from_id: ME, to_id: 9, to_name: 'Bob' }), ME)).toMatchObject({ conv: 'single:9', name: 'Bob' });
  });

  it('is the group for group messages, group notices included', () => {
    expect(placeOf(wire({ chatType: 'group', to_id: 3, to_name: 'G' }), ME)).toMatchObject({ conv: 'group:3', name: 'G' });
    const joined = wire({ chatType: 'group', to_id: 3, from_id: 'redirect-applyAddGroup3-9-1', type: 'systemNotice' });
    expect(placeOf(joined, ME).conv).toBe('group:3');
  });

  it('is a notice entry of its own for system shortcuts and requests', () => {
    const n = wire({ from_id: 'redirect-search-7', msgidKey: 'redirect-search-7', from_name: '搜索加好友' });
    expect(placeOf(n, ME)).toMatchObject({ conv: 'notice:redirect-search-7', chatType: 'notice' });
  });
});

describe('conversation list entries', () => {
  it('count unread only for others’ messages in a conversation not being looked at', () => {
    const c1 = withMessage(undefined, local(wire({})), labels, false);
    expect(c1).toMatchObject({ unread: 1, preview: 'hi', time: 1000, name: 'Bob' });
    const c2 = withMessage(c1, local(wire({ id: 'm2', create_time: 2000 })), labels, true);
    expect(c2.unread).toBe(1);
    const mine = local(wire({ id: 'm3', from_id: ME, to_id: 9, from_name: 'Me', create_time: 3000 }));
    const c3 = withMessage(c2, mine, labels, false);
    expect(c3).toMatchObject({ unread: 1, name: 'Bob', time: 3000 });
  });

  it('preview media by label and keep the newest message’s preview', () => {
    const img = local(
      wire({ id: 'i', type: 'image', data: JSON.stringify({ data: '/x.png', dataType: 'image', otherData: null }), create_time: 5000 }),
    );
    const c = withMessage(undefined, img, labels, false);
    expect(c.preview).toBe('[图片]');
    const older = withMessage(c, local(wire({ id: 'o', create_time: 10 })), labels, false);
    expect(older.preview).toBe('[图片]');
  });

  it('do not count connect-time shortcut notices, but do count friend requests', () => {
    const shortcut = local(wire({ from_id: 'redirect-search-7', msgidKey: 'redirect-search-7' }));
    expect(withMessage(undefined, shortcut, labels, false).unread).toBe(0);
    const request = local(wire({ from_id: 'redirect-applyFriend-9', msgidKey: 'redirect-applyFriend-9' }));
    expect(withMessage(undefined, request, labels, false).unread).toBe(1);
  });

  it('ignore a shortcut notice already listed, not a new request', () => {
    const known = { conv: 'notice:redirect-search-7' } as Conversation;
    expect(isRepeatNotice(wire({ from_id: 'redirect-search-7' }), known)).toBe(true);
    expect(isRepeatNotice(wire({ from_id: 'redirect-applyFriend-9' }), known)).toBe(false);
    expect(isRepeatNotice(wire({ from_id: 'redirect-search-7' }), undefined)).toBe(false);
  });
});

describe('message lists', () => {
  it('keep time order and replace by key', () => {
    const list: LocalMessage[] = [];
    upsertSorted(list, local(wire({ id: 'b', create_time: 20 })));
    upsertSorted(list, local(wire({ id: 'a', create_time: 10 })));
    upsertSorted(list, local(wire({ id: 'c', create_time: 15 })));
    expect(list.map((m) => m.key)).toEqual(['a', 'c', 'b']);
    upsertSorted(list, local(wire({ id: 'c', create_time: 15 }), { isremove: 1 }));
    expect(list).toHaveLength(3);
    expect(list[1]!.isremove).toBe(1);
  });

  it('never move an arrival above a message still being sent (the device clock may be ahead)', () => {
    const list: LocalMessage[] = [];
    upsertSorted(list, local(wire({ id: 'a', create_time: 10 })));
    upsertSorted(list, local(wire({ id: 'p', create_time: 30 }), { state: 'sending' }));
    upsertSorted(list, local(wire({ id: 'c', create_time: 25 })));
    expect(list.map((m) => m.key)).toEqual(['a', 'p', 'c']);
  });

  it('allow revoking my own sent message within the 5 minutes only', () => {
    const m = local(wire({ from_id: ME, create_time: 0 }), { mine: true, state: 'sent' });
    expect(canRevoke(m, 60_000)).toBe(true);
    expect(canRevoke(m, 5 * 60_000)).toBe(false);
    expect(canRevoke({ ...m, state: 'failed' }, 1000)).toBe(false);
    expect(canRevoke({ ...m, mine: false }, 1000)).toBe(false);
  });
});
