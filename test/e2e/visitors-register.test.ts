import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { chatset, fail, ISO, LOCAL, ok, send, sendOk, setUserset } from '../helpers/chat.js';
import { LOGIN_KEYS } from '../helpers/client.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { ManualClock } from '../helpers/server.js';
import { newDevice, VisitorClient } from '../helpers/visitor-client.js';

/** E13 visitorRegister (spec §7.4), the rights of its token (§1.6) and visitor senders in E20 (§8.1). */
const NO_RIGHT = fail('您没有权限访问，请先注册或登录');
const TOKEN_INVALID = fail('Token 令牌不合法！');
const clock = new ManualClock();
/** An 8-character prefix of letters and digits, mixed case. */
const prefix8 = () => `Ab${randomBytes(3).toString('hex')}`;

describeEachDialect(
  'visitors: E13 visitorRegister',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);
    const stats = { uniplatform: 'app-android', devicemodel: 'Pixel 8', deviceos: 'android', devicebrand: 'google' };

    it('creates VIS + the first 8 characters (case kept) as a visitor bound to the device (in lower case) and logs in like loginChat', async () => {
      const p = prefix8();
      const sent = newDevice(p);
      const d = sent.toLowerCase();
      const res = await v.register(sent, stats);
      expect(res.status).toBe(200);
      expect(res.body.msg).toBe('ok');
      const u = res.body.data;
      expect(Object.keys(u).sort()).toEqual(LOGIN_KEYS);
      expect(u).toMatchObject({ username: `VIS${p}`, role: 'visitor', devicefingeruuid: d, status: 1, ...stats });
      expect(u.token).toEqual(expect.any(String));
      expect(u.last_login).toMatch(ISO);
      expect(u.register_time).toMatch(ISO);
      expect(u.update_time).toMatch(ISO);
      expect(u.create_time).toMatch(LOCAL);
      const row = await h.server.app.store.users.findById(u.id);
      expect(row).toMatchObject({ username: `VIS${p}`, role: 'visitor', devicefingeruuid: d, status: 1, ...stats });
      expect(row?.last_login).toBe(clock.now());
      // a user_info row was made: the public profile has one
      const profile = await h.server.client.get(`/api/userinfo/${u.uuid}`);
      expect(profile.body.data).toMatchObject({ id: u.id, username: `VIS${p}`, role: 'visitor' });
      expect(profile.body.data.userinfo).not.toBeNull();
      // the token works on a whitelisted route
      expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: u.token })).body).toEqual(ok('ok'));
    });

    it('logs the device back into the same account without a password; device fields are updated after the answer', async () => {
      const d = newDevice();
      const first = (await v.register(d, stats)).body.data;
      clock.advance(1000);
      const second = await v.register(d, { uniplatform: 'h5', devicemodel: 'iPhone', deviceos: 'ios', devicebrand: 'apple' });
      expect(second.status).toBe(200);
      expect(second.body.data).toMatchObject({
        id: first.id,
        uuid: first.uuid,
        username: first.username,
        role: 'visitor',
        devicefingeruuid: d,
        ...stats,
      });
      expect(second.body.data.token).not.toBe(first.token);
      expect(Date.parse(second.body.data.last_login)).toBe(clock.now());
      expect(await h.server.app.store.users.findById(first.id)).toMatchObject({
        uniplatform: 'h5',
        devicemodel: 'iPhone',
        deviceos: 'ios',
        devicebrand: 'apple',
      });
      // the device joined its own session: the token it got first keeps working (a client that
      // signs in twice at once must not be signed out by its own second request)
      expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: first.token })).body).toEqual(ok('ok'));
      const third = (await v.register(d)).body.data;
      expect(third).toMatchObject({ id: first.id, uniplatform: 'h5', devicemodel: 'iPhone', deviceos: 'ios', devicebrand: 'apple' });
      expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: third.token })).body).toEqual(ok('ok'));
    });

    it('concurrent sign-ins from one device end in one session: every token they got works', async () => {
      const d = newDevice();
      const answers = await Promise.all([v.register(d), v.register(d), v.register(d)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.data.id)).size).toBe(1);
      for (const a of answers) {
        expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: a.body.data.token })).body).toEqual(ok('ok'));
      }
    });

    it("a visitor's sign-in does not end a session of the same account started elsewhere", async () => {
      const d = newDevice();
      const first = (await v.register(d)).body.data;
      const user = await h.server.app.store.users.findById(first.id);
      if (!user) throw new Error('user vanished');
      const other = await h.server.app.services.auth.startSession(user, 'visitor');
      const again = (await v.register(d)).body.data;
      // the session started without a device is replaced: its token ends, the new one works
      expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: other.token })).body).toEqual(TOKEN_INVALID);
      expect((await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: again.token })).body).toEqual(ok('ok'));
    });

    it('gives devices sharing the first 8 characters distinct accounts (suffixed name), never a 500', async () => {
      const p = prefix8();
      const [d1, d2, d3] = [newDevice(p), newDevice(p), newDevice(p)];
      const a = (await v.register(d1)).body.data;
      const b = await v.register(d2);
      expect(b.status).toBe(200);
      expect(b.body.data.username).not.toBe(a.username);
      expect(b.body.data.username.startsWith(`VIS${p}`)).toBe(true);
      expect(b.body.data).toMatchObject({ role: 'visitor', devicefingeruuid: d2.toLowerCase() });
      expect(b.body.data.id).not.toBe(a.id);
      // concurrently, a third device with the same prefix
      const [c1, c2] = await Promise.all([v.register(d3), v.register(d3)]);
      expect([c1.status, c2.status]).toEqual([200, 200]);
      expect(c1.body.data.id).toBe(c2.body.data.id);
      expect([a.id, b.body.data.id]).not.toContain(c1.body.data.id);
      // each device keeps coming back to its own account
      expect((await v.register(d2)).body.data.id).toBe(b.body.data.id);
      expect((await v.register(d1)).body.data.id).toBe(a.id);
    });

    it('suffixes the name when a registered user already has VIS + the prefix', async () => {
      const p = prefix8();
      const taken = await h.server.client.register(`VIS${p}`, '123456');
      const res = await v.register(newDevice(p));
      expect(res.status).toBe(200);
      expect(res.body.data.id).not.toBe(taken.id);
      expect(res.body.data.username).not.toBe(`VIS${p}`);
      expect(res.body.data.username.startsWith(`VIS${p}`)).toBe(true);
    });

    it('refuses a disabled (or locked) visitor account: 账号不存在或者被禁用', async () => {
      for (const status of [0, 2]) {
        const d = newDevice();
        const a = (await v.register(d)).body.data;
        await h.server.app.store.users.update(a.id, { status }, clock.now());
        const res = await v.register(d);
        expect(res.status, String(status)).toBe(400);
        expect(res.body, String(status)).toEqual(fail('账号不存在或者被禁用'));
      }
    });

    it('reads device ids without regard to case: one account and one limit (a new case is no new device)', async () => {
      const lower = `${'abcdef12'}${newDevice().slice(8)}`.toLowerCase();
      const upper = lower.toUpperCase();
      const a = (await v.register(lower)).body.data;
      for (let i = 0; i < 3; i++) expect((await v.register(lower)).status).toBe(200);
      const b = await v.register(upper);
      expect(b.status).toBe(200);
      expect(b.body.data.id).toBe(a.id);
      expect(b.body.data.devicefingeruuid).toBe(lower);
      expect((await v.register(upper)).body).toEqual(fail('请求过于频繁，请1个小时后再试'));
    });
  },
  { clock },
);

