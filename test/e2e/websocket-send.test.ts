import { afterAll, describe, expect, it } from 'vitest';
import { Conversation } from '../../src/domain/message.js';
import {
  chatset,
  ENTRY_COUNT,
  isEntry,
  online,
  quiet,
  sendOk,
  setUserset,
  textOf,
  UNLIMITED,
  users,
  visitor,
  type Account,
  type Any,
} from '../helpers/chat.js';
import { freshDatabase, tempDir, testDialects } from '../helpers/databases.js';
import { describeEachDialect, describeEachDialectWithServers } from '../helpers/dialects.js';
import { befriend, makeGroup } from '../helpers/groups.js';
import { ManualClock, startServer, type TestServer } from '../helpers/server.js';
import { groupBody, isAck, textBody, waitUntil, WsSender } from '../helpers/ws-send.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/**
 * Sending over the WebSocket (docs/protocol.md): a `send` frame is E20 over the socket. Same
 * parameters, session check and send rules as HTTP, the same pushes, an `ack` carrying the stored
 * message or HTTP's failure text, idempotent on the client id across sockets, nodes and restarts.
 * Seed clients, which never say hello, see nothing new.
 */
const SENDMESSAGE = '/api/chat/socket/sendmessage';
/** Room for E20's largest fields in one frame (the default WS_MAX_PAYLOAD is 64 KiB). */
const ENV = { WS_MAX_PAYLOAD: '1048576' };

/** Messages stored in a conversation, in commit order. */
const stored = (s: TestServer, conv: string) => s.app.store.messages.range(conv, 0, 1_000_000);

/** A sender and a recipient who takes any number of messages, the recipient's socket open. */
async function pair(s: TestServer): Promise<{ from: Account; to: Account; rx: WsClient }> {
  const [from, to] = await users(s, 2);
  await setUserset(s, to.token, UNLIMITED);
  return { from, to, rx: await online(s, to.token) };
}

/** What a failing send looks like on both paths: a fresh setup for each. */
interface FailCase {
  name: string;
  /** The text, when the case states it (the HTTP answer is always compared). */
  text?: string;
  setup(s: TestServer): Promise<{ token: string; body: Record<string, unknown> }>;
}

const strangers = async (s: TestServer, userset?: string) => {
  const [a, b] = await users(s, 2);
  if (userset) await setUserset(s, b.token, userset);
  return { a, b };
};

const FAIL_CASES: FailCase[] = [
  ...[
    ['no sendto_id', { sendto_id: undefined }, '接收人/群的id值不能为空'],
    ['an empty sendto_id', { sendto_id: '' }, '接收人/群的id值不能为空'],
    ['sendto_id not an int', { sendto_id: 'abc' }, undefined],
    ['sendto_id 0', { sendto_id: 0 }, undefined],
    ['an unknown chatType', { chatType: 'room' }, undefined],
    ['no type', { type: undefined }, '消息类型不能为空'],
    ['a type too long', { type: 'x'.repeat(51) }, undefined],
    ['no data', { data: undefined }, '消息内容不能为空'],
    ['data too long', { data: 'x'.repeat(65537) }, undefined],
    ['data with NUL', { data: 'a\u0000b' }, undefined],
  ].map(([name, patch, text]): FailCase => ({
    name: `validation: ${name as string}`,
    text: text as string | undefined,
    async setup(s) {
      const { a, b } = await strangers(s, UNLIMITED);
      return { token: a.token, body: { ...textBody(b.id, 'x'), ...(patch as object) } };
    },
  })),
  {
    name: 'recipient missing',
    text: '对方不存在或者被禁用，不能发消息',
    async setup(s) {
      const [a] = await users(s, 1);
      return { token: a.token, body: textBody(2_000_000_000, 'x') };
    },
  },
  {
    name: 'recipient disabled',
    text: '对方不存在或者被禁用，不能发消息',
    async setup(s) {
      const { a, b } = await strangers(s);
      await s.app.store.users.update(b.id, { status: 0 }, Date.now());
      return { token: a.token, body: textBody(b.id, 'x') };
    },
  },
  {
    name: 'not friends, recipient takes friends only',
    text: '对方设置成：需要您先成为他的好友才能发消息',
    async setup(s) {
      const { a, b } = await strangers(s, chatset(2, 0));
      return { token: a.token, body: textBody(b.id, 'x') };
    },
  },
  {
    name: 'one message before friendship',
    text: '在成为好友之前，对方只允许向他发一条消息',
    async setup(s) {
      const { a, b } = await strangers(s);
      await sendOk(s, a.token, b.id, 'the one');
      return { token: a.token, body: textBody(b.id, 'the second') };
    },
  },
  {
    name: 'blacklisted by the recipient',
    text: '对方把你拉黑了，不能发送消息',
    async setup(s) {
      const { a, b } = await strangers(s, UNLIMITED);
      await befriend(s, b, [a]);
      expect((await s.client.post(`/api/chat/setblackgoodfriend/${a.id}`, {}, { token: b.token })).status).toBe(200);
      return { token: a.token, body: textBody(b.id, 'x') };
    },
  },
  {
    name: 'a visitor, the recipient wants a login first',
    text: '你们不是好友关系，对方设置成：先登录才能发消息',
    async setup(s) {
      const v = await visitor(s);
      const [b] = await users(s, 1);
      await setUserset(s, b.token, chatset(0, 2));
      return { token: v.token, body: textBody(b.id, 'x') };
    },
  },
  {
    name: 'group missing',
    text: '群不存在或者已解散或者被封禁，无法发消息',
    async setup(s) {
      const [a] = await users(s, 1);
      return { token: a.token, body: groupBody(2_000_000_000, 'x') };
    },
  },
  {
    name: 'not in the group',
    text: '您不在群里，无法发消息',
    async setup(s) {
      const [owner, member, outsider] = await users(s, 3);
      const gid = await makeGroup(s, owner, [member]);
      return { token: outsider.token, body: groupBody(gid, 'x') };
    },
  },
];

