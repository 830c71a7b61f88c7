import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Conversation, LocalMessage } from '../stores/model.js';
import { openHistory } from './db.js';

function msg(owner: number, key: string, conv: string, t: number): LocalMessage {
  return {
    owner,
    key,
    conv,
    id: key,
    from_id: 2,
    from_name: 'b',
    from_avatar: '',
    to_id: owner,
    to_name: '',
    to_avatar: '',
    chatType: 'single',
    type: 'text',
    data: 'x',
    options: {},
    create_time: t,
    isremove: 0,
    state: 'received',
    mine: false,
  };
}

describe('local history', () => {
  it('keeps each account’s messages apart, in time order per conversation', async () => {
    const h = await openHistory('t1');
    await h.putMessages([msg(1, 'b', 'single:2', 20), msg(1, 'a', 'single:2', 10), msg(1, 'c', 'single:3', 5), msg(9, 'z', 'single:2', 1)]);
    expect((await h.messages(1, 'single:2')).map((m) => m.key)).toEqual(['a', 'b']);
    expect((await h.messages(9, 'single:2')).map((m) => m.key)).toEqual(['z']);
    expect(await h.message(1, 'c')).toMatchObject({ conv: 'single:3' });
    expect(await h.message(9, 'c')).toBeUndefined();
  });

  it('replaces a message by key (a revoke), and forgets a conversation with its messages', async () => {
    const h = await openHistory('t2');
    await h.putMessages([msg(1, 'a', 'group:4', 1)]);
    await h.putMessages([{ ...msg(1, 'a', 'group:4', 1), isremove: 1 }]);
    expect(await h.messages(1, 'group:4')).toHaveLength(1);
    expect((await h.message(1, 'a'))!.isremove).toBe(1);
    const c = {
      owner: 1,
      conv: 'group:4',
      chatType: 'group',
      peerId: 4,
      name: 'G',
      avatar: '',
      preview: '',
      previewKind: 'text',
      time: 1,
      unread: 0,
    } satisfies Conversation;
    await h.save([], c);
    await h.save([msg(2, 'k9', 'group:4', 5)], { ...c, owner: 2 });
    expect(await h.conversations(1)).toEqual([c]);
    expect((await h.messages(2, 'group:4')).map((m) => m.key)).toEqual(['k9']);
    await h.removeConversation(1, 'group:4', true);
    expect(await h.conversations(1)).toEqual([]);
    expect(await h.messages(1, 'group:4')).toEqual([]);
    expect(await h.conversations(2)).toHaveLength(1);
  });

  it('saves messages and their list entry together: when one cannot be stored, neither is', async () => {
    const h = await openHistory('t4');
    const c = {
      owner: 1,
      conv: 'single:2',
      chatType: 'single',
      peerId: 2,
      name: 'B',
      avatar: '',
      preview: 'x',
      previewKind: 'text',
      time: 1,
      unread: 1,
    } satisfies Conversation;
    const broken = { ...msg(1, 'k1', 'single:2', 1), key: undefined } as unknown as LocalMessage;
    await expect(h.save([msg(1, 'k0', 'single:2', 1), broken], c)).rejects.toThrow();
    expect(await h.conversations(1)).toEqual([]);
    expect(await h.messages(1, 'single:2')).toEqual([]);
  });

  it('holds 10,000 messages of one conversation and reads them back in order', async () => {
    const h = await openHistory('t3');
    const many = Array.from({ length: 10_000 }, (_, i) => msg(1, `k${i}`, 'single:2', 10_000 - i));
    await h.putMessages(many);
    const back = await h.messages(1, 'single:2');
    expect(back).toHaveLength(10_000);
    expect(back[0]!.create_time).toBe(1);
    expect(back.at(-1)!.create_time).toBe(10_000);
  });
});
