import { afterAll, beforeAll, expect, it } from 'vitest';
import { chatset, fail, send, sendOk, setUserset, visitor } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { RawDb } from '../helpers/raw-db.js';

/**
 * The E20 gate for visitor senders (spec §8.1): chosen by the sender's DB role, with the
 * recipient's `visitor` setting; visitors' names never use remarks.
 */
const ONE_ONLY = fail('在成为好友之前，对方只允许向他发一条消息');
const LOGIN_FIRST = fail('你们不是好友关系，对方设置成：先登录才能发消息');

describeEachDialect('send rules: visitor senders (§8.1)', (h) => {
  let raw: RawDb;
  beforeAll(() => {
    raw = RawDb.open(h.server.databaseUrl);
  });
  afterAll(async () => {
    await raw.close();
  });
  const recipient = async (userset?: string) => {
    const b = await h.server.client.register();
    if (userset !== undefined) await setUserset(h.server, b.token, userset);
    return b;
  };
  const statuses = async (token: string, to: number, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(h.server, token, to, `n${i}`)).status);
    return out;
  };

  it('refuses a visitor who is not the recipient\'s contact when sendCount is 0: "先登录才能发消息"', async () => {
    const v = await visitor(h.server);
    const b = await recipient(chatset(0, 2));
    const res = await send(h.server, v.token, b.id, 'x');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(LOGIN_FIRST);
  });

  it('lets a visitor the recipient has as an active contact send freely with sendCount 0', async () => {
    const v = await visitor(h.server);
    const b = await recipient(chatset(0, 0));
    await raw.addFriendRow(b.id, v.id);
    expect(await statuses(v.token, b.id, 3)).toEqual([200, 200, 200]);
  });

  it('words a blacklisted or system-blocked visitor with sendCount 0 "不能发消息"', async () => {
    const cases = [
      [{ isblack: 1 }, '对方把你拉黑了，不能发消息'],
      [{ status: 0 }, '系统把你们拉黑了，不能发消息'],
    ] as const;
    for (const [row, message] of cases) {
      const v = await visitor(h.server);
      const b = await recipient(chatset(0, 2));
      await raw.addFriendRow(b.id, v.id, row);
      const res = await send(h.server, v.token, b.id, 'x');
      expect(res.status, message).toBe(400);
      expect(res.body, message).toEqual(fail(message));
    }
  });

  it('allows a visitor one message with sendCount 1 and by default, then refuses', async () => {
    for (const userset of [chatset(1, 0), undefined, '{bad json']) {
      const v = await visitor(h.server);
      const b = await recipient(userset);
      await sendOk(h.server, v.token, b.id, 'first');
      const res = await send(h.server, v.token, b.id, 'second');
      expect(res.status, String(userset)).toBe(400);
      expect(res.body, String(userset)).toEqual(ONE_ONLY);
    }
  });

  it('allows a visitor any number with sendCount 2 and with the legacy setting', async () => {
    for (const userset of [chatset(2, 0), '{"chatset":{"visitor":0,"user":0}}']) {
      const v = await visitor(h.server);
      const b = await recipient(userset);
      expect(await statuses(v.token, b.id, 3), userset).toEqual([200, 200, 200]);
    }
  });

  it('gates by the DB role: a registered user holding a visitor-mode session is a user sender', async () => {
    const v = await visitor(h.server, 'user');
    const b = await recipient(chatset(0, 2));
    expect(await statuses(v.token, b.id, 2)).toEqual([200, 200]);
    const d = await recipient(chatset(2, 0));
    expect((await send(h.server, v.token, d.id, 'x')).body).toEqual(fail('对方设置成：需要您先成为他的好友才能发消息'));
  });

  it('names a visitor sender by nickname or username, never by a remark', async () => {
    const v = await visitor(h.server);
    const b = await recipient(chatset(0, 2));
    await raw.addFriendRow(b.id, v.id, { nickname: '访客备注' });
    await raw.addFriendRow(v.id, b.id, { nickname: '客服备注' });
    const m = await sendOk(h.server, v.token, b.id, 'x');
    expect(m).toMatchObject({ from_id: v.id, from_name: v.username, to_id: b.id, to_name: b.username, sendUUid: v.uuid });
    const nick = await h.server.client.post(
      '/api/chat/updateUserinfo',
      { fieldname: 'nickname', fieldValue: '游客甲' },
      { token: v.token },
    );
    expect(nick.status).toBe(200);
    expect(await sendOk(h.server, v.token, b.id, 'y')).toMatchObject({ from_name: '游客甲' });
  });

  it('lets a user send one message to a visitor by default (the customer-service case)', async () => {
    const v = await visitor(h.server);
    const agent = await h.server.client.register();
    await sendOk(h.server, agent.token, v.id, '您好');
    expect((await send(h.server, agent.token, v.id, '还在吗')).body).toEqual(ONE_ONLY);
    await setUserset(h.server, v.token, chatset(2, 2));
    await sendOk(h.server, agent.token, v.id, '还在吗');
  });
});
