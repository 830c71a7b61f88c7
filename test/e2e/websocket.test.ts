import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { barrier, ENTRY_COUNT, fail, isEntry, isKick, sendOk, setUserset, textOf, textsFrom, UNLIMITED, visitor } from '../helpers/chat.js';
import { testDialects } from '../helpers/databases.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { ManualClock, startServer, TEST_SECRET, type TestServer } from '../helpers/server.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/** The WebSocket endpoint (spec §5.1, §5.3, §5.4; §11.5): handshake, client frames, one live socket per account. */
const ANOMALY =
  /^您的账号于 \d{4}年\d{2}月\d{2}日 \d{2}:\d{2}:\d{2} 尝试在其它设备上登录，如果不是您的操作，那么您的账号密码可能已泄露，请及时修改密码$/;

/** Opens a socket that the server must refuse; answers the frames it got and the close code. */
async function refused(s: TestServer, token?: string): Promise<{ frames: Frame[]; code: number }> {
  const c = await WsClient.connect(s.url, token);
  const code = await c.closed();
  return { frames: c.frames, code };
}

function expectRefusal(r: { frames: Frame[]; code: number }, reason: string): void {
  expect(r.frames).toEqual([fail(reason)]);
  // As the original: a close frame without a status code (seen as 1005), not a dropped connection (1006).
  expect(r.code).toBe(1005);
}

const pongs = (c: WsClient) => c.frames.filter((f) => f?.type === 'pong');

describeEachDialect('websocket: handshake (§5.1, §11.5)', (h) => {
  it('refuses a socket without a token, or with an empty one: "缺少 token 参数", then closes', async () => {
    expectRefusal(await refused(h.server), '缺少 token 参数');
    expectRefusal(await refused(h.server, ''), '缺少 token 参数');
  });

  it('refuses garbage and foreign-signed tokens: "Token 不合法"', async () => {
    const u = await h.server.client.register();
    expectRefusal(await refused(h.server, 'garbage'), 'Token 不合法');
    expectRefusal(await refused(h.server, 'a.b.c'), 'Token 不合法');
    const [head, body] = u.token.split('.');
    expectRefusal(await refused(h.server, `${head}.${body}.${'x'.repeat(43)}`), 'Token 不合法');
  });

  it('refuses a logged-out token and a superseded token: "Token 不合法" (§11.5)', async () => {
    const out = await h.server.client.register();
    expect((await h.server.client.post('/api/chat/logout', {}, { token: out.token })).body).toEqual({ msg: 'ok', data: true });
    expectRefusal(await refused(h.server, out.token), 'Token 不合法');

    const old = await h.server.client.register();
    const again = await h.server.client.post('/api/loginChat', { username: old.username, password: '123456' });
    expect(again.status).toBe(200);
    expectRefusal(await refused(h.server, old.token), 'Token 不合法');
    const fresh = await WsClient.ready(h.server.url, again.body.data.token);
    fresh.close();
  });

  const forge = (sub: string, uuid: string = randomUUID()) =>
    new SignJWT({ uuid, role: 'user', sid: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET));

  it('refuses a well-signed token whose user id does not exist: "用户不存在"', async () => {
    expectRefusal(await refused(h.server, await forge('987654321')), '用户不存在');
  });

  it('refuses a well-signed token of a real user that is not their current session, and keeps their socket', async () => {
    const u = await h.server.client.register();
    const live = await WsClient.ready(h.server.url, u.token);
    expectRefusal(await refused(h.server, await forge(String(u.id), u.uuid)), 'Token 不合法');
    const peer = await h.server.client.register();
    await barrier(h.server, peer, live, u.id);
    expect(live.closeCode).toBeUndefined();
    live.close();
  });

  it('refuses a disabled user: "你已被管理员禁用"', async () => {
    const u = await h.server.client.register();
    await h.server.app.store.users.update(u.id, { status: 0 }, Date.now());
    expectRefusal(await refused(h.server, u.token), '你已被管理员禁用');
  });

  it('refuses to upgrade on any path but /ws', async () => {
    const u = await h.server.client.register();
    for (const path of ['/', '/wss', '/ws/x', '/api/ws', '/socket']) {
      await expect(WsClient.connect(h.server.url, u.token, path), path).rejects.toThrow(/upgrade refused: 404/);
    }
    const ok = await WsClient.ready(h.server.url, u.token);
    ok.close();
  });

  it('greets an accepted socket with the welcome frame first', async () => {
    const u = await h.server.client.register();
    const c = await WsClient.connect(h.server.url, u.token);
    const welcome = await c.next((f) => f?.type === 'system');
    expect(welcome).toEqual({ type: 'system', data: '欢迎您访问我们的系统！', timestamp: expect.any(Number) });
    expect(Math.abs(welcome.timestamp - Date.now())).toBeLessThan(60_000);
    expect(c.frames[0]).toBe(welcome);
    c.close();
  });
});

