import { describe, expect, it } from 'vitest';
import { barrier, drain, OK, online, quiet, range, send, sendOk, setUserset, textsFrom, UNLIMITED, UUID } from '../helpers/chat.js';
import { testDialects } from '../helpers/databases.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { Frame } from '../helpers/ws.js';

/**
 * Delivery of single-chat messages (spec §5.5, §5.6, §6.2, E20, E22; DESIGN §5): the push
 * envelope, options decoding, and the offline queue: everything arrives, in order, exactly once.
 */
const FIELDS = [
  'chatType',
  'create_time',
  'data',
  'from_avatar',
  'from_id',
  'from_name',
  'id',
  'isremove',
  'options',
  'sendUUid',
  'to_avatar',
  'to_id',
  'to_name',
  'type',
];

describeEachDialect('delivery: the push of one message (§5.5, §6.2)', (h) => {
  it('pushes {"type":"singleChat","data":<message>,"timestamp"} with data equal to the E20 answer', async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    const c = await online(h.server, b.token);
    const data = JSON.stringify({ data: '你好 <b>&amp;</b>', dataType: false, otherData: null });
    const options = { askanswer: false, list: [1, '二'], nested: { k: null } };
    const before = Date.now();
    const res = await h.server.client.post(
      '/api/chat/socket/sendmessage',
      { sendto_id: b.id, chatType: 'single', type: 'text', data, options: encodeURIComponent(JSON.stringify(options)) },
      { token: a.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    const m = res.body.data;
    const [ua, ub] = [await h.server.app.store.users.findById(a.id), await h.server.app.store.users.findById(b.id)];
    expect(m).toEqual({
      id: expect.stringMatching(UUID),
      from_avatar: ua?.avatar,
      from_name: a.username,
      from_id: a.id,
      to_id: b.id,
      to_name: b.username,
      to_avatar: ub?.avatar,
      chatType: 'single',
      type: 'text',
      data,
      options,
      create_time: expect.any(Number),
      isremove: 0,
      sendUUid: a.uuid,
    });
    expect(Object.keys(m).sort()).toEqual(FIELDS);
    expect(m.create_time).toBeGreaterThanOrEqual(before);
    expect(m.create_time).toBeLessThanOrEqual(Date.now());

    const frame = await c.next((f) => f?.type === 'singleChat' && f.data.id === m.id);
    expect(frame).toEqual({ type: 'singleChat', data: m, timestamp: expect.any(Number) });
    expect(Object.keys(frame).sort()).toEqual(['data', 'timestamp', 'type']);
    expect(frame.timestamp).toBeGreaterThanOrEqual(m.create_time);
    c.close();
  });

  it('decodes options from encodeURIComponent(JSON.stringify(obj)); anything undecodable is null', async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    await setUserset(h.server, b.token, UNLIMITED);
    const c = await online(h.server, b.token);
    const cases: [unknown, unknown][] = [
      [encodeURIComponent(JSON.stringify({ a: 1, b: '中文 & %', c: [true] })), { a: 1, b: '中文 & %', c: [true] }],
      ['{"plain":"json"}', { plain: 'json' }],
      ['%E0%A4%A', null],
      ['not json', null],
      [encodeURIComponent('{"a":'), null],
      ['', null],
      [undefined, null],
    ];
    for (const [options, decoded] of cases) {
      const extra = options === undefined ? {} : { options };
      const m = await sendOk(h.server, a.token, b.id, `opt ${String(options)}`, { type: 'image', ...extra });
      expect(m.options, String(options)).toEqual(decoded);
      expect(m.type).toBe('image');
      const pushed = await c.next((f) => f?.type === 'singleChat' && f.data.id === m.id);
      expect(pushed.data, String(options)).toEqual(m);
    }
    c.close();
  });

  it('does not push a message back to its sender', async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    const ca = await online(h.server, a.token);
    const cb = await online(h.server, b.token);
    await sendOk(h.server, a.token, b.id, 'to b');
    await cb.waitChats(1, (m) => m.from_id === a.id);
    await barrier(h.server, b, ca, a.id);
    expect(ca.chats((m) => m.from_id === a.id)).toEqual([]);
    expect(textsFrom(cb, a.id)).toEqual(['to b']);
    ca.close();
    cb.close();
  });

  it('pushes a message to myself once (no check that the recipient differs from me)', async () => {
    const a = await h.server.client.register();
    const c = await online(h.server, a.token);
    const m = await sendOk(h.server, a.token, a.id, 'note to self');
    expect(m).toMatchObject({ from_id: a.id, to_id: a.id });
    await c.waitChats(1, (x) => x.id === m.id);
    await quiet(h.server, [c, a.id]);
    expect(c.chats((x) => x.id === m.id)).toEqual([m]);
    c.close();
  });
});