describeEachDialect(
  'websocket send',
  (h) => {
    afterAll(() => {
      expect(h.server.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    });

    it('answers hello with the features it offers and its limits; only a socket that asked for send may send', async () => {
      const u = (await users(h.server, 1))[0];
      const w = await WsSender.open(h.server, u);
      const max = { frameBytes: 1048576, framesPerMinute: 600, inFlight: 64, cidLength: 64 };
      expect(w.c.frames.find((f) => f?.type === 'hello')).toEqual({ type: 'hello', features: ['send'], max });
      expect(await w.hello(undefined)).toEqual({ type: 'hello', features: ['send'], max });
      w.close();

      const other = new WsSender(await online(h.server, u.token));
      expect(await other.hello(['receipts', 'typing'])).toEqual({ type: 'hello', features: [], max });
      other.post('c1', textBody(u.id, 'not offered'));
      other.c.send('ping');
      await other.c.next((f) => f?.type === 'pong');
      expect(other.acks()).toEqual([]);
      other.close();
    });

    it('sends a single message: the ack carries the stored message, pushed to the receiver as over HTTP', async () => {
      const { from, to, rx } = await pair(h.server);
      const w = await WsSender.open(h.server, from);
      const ack = await w.send(textBody(to.id, 'over the socket', { options: encodeURIComponent('{"k":1}') }), 'cid-1');
      expect(ack).toEqual({ type: 'ack', cid: 'cid-1', msg: 'ok', data: expect.objectContaining({ chatType: 'single' }) });
      const push = await rx.next((f) => f?.type === 'singleChat' && f.data.id === ack.data.id);
      expect(push).toEqual({ type: 'singleChat', data: ack.data, timestamp: expect.any(Number) });
      const http = await sendOk(h.server, from.token, to.id, 'over HTTP', { options: encodeURIComponent('{"k":1}') });
      const viaHttp = await rx.next((f) => f?.type === 'singleChat' && f.data.id === http.id);
      expect(viaHttp.data).toEqual(http);
      // Field for field what HTTP answers, apart from the id, the time and the text.
      const strip = (m: Any) => ({ ...m, id: 'id', create_time: 0, data: '' });
      expect(strip(ack.data)).toEqual(strip(http));
      expect(ack.data).toMatchObject({ from_id: from.id, to_id: to.id, type: 'text', options: { k: 1 }, isremove: 0 });
      expect(textOf(ack.data)).toBe('over the socket');
      expect((await stored(h.server, Conversation.pair(from.id, to.id))).map((m) => JSON.parse(m.body).id)).toEqual([ack.data.id, http.id]);
      w.close();
      rx.close();
    });

    it('sends a group message: every other member gets it, the ack carries the group object', async () => {
      const [owner, m1, m2] = await users(h.server, 3);
      const gid = await makeGroup(h.server, owner, [m1, m2]);
      const sockets = [await online(h.server, m1.token), await online(h.server, m2.token)];
      const w = await WsSender.open(h.server, owner);
      const ack = await w.send(groupBody(gid, 'hello group'));
      expect(ack.msg).toBe('ok');
      expect(ack.data).toMatchObject({ chatType: 'group', to_id: gid, from_id: owner.id });
      expect(ack.data.group.group_users).toHaveLength(3);
      for (const c of sockets) expect((await c.next((f) => f?.data?.id === ack.data.id)).data).toEqual(ack.data);
      for (const c of [...sockets, w]) c.close();
    });

    it.each(FAIL_CASES.map((c) => [c.name, c] as const))('refuses as HTTP does: %s', async (_name, c) => {
      const viaHttp = await c.setup(h.server);
      const res = await h.server.client.post(SENDMESSAGE, viaHttp.body, { token: viaHttp.token });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      if (c.text !== undefined) expect(res.body).toEqual({ msg: 'fail', data: c.text });

      const viaWs = await c.setup(h.server);
      const w = await WsSender.open(h.server, viaWs.token);
      const ack = await w.send(viaWs.body, 'will-fail');
      expect(ack).toEqual({ type: 'ack', cid: 'will-fail', msg: 'fail', data: res.body.data });
      w.close();
    });

    it('a resend of the same cid stores nothing and acks with the stored message: in turn, at once, after a reconnect', async () => {
      const { from, to, rx } = await pair(h.server);
      let w = await WsSender.open(h.server, from);
      const first = await w.send(textBody(to.id, 'once'), 'same');
      const again = await w.send(textBody(to.id, 'once'), 'same');
      expect(again).toEqual(first);
      // Several at once (one frame after another, no waiting).
      for (let i = 0; i < 5; i++) w.post('burst', textBody(to.id, 'burst'));
      await waitUntil(() => w.acks('burst').length === 5);
      const burst = w.acks('burst');
      expect(new Set(burst.map((a) => a.data.id)).size).toBe(1);
      // A resend with other content is still that cid's message.
      expect((await w.send(textBody(to.id, 'changed'), 'same')).data).toEqual(first.data);
      // A new socket (the ack was lost with the old one).
      w.close();
      await w.c.closed();
      w = await WsSender.open(h.server, from);
      expect(await w.send(textBody(to.id, 'once'), 'same', { retry: true })).toEqual(first);
      await quiet(h.server, [rx, to.id]);
      expect(rx.chats((m) => m.from_id === from.id).map(textOf)).toEqual(['once', 'burst']);
      expect((await stored(h.server, Conversation.pair(from.id, to.id))).length).toBe(2);
      // The cid is the sender's: another sender's same cid is another message.
      const other = await WsSender.open(h.server, (await users(h.server, 1))[0]);
      const theirs = await other.send(textBody(to.id, 'once'), 'same');
      expect(theirs.msg).toBe('ok');
      expect(theirs.data.id).not.toBe(first.data.id);
      for (const c of [w, other, rx]) c.close();
    });

    it('concurrent sends of one cid commit once (the unique key decides)', async () => {
      const { from, to, rx } = await pair(h.server);
      const me = await h.server.app.store.users.findById(from.id);
      const input = { sendto_id: to.id, chatType: 'single' as const, type: 'text', data: 'raced', options: '' };
      const results = await Promise.all(Array.from({ length: 6 }, () => h.server.app.services.messages.sendOnce(me!, 'raced', input)));
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(results.filter((r) => !r.repeated)).toHaveLength(1);
      await quiet(h.server, [rx, to.id]);
      expect(rx.chats((m) => m.from_id === from.id)).toHaveLength(1);
      expect((await stored(h.server, Conversation.pair(from.id, to.id))).length).toBe(1);
      rx.close();
    });

    it('a resend marked retry is answered with the stored message even where the rules refuse it now; an unmarked one is checked first', async () => {
      const { a, b } = await strangers(h.server, UNLIMITED);
      const w = await WsSender.open(h.server, a);
      const first = await w.send(textBody(b.id, 'before'), 'kept');
      expect(first.msg).toBe('ok');
      await setUserset(h.server, b.token, chatset(2, 0));
      const unmarked = await w.send(textBody(b.id, 'before'), 'kept');
      expect(unmarked.msg).toBe('fail');
      expect(unmarked.data).toBe((await w.send(textBody(b.id, 'new'), 'other')).data);
      expect(await w.send(textBody(b.id, 'before'), 'kept', { retry: true })).toEqual(first);
      // A cid never stored, marked retry, is simply a send (checked, refused here).
      expect((await w.send(textBody(b.id, 'x'), 'never', { retry: true })).msg).toBe('fail');
      await setUserset(h.server, b.token, UNLIMITED);
      expect(await w.send(textBody(b.id, 'before'), 'kept')).toEqual(first);
      expect((await stored(h.server, Conversation.pair(a.id, b.id))).map((m) => JSON.parse(m.body).id)).toEqual([first.data.id]);
      // The record's key refusing an unmarked resend is an answer, not an error.
      expect(h.server.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
      w.close();
    });

    it('a failed send records nothing: the same cid is checked again', async () => {
      const { a, b } = await strangers(h.server, chatset(2, 0));
      const w = await WsSender.open(h.server, a);
      expect((await w.send(textBody(b.id, 'x'), 'retry-me')).msg).toBe('fail');
      await setUserset(h.server, b.token, UNLIMITED);
      expect((await w.send(textBody(b.id, 'x'), 'retry-me')).msg).toBe('ok');
      w.close();
    });

    it('keeps the order of a socket sends per conversation, acks in commit order with the pushes', async () => {
      const { from, to, rx } = await pair(h.server);
      await setUserset(h.server, from.token, UNLIMITED);
      const w = await WsSender.open(h.server, from);
      const texts = Array.from({ length: 40 }, (_, i) => `n${i}`);
      // The receiver talks back over HTTP meanwhile: the sender's socket gets both kinds.
      const replies = (async () => {
        for (let i = 0; i < 10; i++) await sendOk(h.server, to.token, from.id, `r${i}`);
      })();
      texts.forEach((t, i) => w.post(`o${i}`, textBody(to.id, t)));
      await waitUntil(() => w.acks().length === texts.length);
      await replies;
      expect(w.acks().map((a) => a.cid)).toEqual(texts.map((_, i) => `o${i}`));
      expect(w.acks().every((a) => a.msg === 'ok')).toBe(true);
      await quiet(h.server, [rx, to.id], [w.c, from.id]);
      expect(rx.chats((m) => m.from_id === from.id).map(textOf)).toEqual(texts);
      // On the sender's socket, acks and pushes of the conversation leave in commit order.
      const order = (await stored(h.server, Conversation.pair(from.id, to.id))).map((m) => JSON.parse(m.body).id);
      const seen = w.c.frames
        .filter((f) => f?.type === 'ack' || (f?.type === 'singleChat' && f.data.from_id === to.id))
        .map((f) => f.data.id);
      expect(seen).toEqual(order);
      for (const c of [w, rx]) c.close();
    });

    it('a seed client that never says hello sees exactly what it saw before: send frames are ignored like any unknown frame', async () => {
      const { from, to, rx } = await pair(h.server);
      const c = await WsClient.ready(h.server.url, from.token);
      await c.waitChats(ENTRY_COUNT, isEntry);
      c.send(JSON.stringify({ type: 'send', cid: 'seed', body: textBody(to.id, 'nope') }));
      c.send(JSON.stringify({ type: 'ack', cid: 'seed' }));
      c.send('{not json');
      c.send(JSON.stringify({ type: 'ping' }));
      await c.next((f) => f?.type === 'pong');
      await quiet(h.server, [c, from.id], [rx, to.id]);
      const kinds = c.frames.map((f) => (f?.type === 'singleChat' ? (isEntry(f.data) ? 'entry' : 'chat') : f?.type));
      expect(kinds).toEqual(['system', ...Array(ENTRY_COUNT).fill('entry'), 'pong', 'chat']);
      expect(c.frames[0]).toEqual({ type: 'system', data: '欢迎您访问我们的系统！', timestamp: expect.any(Number) });
      expect(rx.chats((m) => m.from_id === from.id)).toEqual([]);
      expect(await stored(h.server, Conversation.pair(from.id, to.id))).toEqual([]);
      for (const x of [c, rx]) x.close();
    });

    it('answers malformed send frames with a fail ack when the cid is readable, else ignores them; never closes', async () => {
      const { from, to, rx } = await pair(h.server);
      const w = await WsSender.open(h.server, from);
      w.c.send('{"type":"send","cid":"x",');
      w.post(undefined, textBody(to.id, 'no cid'));
      w.post(42, textBody(to.id, 'numeric cid'));
      expect(await w.send(textBody(to.id, 'x'), 'c'.repeat(65))).toEqual({
        type: 'ack',
        cid: 'c'.repeat(65),
        msg: 'fail',
        data: '客户端消息id 的长度 必须 在 1 和 64 之间',
      });
      expect((await w.send(textBody(to.id, 'x'), '')).data).toBe('客户端消息id不能为空');
      expect((await w.send(undefined, 'no-body')).data).toBe('接收人/群的id值不能为空');
      expect((await w.send('sendto_id=1', 'text-body')).data).toBe('接收人/群的id值不能为空');
      expect((await w.send(textBody(to.id, 'fine'), 'fine')).msg).toBe('ok');
      expect(w.acks().map((a) => a.cid)).toEqual(['c'.repeat(65), '', 'no-body', 'text-body', 'fine']);
      expect(w.c.closeCode).toBeUndefined();
      for (const c of [w, rx]) c.close();
    });

    it('refuses sends beyond the in-flight bound at once, with a fail ack each', async () => {
      const { from, to, rx } = await pair(h.server);
      const w = await WsSender.open(h.server, from);
      const n = 150;
      for (let i = 0; i < n; i++) w.post(`f${i}`, textBody(to.id, `f${i}`));
      await waitUntil(() => w.acks().length === n);
      const refused = w.acks().filter((a) => a.msg === 'fail');
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused.map((a) => a.data))).toEqual(new Set(['发送过于频繁，请稍后再试']));
      await quiet(h.server, [rx, to.id]);
      expect(rx.chats((m) => m.from_id === from.id)).toHaveLength(n - refused.length);
      for (const c of [w, rx]) c.close();
    });

    it('a socket that does not receive cannot send: an older one of the session, one of a session logged out', async () => {
      const { from, to, rx } = await pair(h.server);
      const older = await WsSender.open(h.server, from);
      const newer = await WsSender.open(h.server, from);
      expect(await older.send(textBody(to.id, 'from the older socket'), 'old')).toEqual({
        type: 'ack',
        cid: 'old',
        msg: 'fail',
        data: '此连接已不是当前连接，请用新连接发送',
      });
      expect((await newer.send(textBody(to.id, 'from the newer socket'))).msg).toBe('ok');
      expect((await h.server.client.post('/api/chat/logout', {}, { token: from.token })).status).toBe(200);
      const http = await h.server.client.post(SENDMESSAGE, textBody(to.id, 'x'), { token: from.token });
      expect(http.body).toEqual({ msg: 'fail', data: 'Token 令牌不合法！' });
      for (const w of [newer, older]) {
        expect(await w.send(textBody(to.id, 'after logout'), 'late')).toEqual({
          type: 'ack',
          cid: 'late',
          msg: 'fail',
          data: http.body.data,
        });
        expect(w.c.closeCode).toBeUndefined();
      }
      await quiet(h.server, [rx, to.id]);
      expect(rx.chats((m) => m.from_id === from.id).map(textOf)).toEqual(['from the newer socket']);
      for (const c of [older, newer, rx]) c.close();
    });

    it('a session replaced by a login elsewhere cannot send over its old socket', async () => {
      const { from, to, rx } = await pair(h.server);
      const w = await WsSender.open(h.server, from);
      const login = await h.server.client.post('/api/loginChat', { username: from.username, password: '123456' });
      expect(login.status).toBe(200);
      w.post('superseded', textBody(to.id, 'from the replaced session'));
      // Either refused as HTTP refuses the old token, or the socket is closed (4001) first.
      expect(await w.c.closed()).toBe(4001);
      expect(w.acks('superseded').map((a) => a.data)).toEqual(w.acks('superseded').length ? ['Token 令牌不合法！'] : []);
      const fresh = await WsSender.open(h.server, login.body.data.token);
      expect((await fresh.send(textBody(to.id, 'from the new session'))).msg).toBe('ok');
      await quiet(h.server, [rx, to.id]);
      expect(rx.chats((m) => m.from_id === from.id).map(textOf)).toEqual(['from the new session']);
      for (const c of [fresh, rx]) c.close();
    });
  },
  { env: ENV },
);