describeEachDialect(
  'visitors: rights of a visitor token (§1.6)',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);

    it('may call whitelisted routes', async () => {
      const me = await v.visitor();
      const c = h.server.client;
      expect((await c.post('/api/chat/userset', { userset: chatset(2, 2) }, { token: me.token })).body).toEqual(ok('ok'));
      const nick = await c.post('/api/chat/updateUserinfo', { fieldname: 'nickname', fieldValue: '游客一号' }, { token: me.token });
      expect(nick.status).toBe(200);
      expect(nick.body.msg).toBe('ok');
      expect((await c.post('/api/chat/chatGetmessageOffLine', {}, { token: me.token })).body).toEqual(ok('ok'));
      const row = await h.server.app.store.users.findById(me.id);
      expect(row).toMatchObject({ nickname: '游客一号', userset: chatset(2, 2) });
    });

    it('is refused elsewhere: 您没有权限访问，请先注册或登录', async () => {
      const me = await v.visitor();
      const c = h.server.client;
      for (const res of [
        await c.post('/api/chat/logout', {}, { token: me.token }),
        await c.post('/api/chat/searchUser', { keyword: 'VIS' }, { token: me.token }),
        await c.get('/api/chat/goodfriendlist/1', { token: me.token }),
        await c.get('/api/chat/listapplyfriend/1', { token: me.token }),
        await c.post(
          '/api/chat/setPassword',
          { oldpassword: '123456', newpassword: '654321', checknewpassword: '654321' },
          { token: me.token },
        ),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual(NO_RIGHT);
      }
      // logout was refused: the session still works
      expect((await c.post('/api/chat/chatGetmessageOffLine', {}, { token: me.token })).body).toEqual(ok('ok'));
    });
  },
  { clock },
);

describeEachDialect(
  'visitors: E20 with a visitor sender from visitorRegister (§8.1)',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);
    const recipient = async (userset?: string) => {
      const b = await h.server.client.register();
      if (userset !== undefined) await setUserset(h.server, b.token, userset);
      return b;
    };

    it('default settings: one message, then 在成为好友之前，对方只允许向他发一条消息', async () => {
      const me = await v.visitor();
      const b = await recipient();
      const m = await sendOk(h.server, me.token, b.id, 'hello');
      expect(m).toMatchObject({ from_id: me.id, from_name: me.username, to_id: b.id, chatType: 'single' });
      const res = await send(h.server, me.token, b.id, 'again');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail('在成为好友之前，对方只允许向他发一条消息'));
    });

    it('sendCount 0: 你们不是好友关系，对方设置成：先登录才能发消息', async () => {
      const me = await v.visitor();
      const b = await recipient(chatset(0, 2));
      const res = await send(h.server, me.token, b.id, 'hello');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail('你们不是好友关系，对方设置成：先登录才能发消息'));
    });

    it('sendCount 2: unlimited', async () => {
      const me = await v.visitor();
      const b = await recipient(chatset(2, 0));
      for (let i = 0; i < 4; i++) expect((await send(h.server, me.token, b.id, `m${i}`)).status).toBe(200);
    });
  },
  { clock },
);