describeEachDialect('delivery: the offline queue (E22, §11.17)', (h) => {
  const pair = async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    await setUserset(h.server, b.token, UNLIMITED);
    return { a, b };
  };

  it('delivers 200 offline messages on chatGetmessageOffLine, in order, once; a second call sends nothing new', async () => {
    const { a, b } = await pair();
    const sent: Frame[] = [];
    for (const text of range(200)) sent.push(await sendOk(h.server, a.token, b.id, text));
    const c = await online(h.server, b.token);
    expect(textsFrom(c, a.id)).toEqual([]);
    const res = await drain(h.server, b.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(OK);
    await c.waitChats(200, (m) => m.from_id === a.id);
    expect(c.chats((m) => m.from_id === a.id)).toEqual(sent);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await barrier(h.server, a, c, b.id);
    const texts = textsFrom(c, a.id);
    expect(texts).toHaveLength(201);
    expect(texts.slice(0, 200)).toEqual(range(200));
    c.close();
  });

  it('delivers messages sent while a drain runs exactly once, in order', async () => {
    const { a, b } = await pair();
    for (const text of range(100)) await sendOk(h.server, a.token, b.id, text);
    const c = await online(h.server, b.token);
    const draining = drain(h.server, b.token);
    for (let i = 100; i < 150; i++) await sendOk(h.server, a.token, b.id, `m${i}`);
    expect((await draining).body).toEqual(OK);
    await c.waitChats(150, (m) => m.from_id === a.id);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await barrier(h.server, a, c, b.id);
    const texts = textsFrom(c, a.id);
    expect(texts.slice(0, 150)).toEqual(range(150));
    expect(texts).toHaveLength(151);
    c.close();
  });

  it('does not repeat live messages on a later E22 or after a reconnect; sends what came in between', async () => {
    const { a, b } = await pair();
    const c1 = await online(h.server, b.token);
    for (const text of range(5, 'live')) await sendOk(h.server, a.token, b.id, text);
    await c1.waitChats(5, (m) => m.from_id === a.id);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await barrier(h.server, a, c1, b.id);
    expect(textsFrom(c1, a.id).slice(0, 5)).toEqual(range(5, 'live'));
    expect(textsFrom(c1, a.id)).toHaveLength(6);
    c1.close();
    await c1.closed();

    for (const text of range(3, 'away')) await sendOk(h.server, a.token, b.id, text);
    const c2 = await online(h.server, b.token);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await c2.waitChats(3, (m) => m.from_id === a.id);
    await barrier(h.server, a, c2, b.id);
    const texts = textsFrom(c2, a.id);
    expect(texts.slice(0, 3)).toEqual(range(3, 'away'));
    expect(texts).toHaveLength(4);
    c2.close();
  });

  it('keeps the messages when E22 is called without a socket', async () => {
    const { a, b } = await pair();
    for (const text of range(3)) await sendOk(h.server, a.token, b.id, text);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    const c = await online(h.server, b.token);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await c.waitChats(3, (m) => m.from_id === a.id);
    expect(textsFrom(c, a.id)).toEqual(range(3));
    c.close();
  });

  it('does not push or store a refused message', async () => {
    const a = await h.server.client.register();
    const b = await h.server.client.register();
    const c = await online(h.server, b.token);
    await sendOk(h.server, a.token, b.id, 'first');
    expect((await send(h.server, a.token, b.id, 'second')).status).toBe(400);
    await setUserset(h.server, b.token, UNLIMITED);
    await sendOk(h.server, a.token, b.id, 'third');
    await c.waitChats(2, (m) => m.from_id === a.id);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await barrier(h.server, a, c, b.id);
    expect(textsFrom(c, a.id).slice(0, 2)).toEqual(['first', 'third']);
    expect(textsFrom(c, a.id)).toHaveLength(3);
    c.close();
  });
});

for (const dialect of testDialects()) {
  describe(`delivery: a node that stores but never publishes [${dialect}]`, () => {
    it('answers ok and pushes nothing; another node on the same database delivers it all on E22', async () => {
      const s1 = await startServer({ dialect, faults: { skipPublish: true } });
      let s2: TestServer | undefined;
      try {
        const a = await s1.client.register();
        const b = await s1.client.register();
        await setUserset(s1, b.token, UNLIMITED);
        const c1 = await online(s1, b.token);
        const sent: Frame[] = [];
        for (const text of range(20)) {
          const res = await send(s1, a.token, b.id, text);
          expect(res.status).toBe(200);
          expect(res.body.msg).toBe('ok');
          sent.push(res.body.data);
        }
        // The node goes away (its database stays: s1.close() drops it at the end); its
        // sockets are dropped without a close frame, so that seed clients reconnect. Whatever
        // it wrote to the socket before has arrived once the socket is seen closed: nothing.
        await s1.app.close();
        expect(await c1.closed()).toBe(1006);
        expect(textsFrom(c1, a.id)).toEqual([]);

        s2 = await startServer({ dialect, databaseUrl: s1.databaseUrl });
        const c2 = await online(s2, b.token);
        expect((await drain(s2, b.token)).body).toEqual(OK);
        await c2.waitChats(20, (m) => m.from_id === a.id);
        expect(c2.chats((m) => m.from_id === a.id)).toEqual(sent);
        await barrier(s2, a, c2, b.id);
        expect(textsFrom(c2, a.id)).toHaveLength(21);
        c2.close();
      } finally {
        // s2 only borrows s1's database: close it first, s1 drops the database.
        await s2?.close();
        await s1.close();
      }
    });
  });
}