describeEachDialectWithServers('websocket send: client ids are kept a day', (start) => {
  it('housekeeping forgets a client id after 24 hours: a resend then is a new message', async () => {
    const clock = new ManualClock();
    const s = await start({ clock });
    const [from, to] = await users(s, 2);
    await setUserset(s, to.token, UNLIMITED);
    const w = await WsSender.open(s, from);
    const first = await w.send(textBody(to.id, 'kept a day'), 'daily');
    clock.advance(23 * 3_600_000);
    await s.app.services.housekeeping.run();
    expect(await w.send(textBody(to.id, 'kept a day'), 'daily')).toEqual(first);
    clock.advance(2 * 3_600_000);
    await s.app.services.housekeeping.run();
    const later = await w.send(textBody(to.id, 'kept a day'), 'daily');
    expect(later.msg).toBe('ok');
    expect(later.data.id).not.toBe(first.data.id);
    w.close();
  });
});

describeEachDialectWithServers('websocket send across a restart', (_start, dialect) => {
  it('a resend after the server restarted stores nothing twice', async () => {
    const db = await freshDatabase(dialect, tempDir());
    try {
      let s = await startServer({ dialect, databaseUrl: db.url });
      const [from, to] = await users(s, 2);
      await setUserset(s, to.token, UNLIMITED);
      let w = await WsSender.open(s, from);
      const first = await w.send(textBody(to.id, 'before the restart'), 'durable');
      expect(first.msg).toBe('ok');
      w.close();
      await s.close();
      s = await startServer({ dialect, databaseUrl: db.url });
      try {
        w = await WsSender.open(s, from);
        expect(await w.send(textBody(to.id, 'before the restart'), 'durable')).toEqual(first);
        const rx = await online(s, to.token);
        await s.client.post('/api/chat/chatGetmessageOffLine', {}, { token: to.token });
        await quiet(s, [rx, to.id]);
        expect(rx.chats((m) => m.from_id === from.id).map((m: Frame) => m.id)).toEqual([first.data.id]);
        for (const c of [w, rx]) c.close();
      } finally {
        await s.close();
      }
    } finally {
      await db.drop();
    }
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
for (const dialect of redisUrl === undefined ? [] : testDialects()) {
  describe(`websocket send on two nodes over Redis [${dialect}]`, () => {
    it('sender on node A, receiver on node B; a resend of the cid on node B after a reconnect stores nothing twice', async () => {
      const env = { REDIS_URL: redisUrl as string };
      const a = await startServer({ dialect, env });
      const b = await startServer({ dialect, env, databaseUrl: a.databaseUrl });
      try {
        const from = await a.client.register();
        const to = await b.client.register();
        await setUserset(b, to.token, UNLIMITED);
        const rx = await online(b, to.token);
        let w = await WsSender.open(a, from);
        const first = await w.send(textBody(to.id, 'across nodes'), 'travel');
        expect(first.msg).toBe('ok');
        expect((await rx.next((f) => f?.data?.id === first.data.id)).data).toEqual(first.data);
        w.close();
        await w.c.closed();
        w = await WsSender.open(b, from);
        expect(await w.send(textBody(to.id, 'across nodes'), 'travel')).toEqual(first);
        // Both nodes at once with one new cid: one message.
        const me = await b.app.store.users.findById(from.id);
        const input = { sendto_id: to.id, chatType: 'single' as const, type: 'text', data: 'both', options: '' };
        const [x, y] = await Promise.all([
          a.app.services.messages.sendOnce(me!, 'both', input),
          b.app.services.messages.sendOnce(me!, 'both', input),
        ]);
        expect(x.message.id).toBe(y.message.id);
        await quiet(b, [rx, to.id]);
        expect(rx.chats((m) => m.from_id === from.id).map(textOf)).toEqual(['across nodes', 'both']);
        expect((await stored(a, Conversation.pair(from.id, to.id))).length).toBe(2);
        expect(w.c.frames.filter(isAck('travel'))).toHaveLength(1);
        for (const c of [w, rx]) c.close();
      } finally {
        await b.close();
        await a.close();
      }
    });
  });
}