describeEachDialect('websocket: client frames (§5.3)', (h) => {
  const open = async () => {
    const u = await h.server.client.register();
    return { u, c: await WsClient.ready(h.server.url, u.token) };
  };

  it('answers the bare text "ping", also as a binary frame', async () => {
    const { c } = await open();
    c.send('ping');
    expect(await c.next((f) => f?.type === 'pong')).toEqual({ type: 'pong', timestamp: expect.any(Number) });
    c.ws.send(Buffer.from('ping'), { binary: true });
    await c.next(() => pongs(c).length === 2);
    c.close();
  });

  it('answers {"type":"ping"} without a token and with a valid token', async () => {
    const { u, c } = await open();
    c.send(JSON.stringify({ type: 'ping' }));
    await c.next(() => pongs(c).length === 1);
    c.send(JSON.stringify({ type: 'ping', token: u.token }));
    await c.next(() => pongs(c).length === 2);
    for (const p of pongs(c)) expect(p).toEqual({ type: 'pong', timestamp: expect.any(Number) });
    c.close();
  });

  it('does not answer a ping with a bad token, a pong, or anything else, and stays open', async () => {
    const { u, c } = await open();
    await c.waitChats(ENTRY_COUNT, isEntry); // the entry notices come first
    const before = c.frames.length;
    for (const text of [
      JSON.stringify({ type: 'ping', token: 'bad' }),
      JSON.stringify({ type: 'pong' }),
      'junk',
      'PING',
      'null',
      '[]',
      '"ping"',
      JSON.stringify({ type: 'singleChat', data: { to_id: u.id } }),
    ]) {
      c.send(text);
    }
    c.send(JSON.stringify({ type: 'ping', token: u.token }));
    await c.next(() => pongs(c).length >= 1);
    // A marker: a bare ping is answered at once, after whatever the frames before it caused.
    c.send('ping');
    await c.next(() => pongs(c).length >= 2);
    expect(c.frames.slice(before)).toEqual([
      { type: 'pong', timestamp: expect.any(Number) },
      { type: 'pong', timestamp: expect.any(Number) },
    ]);
    expect(c.closeCode).toBeUndefined();
    c.close();
  });
});

