import { afterAll, beforeAll, expect, it } from 'vitest';
import { chatset, fail, send, sendOk, setUserset } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { RawDb } from '../helpers/raw-db.js';

/** E20 parameters and the "who may message me" gate for user senders (spec §8.1, E20; notes/valparams-rules.md §5.1). */
const ONE_ONLY = fail('在成为好友之前，对方只允许向他发一条消息');
const FRIENDS_ONLY = fail('对方设置成：需要您先成为他的好友才能发消息');
const GONE = fail('对方不存在或者被禁用，不能发消息');
const SENDMESSAGE = '/api/chat/socket/sendmessage';

describeEachDialect('send rules: E20 parameters', (h) => {
  const post = async (body: Record<string, unknown>) => {
    const u = await h.server.client.register();
    return h.server.client.post(SENDMESSAGE, body, { token: u.token });
  };

  it('answers 422 for every missing field, "<desc>不能为空" (the first one\'s); an empty string counts as missing', async () => {
    for (const body of [{}, { sendto_id: '', chatType: '', type: '', data: '' }]) {
      const res = await post(body);
      expect(res.status).toBe(422);
      expect(res.body).toEqual(fail('接收人/群的id值不能为空'));
    }
    // Every field is checked: leave out one at a time, absent or empty.
    const fields: [string, string][] = [
      ['sendto_id', '接收人/群的id值不能为空'],
      ['chatType', '接收类型不能为空'],
      ['type', '消息类型不能为空'],
      ['data', '消息内容不能为空'],
    ];
    for (const [key, message] of fields) {
      for (const empty of [undefined, '']) {
        const body: Record<string, unknown> = { sendto_id: 1, chatType: 'single', type: 'text', data: 'x' };
        if (empty === undefined) delete body[key];
        else body[key] = empty;
        const res = await post(body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(res.body, JSON.stringify(body)).toEqual(fail(message));
      }
    }
  });

  it('checks sendto_id as an int ≥ 1 and chatType in [single, group]', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sendto_id: 'abc' }, '接收人/群的id值 的值 `abc` 的类型不是 `int`'],
      [{ sendto_id: '1.5' }, '接收人/群的id值 的值 `1.5` 的类型不是 `int`'],
      [{ sendto_id: 0 }, '接收人/群的id值 的数值 必须 在 1 和 10000000000000000 之间'],
      [{ chatType: 'private' }, '接收类型 的值 `private` 必须在 [`single`、`group`] 中'],
      [{ chatType: 'Single' }, '接收类型 的值 `Single` 必须在 [`single`、`group`] 中'],
    ];
    for (const [patch, message] of cases) {
      const res = await post({ sendto_id: 1, chatType: 'single', type: 'text', data: 'x', ...patch });
      expect(res.status, JSON.stringify(patch)).toBe(422);
      expect(res.body, JSON.stringify(patch)).toEqual(fail(message));
    }
  });

  it('accepts a form-encoded body and a free message type', async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    const res = await h.server.client.post(
      SENDMESSAGE,
      { sendto_id: String(b.id), chatType: 'single', type: 'iconMenus', data: 'x' },
      { token: a.token, form: true },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ to_id: b.id, type: 'iconMenus', data: 'x', options: null });
  });

  it('refuses a missing, disabled or locked recipient: "对方不存在或者被禁用，不能发消息"', async () => {
    const a = await h.server.client.register();
    expect((await send(h.server, a.token, 2_000_000_000, 'x')).body).toEqual(GONE);
    for (const status of [0, 2]) {
      const b = await h.server.client.register();
      await h.server.app.store.users.update(b.id, { status }, Date.now());
      const res = await send(h.server, a.token, b.id, 'x');
      expect(res.status, `status ${status}`).toBe(400);
      expect(res.body, `status ${status}`).toEqual(GONE);
    }
  });

  it('refuses a group message to a group that does not exist', async () => {
    const a = await h.server.client.register();
    const res = await send(h.server, a.token, 123456, 'x', { chatType: 'group' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('群不存在或者已解散或者被封禁，无法发消息'));
  });
});