describeEachDialect('websocket: sockets and sessions (§5.2, §5.4, docs/delivery.md)', (h) => {
  it('a login on another device sends the old socket the account-anomaly notice, then closes it with 4001', async () => {
    const u = await h.server.client.register();
    const old = await WsClient.ready(h.server.url, u.token);
    const login = await h.server.client.post('/api/loginChat', { username: u.username, password: '123456' });
    expect(login.status).toBe(200);
    const notice = (await old.next(isKick)).data;
    expect(notice).toMatchObject({
      from_name: '账号异常提示',
      from_id: 0,
      msgidKey: `redirect-forceLogout-${u.id}`,
      to_id: u.id,
      chatType: 'single',
      type: 'text',
    });
    expect(notice.data.data.startsWith('您的账号于 ')).toBe(true);
    expect(notice.data.data).toContain('尝试在其它设备上登录');
    expect(notice.data.data).toMatch(ANOMALY);
    expect(await old.closed()).toBe(4001);
    expect(old.frames.at(-1)?.data).toEqual(notice);

    const now = await WsClient.ready(h.server.url, login.body.data.token);
    const peer = await h.server.client.register();
    await barrier(h.server, peer, now, u.id);
    expect(now.frames.filter(isKick)).toEqual([]);
    expect(now.closeCode).toBeUndefined();
    now.close();
  });

  it('several sockets of one session stay open; only the newest receives, and an older one takes over when it closes', async () => {
    const u = await h.server.client.register();
    const peer = await h.server.client.register();
    await setUserset(h.server, u.token, UNLIMITED);
    const first = await WsClient.ready(h.server.url, u.token);
    const second = await WsClient.ready(h.server.url, u.token);
    const third = await WsClient.ready(h.server.url, u.token);
    await barrier(h.server, peer, third, u.id, 'to-third');
    for (const c of [first, second]) {
      expect(c.chats((m) => m.from_id === peer.id)).toEqual([]);
      expect(c.frames.filter(isKick)).toEqual([]);
    }
    third.close();
    expect(await third.closed()).toBe(1005);
    // the newest remaining socket takes over; the oldest still stands by
    await barrier(h.server, peer, second, u.id, 'to-second');
    expect(first.chats((m) => m.from_id === peer.id)).toEqual([]);
    for (const c of [first, second]) expect(c.closeCode).toBeUndefined();
    expect(textsFrom(third, peer.id)).toEqual([expect.stringMatching(/^to-third-/)]);
    first.close();
    second.close();
  });

  it('a socket that takes over first sends what was stored while it stood by', async () => {
    const u = await h.server.client.register();
    const peer = await h.server.client.register();
    await setUserset(h.server, u.token, UNLIMITED);
    const older = await WsClient.ready(h.server.url, u.token);
    const newer = await WsClient.ready(h.server.url, u.token);
    await barrier(h.server, peer, newer, u.id, 'before');
    // The receiving socket vanishes without a close frame while messages arrive.
    newer.ws.terminate();
    for (const text of ['m1', 'm2', 'm3']) await sendOk(h.server, peer.token, u.id, text);
    await older.waitChats(3, (m) => m.from_id === peer.id && /^m\d$/.test(textOf(m)));
    await barrier(h.server, peer, older, u.id, 'after');
    expect(textsFrom(older, peer.id).filter((t) => !t.startsWith('after'))).toEqual(['m1', 'm2', 'm3']);
    older.close();
  });

  it('logout: the socket stays open but receives nothing; its token opens no new socket', async () => {
    const u = await h.server.client.register();
    const peer = await h.server.client.register();
    const c = await WsClient.ready(h.server.url, u.token);
    expect((await h.server.client.post('/api/chat/logout', {}, { token: u.token })).body).toEqual({ msg: 'ok', data: true });
    expectRefusal(await refused(h.server, u.token), 'Token 不合法');
    const login = await h.server.client.post('/api/loginChat', { username: u.username, password: '123456' });
    const now = await WsClient.ready(h.server.url, login.body.data.token);
    await barrier(h.server, peer, now, u.id);
    expect(c.chats((m) => m.from_id === peer.id)).toEqual([]);
    expect(c.frames.filter(isKick)).toEqual([]);
    expect(c.closeCode).toBeUndefined();
    c.close();
    now.close();
  });

  it('a visitor-mode session of the account started elsewhere ends the user socket', async () => {
    const v = await visitor(h.server, 'user');
    // `visitor()` left the account in a visitor-mode session: log in again for a user socket
    const login = await h.server.client.post('/api/loginChat', { username: v.username, password: '123456' });
    const c = await WsClient.ready(h.server.url, login.body.data.token);
    const user = await h.server.app.store.users.findById(v.id);
    if (!user) throw new Error('user vanished');
    await h.server.app.services.auth.startSession(user, 'visitor');
    expect(await c.closed()).toBe(4001);
  });

  it('disabling an account (the service the admin command uses) closes every socket of it and refuses its tokens', async () => {
    const u = await h.server.client.register();
    const retired = await WsClient.ready(h.server.url, u.token);
    await h.server.client.post('/api/chat/logout', {}, { token: u.token });
    const login = await h.server.client.post('/api/loginChat', { username: u.username, password: '123456' });
    const token = login.body.data.token as string;
    const [standing, receiving] = [await WsClient.ready(h.server.url, token), await WsClient.ready(h.server.url, token)];
    expect(await h.server.app.services.auth.disable(u.id)).toBe(true);
    for (const c of [retired, standing, receiving]) {
      expect(await c.closed()).toBe(4003);
      expect(c.frames.at(-1)).toEqual(fail('你已被管理员禁用'));
    }
    expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token })).body).toEqual(fail('Token 令牌不合法！'));
    expect((await h.server.client.post('/api/loginChat', { username: u.username, password: '123456' })).body).toEqual(
      fail('账号不存在或者被禁用'),
    );
    expect(await h.server.app.services.auth.enable(u.id)).toBe(true);
    expect((await h.server.client.post('/api/loginChat', { username: u.username, password: '123456' })).status).toBe(200);
    expect(await h.server.app.services.auth.disable(987654321)).toBe(false);
  });

  it('counts open sockets in natter_ws_connections, standing-by ones included, and forgets closed ones', async () => {
    const gauge = async () => Number(/^natter_ws_connections (\d+)/m.exec((await h.server.client.get('/metrics')).body as string)?.[1]);
    const base = await gauge();
    const u = await h.server.client.register();
    const sockets = [];
    for (let i = 0; i < 3; i++) sockets.push(await WsClient.ready(h.server.url, u.token));
    expect(await gauge()).toBe(base + 3);
    for (const c of sockets) {
      c.close();
      await c.closed();
    }
    await expect.poll(gauge).toBe(base);
  });
});

for (const dialect of testDialects()) {
  describe(`websocket: clock-driven handshake and notice [${dialect}]`, () => {
    const started: TestServer[] = [];
    afterEach(async () => {
      for (const s of started.splice(0)) await s.close();
    });
    const start = async (clock: ManualClock, env: Record<string, string> = {}) => {
      const s = await startServer({ dialect, clock, env });
      started.push(s);
      return s;
    };

    it('refuses an expired token: "token 已过期"', async () => {
      const clock = new ManualClock();
      const s = await start(clock, { TOKEN_TTL: '60' });
      const u = await s.client.register();
      clock.advance(59_000);
      (await WsClient.ready(s.url, u.token)).close();
      clock.advance(2_000);
      expectRefusal(await refused(s, u.token), 'token 已过期');
    });

    it('stops answering {"type":"ping","token"} once that token expired; a bare ping is still answered', async () => {
      const clock = new ManualClock();
      const s = await start(clock, { TOKEN_TTL: '60' });
      const u = await s.client.register();
      const c = await WsClient.ready(s.url, u.token);
      clock.advance(61_000);
      c.send(JSON.stringify({ type: 'ping', token: u.token }));
      c.send('ping');
      await c.next(() => pongs(c).length >= 1);
      // A marker: a bare ping is answered at once, after whatever the frames before it caused.
      c.send('ping');
      await c.next(() => pongs(c).length >= 2);
      expect(pongs(c)).toHaveLength(2);
      c.close();
    });

    it('sends {"type":"ping"} every WS_PING_INTERVAL_SECONDS and keeps a socket that answers protocol pings', async () => {
      const s = await start(new ManualClock(), { WS_PING_INTERVAL_SECONDS: '1' });
      const u = await s.client.register();
      const c = await WsClient.ready(s.url, u.token);
      const pings = () => c.frames.filter((f) => f?.type === 'ping');
      await c.next(() => pings().length >= 2, 5000);
      expect(pings()[0]).toEqual({ type: 'ping' });
      expect(c.closeCode).toBeUndefined();
      c.close();
    });

    it('words the anomaly time as +08:00 "yyyy年MM月dd日 HH:mm:ss" in a full notice object', async () => {
      const s = await start(new ManualClock(Date.UTC(2025, 2, 7, 1, 5, 3)));
      const u = await s.client.register();
      const old = await WsClient.ready(s.url, u.token);
      await s.client.post('/api/loginChat', { username: u.username, password: '123456' });
      const frame = await old.next(isKick);
      const user = await s.app.store.users.findById(u.id);
      expect(frame).toEqual({
        type: 'singleChat',
        timestamp: expect.any(Number),
        data: {
          id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
          from_avatar: '/public/defaults/kefu.png',
          from_name: '账号异常提示',
          from_id: 0,
          to_id: u.id,
          to_name: u.username,
          to_avatar: user?.avatar,
          chatType: 'single',
          type: 'text',
          data: {
            data: '您的账号于 2025年03月07日 09:05:03 尝试在其它设备上登录，如果不是您的操作，那么您的账号密码可能已泄露，请及时修改密码',
            dataType: false,
            otherData: null,
          },
          redirect: null,
          options: {},
          create_time: Date.UTC(2025, 2, 7, 1, 5, 3),
          isremove: 0,
          group: {},
          msgidKey: `redirect-forceLogout-${u.id}`,
        },
      });
      expect(await old.closed()).toBe(4001);
    });
  });
}