describeEachDialect('send rules: user senders (§8.1)', (h) => {
  let raw: RawDb;
  beforeAll(() => {
    raw = RawDb.open(h.server.databaseUrl);
  });
  afterAll(async () => {
    await raw.close();
  });

  /** Sends `n` messages and answers the status of each. */
  const statuses = async (token: string, to: number, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(h.server, token, to, `n${i}`)).status);
    return out;
  };
  const recipient = async (userset?: string) => {
    const b = await h.server.client.register();
    if (userset !== undefined) await setUserset(h.server, b.token, userset);
    return b;
  };

  it('allows one message before friendship by default, then refuses; counted per sender and direction', async () => {
    const a = await h.server.client.register();
    const b = await recipient();
    await sendOk(h.server, a.token, b.id, 'hello');
    const second = await send(h.server, a.token, b.id, 'again');
    expect(second.status).toBe(400);
    expect(second.body).toEqual(ONE_ONLY);
    expect((await send(h.server, a.token, b.id, 'and again')).body).toEqual(ONE_ONLY);
    const c = await h.server.client.register();
    await sendOk(h.server, c.token, b.id, 'another sender');
    await sendOk(h.server, b.token, a.id, 'the other direction');
  });

  it('treats an empty, partial or malformed userset as the default (one message), never a 500', async () => {
    const a = await h.server.client.register();
    for (const userset of [
      '{}',
      '{"chatset":{}}',
      '{"chatset":null}',
      '{"chatset":{"user":null}}',
      '{"chatset":{"visitor":{"sendCount":0}}}',
      '{"chatset":',
      'not json',
      '[]',
      'null',
      '"str"',
    ]) {
      const b = await recipient(userset);
      expect(await statuses(a.token, b.id, 2), userset).toEqual([200, 400]);
      expect((await send(h.server, a.token, b.id, 'x')).body, userset).toEqual(ONE_ONLY);
    }
  });

  it('refuses every message with sendCount 0: "对方设置成：需要您先成为他的好友才能发消息"', async () => {
    const a = await h.server.client.register();
    const b = await recipient(chatset(2, 0));
    const res = await send(h.server, a.token, b.id, 'x');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(FRIENDS_ONLY);
  });

  it('allows any number with sendCount 2, with the legacy {"chatset":{"visitor":0,"user":0}}, or a non-number sendCount', async () => {
    const a = await h.server.client.register();
    for (const userset of [chatset(0, 2), '{"chatset":{"visitor":0,"user":0}}', chatset(1, '1'), '{"chatset":{"user":{}}}']) {
      const b = await recipient(userset);
      expect(await statuses(a.token, b.id, 3), userset).toEqual([200, 200, 200]);
    }
  });

  it('applies a changed setting to the next message (the count survives)', async () => {
    const a = await h.server.client.register();
    const b = await recipient(chatset(1, 2));
    expect(await statuses(a.token, b.id, 2)).toEqual([200, 200]);
    await setUserset(h.server, b.token, chatset(1, 1));
    expect((await send(h.server, a.token, b.id, 'x')).body).toEqual(ONE_ONLY);
    await setUserset(h.server, b.token, chatset(1, 0));
    expect((await send(h.server, a.token, b.id, 'x')).body).toEqual(FRIENDS_ONLY);
  });

  it('lets a sender the recipient has as an active contact send freely, even with sendCount 0', async () => {
    const a = await h.server.client.register();
    const b = await recipient(chatset(0, 0));
    await raw.addFriendRow(b.id, a.id);
    expect(await statuses(a.token, b.id, 3)).toEqual([200, 200, 200]);
    const d = await recipient();
    await raw.addFriendRow(d.id, a.id);
    expect(await statuses(a.token, d.id, 3)).toEqual([200, 200, 200]);
  });

  it('does not count my own contact entry for the recipient as friendship', async () => {
    const a = await h.server.client.register();
    const b = await recipient(chatset(2, 0));
    await raw.addFriendRow(a.id, b.id);
    expect((await send(h.server, a.token, b.id, 'x')).body).toEqual(FRIENDS_ONLY);
  });

  it('refuses a sender the recipient blacklisted, or whose row the system blocked, whatever the setting', async () => {
    const a = await h.server.client.register();
    const cases = [
      [{ isblack: 1 }, '对方把你拉黑了，不能发送消息'],
      [{ status: 0 }, '系统把你们拉黑了，不能发送消息'],
      [{ isblack: 1, status: 0 }, '对方把你拉黑了，不能发送消息'],
    ] as const;
    for (const [row, message] of cases) {
      const b = await recipient(chatset(2, 2));
      await raw.addFriendRow(b.id, a.id, row);
      const res = await send(h.server, a.token, b.id, 'x');
      expect(res.status, message).toBe(400);
      expect(res.body, message).toEqual(fail(message));
    }
  });
});

describeEachDialect('send rules: names (E20 step 3)', (h) => {
  let raw: RawDb;
  beforeAll(() => {
    raw = RawDb.open(h.server.databaseUrl);
  });
  afterAll(async () => {
    await raw.close();
  });
  const nickname = async (token: string, value: string) => {
    const res = await h.server.client.post('/api/chat/updateUserinfo', { fieldname: 'nickname', fieldValue: value }, { token });
    expect(res.status).toBe(200);
  };

  it('falls back from nickname to username for from_name and to_name', async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    await setUserset(h.server, b.token, chatset(2, 2));
    expect(await sendOk(h.server, a.token, b.id, 'x')).toMatchObject({ from_name: a.username, to_name: b.username });
    await nickname(a.token, '阿甲');
    await nickname(b.token, '阿乙');
    expect(await sendOk(h.server, a.token, b.id, 'x')).toMatchObject({ from_name: '阿甲', to_name: '阿乙' });
  });

  it("prefers the recipient's remark for me (from_name) and my remark for them (to_name)", async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    await nickname(a.token, '阿甲');
    await nickname(b.token, '阿乙');
    await raw.addFriendRow(b.id, a.id, { nickname: '乙叫甲' });
    await raw.addFriendRow(a.id, b.id, { nickname: '甲叫乙' });
    expect(await sendOk(h.server, a.token, b.id, 'x')).toMatchObject({ from_name: '乙叫甲', to_name: '甲叫乙' });
    const c = await h.server.client.register();
    await raw.addFriendRow(c.id, a.id, { nickname: '' });
    expect(await sendOk(h.server, a.token, c.id, 'x')).toMatchObject({ from_name: '阿甲', to_name: c.username });
  });
});
