import { expect, it } from 'vitest';
import { drain, fail, ok, quiet, sendOk, setUserset, socketsPerTest, textOf, UNLIMITED } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { ManualClock } from '../helpers/server.js';
import { newDevice, newUsername, VisitorClient } from '../helpers/visitor-client.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/**
 * E14 visitorregChat (upgrade in place, spec §7.4), the §11.7 fix (a device id never opens or
 * renames a registered account) and E15 visitorloginChat.
 */
const TOKEN_INVALID = fail('Token 令牌不合法！');
const TAKEN = fail('该账号已存在，请换一个账号注册');
const isAnomaly = (m: Frame) => m.from_name === '账号异常提示' || m.from_id === 0;
const clock = new ManualClock();

describeEachDialect(
  'visitors: E14 visitorregChat and E15 visitorloginChat',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);
    const c = () => h.server.client;
    const connect = socketsPerTest(() => h.server);
    const works = async (token: string) => (await c().get('/api/chat/goodfriendlist/1', { token })).status === 200;
    const loginChat = (username: string, password: string) => c().post('/api/loginChat', { username, password });
    /** The registered user `a` and the visitor become friends: the visitor applies, `a` agrees. */
    const befriend = async (visitorToken: string, a: { id: number; token: string }) => {
      expect((await c().post('/api/chat/applyfriend', { friend_id: a.id, nickname: '访客' }, { token: visitorToken })).body).toEqual(
        ok('ok'),
      );
      const id = (await c().get('/api/chat/listapplyfriend/1', { token: a.token })).body.data.alldata[0].id;
      expect((await c().post(`/api/chat/handleapply/${id}`, { status: 'agree' }, { token: a.token })).body).toEqual(ok('ok'));
    };
    const friendIds = async (token: string): Promise<number[]> => {
      const res = await c().get('/api/chat/goodfriendlist/1', { token });
      expect(res.status).toBe(200);
      return res.body.data.rows.newList.flatMap((g: Frame) => g.list).map((x: Frame) => x.friend_id);
    };

    it('E14: refuses a username that is taken, by another user or by the visitor itself', async () => {
      const other = await c().register();
      const me = await v.visitor();
      for (const username of [other.username, me.username]) {
        const res = await v.upgrade(me.deviceId, username);
        expect(res.status, username).toBe(400);
        expect(res.body, username).toEqual(TAKEN);
      }
      // nothing changed: still a visitor with a working session
      expect(await h.server.app.store.users.findById(me.id)).toMatchObject({ role: 'visitor', username: me.username });
      expect((await drain(h.server, me.token)).body).toEqual(ok('ok'));
    });

    it('E14: renames the visitor in place (same id, role user), the new password logs in, the visitor token stops working', async () => {
      const me = await v.visitor();
      const username = newUsername('up');
      const res = await v.upgrade(me.deviceId, username, 'secret99');
      expect(res.status).toBe(200);
      const u = res.body.data;
      expect(u).toMatchObject({ id: me.id, uuid: me.uuid, username, role: 'user', status: 1, devicefingeruuid: me.deviceId });
      expect(u).not.toHaveProperty('password');
      expect(u.token).toEqual(expect.any(String));
      expect(await h.server.app.store.users.findById(me.id)).toMatchObject({ username, role: 'user' });
      expect((await drain(h.server, me.token)).body).toEqual(TOKEN_INVALID);
      expect(await works(u.token)).toBe(true);
      const login = await loginChat(username, 'secret99');
      expect(login.status).toBe(200);
      expect(login.body.data).toMatchObject({ id: me.id, username, role: 'user' });
      expect((await loginChat(username, '123456')).body).toEqual(fail('账户或密码错误'));
    });

    it('E14: keeps messages queued for the visitor and its friends', async () => {
      const me = await v.visitor();
      const a = await c().register();
      await setUserset(h.server, me.token, UNLIMITED);
      await befriend(me.token, a);
      await sendOk(h.server, a.token, me.id, 'offline-1');
      await sendOk(h.server, a.token, me.id, 'offline-2');
      const up = (await v.upgrade(me.deviceId, newUsername('up'))).body.data;
      expect(up.id).toBe(me.id);
      expect(await friendIds(up.token)).toEqual([a.id]);
      expect(await friendIds(a.token)).toEqual([me.id]);
      const ws = await connect(up.token);
      expect((await drain(h.server, up.token)).body).toEqual(ok('ok'));
      const got = await ws.waitChats(2, (m) => m.from_id === a.id && m.type !== 'systemNotice');
      expect(got.map(textOf)).toEqual(['offline-1', 'offline-2']);
    });

    it("E14: the visitor's open socket is not closed and gets no 账号异常提示 notice, but receives nothing more", async () => {
      const me = await v.visitor();
      const ws = await connect(me.token);
      const up = (await v.upgrade(me.deviceId, newUsername('up'))).body.data;
      const fresh = await connect(up.token);
      const peer = await c().register();
      await setUserset(h.server, up.token, UNLIMITED);
      await sendOk(h.server, peer.token, me.id, 'after-upgrade');
      await fresh.waitChats(1, (m) => textOf(m) === 'after-upgrade');
      expect(ws.chats((m) => m.from_id === peer.id)).toEqual([]);
      expect(ws.chats(isAnomaly)).toEqual([]);
      expect(ws.closeCode).toBeUndefined();
      expect(fresh.closeCode).toBeUndefined();
      // the visitor's token opens no new socket
      const stale = await WsClient.connect(h.server.url, me.token);
      expect(await stale.closed()).toBe(1005);
      expect(stale.frames).toEqual([fail('Token 不合法')]);
    });

    it('E15: a login from the device of the current session retires its socket quietly; from another device, with the notice and 4001', async () => {
      const a = await c().register();
      const d = newDevice();
      const first = (await v.login(d, a.username)).body.data;
      const ws1 = await connect(first.token);
      const second = (await v.login(d, a.username)).body.data;
      const ws2 = await connect(second.token);
      expect(await works(first.token)).toBe(false);
      const peer = await c().register();
      await setUserset(h.server, second.token, UNLIMITED);
      await sendOk(h.server, peer.token, a.id, 'to-second');
      await ws2.waitChats(1, (m) => textOf(m) === 'to-second');
      expect(ws1.chats((m) => m.from_id === peer.id || isAnomaly(m))).toEqual([]);
      expect(ws1.closeCode).toBeUndefined();
      const third = (await v.login(newDevice(), a.username)).body.data;
      expect((await ws2.next((f) => f?.type === 'singleChat' && isAnomaly(f.data))).data.from_name).toBe('账号异常提示');
      expect(await ws2.closed()).toBe(4001);
      expect(ws1.closeCode).toBeUndefined();
      expect(await works(third.token)).toBe(true);
    });

    it('E14: a device without an account gets a new registered account that is not bound to it', async () => {
      const d = newDevice();
      const username = newUsername('new');
      const res = await v.upgrade(d, username, 'secret99');
      expect(res.status).toBe(200);
      const u = res.body.data;
      expect(u).toMatchObject({ username, role: 'user', devicefingeruuid: '' });
      expect((await loginChat(username, 'secret99')).body.data.id).toBe(u.id);
      const visitor = (await v.register(d)).body.data;
      expect(visitor.id).not.toBe(u.id);
      expect(visitor).toMatchObject({ role: 'visitor', devicefingeruuid: d });
    });

    it('§11.7: after an upgrade the device gets a new visitor, not the registered account, whose session keeps working', async () => {
      const me = await v.visitor();
      const a = await c().register();
      await befriend(me.token, a);
      const up = (await v.upgrade(me.deviceId, newUsername('up'))).body.data;
      const ws = await connect(up.token);
      const again = await v.register(me.deviceId);
      expect(again.status).toBe(200);
      const guest = again.body.data;
      expect(guest.id).not.toBe(me.id);
      expect(guest).toMatchObject({ role: 'visitor', username: me.username, devicefingeruuid: me.deviceId });
      // no access to the registered account's data
      expect((await c().post(`/api/chat/ismygoodfriend/${a.id}`, {}, { token: guest.token })).body).toEqual(fail('不是好友'));
      // the registered owner is not kicked
      expect(await works(up.token)).toBe(true);
      expect(await friendIds(up.token)).toEqual([a.id]);
      await quiet(h.server, [ws, up.id]);
      expect(ws.closeCode).toBeUndefined();
      expect(ws.chats(isAnomaly)).toEqual([]);
      expect(await h.server.app.store.users.findById(me.id)).toMatchObject({ role: 'user', username: up.username });
      const relogin = (await loginChat(up.username, '123456')).body.data;
      expect(relogin).toMatchObject({ id: me.id, role: 'user', devicefingeruuid: '' });
      up.token = relogin.token;
      // an upgrade of the new visitor renames that one
      const second = (await v.upgrade(me.deviceId, newUsername('up2'))).body.data;
      expect(second.id).toBe(guest.id);
      expect(await works(up.token)).toBe(true);
    });

    it('§11.7: a second upgrade from the device creates a separate account; the registered one keeps its name and password', async () => {
      const me = await v.visitor();
      const first = newUsername('one');
      const up = (await v.upgrade(me.deviceId, first, 'first-pw')).body.data;
      const second = newUsername('two');
      const res = await v.upgrade(me.deviceId, second, 'second-pw');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ username: second, role: 'user' });
      expect(res.body.data.id).not.toBe(me.id);
      expect(await works(up.token)).toBe(true);
      expect(await h.server.app.store.users.findById(me.id)).toMatchObject({ username: first, role: 'user' });
      expect((await loginChat(first, 'first-pw')).body.data).toMatchObject({ id: me.id, username: first });
      expect((await loginChat(second, 'second-pw')).body.data).toMatchObject({ id: res.body.data.id, username: second });
      expect((await loginChat(first, 'second-pw')).body).toEqual(fail('账户或密码错误'));
    });

    it('E14: two concurrent upgrades to one username: one succeeds, the other 该账号已存在，请换一个账号注册', async () => {
      const [x, y] = [await v.visitor(), await v.visitor()];
      const username = newUsername('race');
      const answers = await Promise.all([v.upgrade(x.deviceId, username), v.upgrade(y.deviceId, username)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(answers.find((r) => r.status === 400)?.body).toEqual(TAKEN);
    });

    it('E14: a disabled or locked visitor is refused 账号不存在或者被禁用 (renamed in place, then the login fails), not given a new account', async () => {
      for (const status of [0, 2]) {
        const me = await v.visitor();
        await h.server.app.store.users.update(me.id, { status }, clock.now());
        const username = newUsername('ban');
        const res = await v.upgrade(me.deviceId, username);
        expect(res.body, String(status)).toEqual(fail('账号不存在或者被禁用'));
        expect(res.status, String(status)).toBe(400);
        expect((await loginChat(username, '123456')).body, String(status)).toEqual(fail('账号不存在或者被禁用'));
      }
    });

    it('E15: wrong password 账户或密码错误, unknown or disabled account 账号不存在或者被禁用', async () => {
      const a = await c().register();
      const off = await c().register();
      const locked = await c().register();
      await h.server.app.store.users.update(off.id, { status: 0 }, clock.now());
      await h.server.app.store.users.update(locked.id, { status: 2 }, clock.now());
      const cases: [string, string, string][] = [
        [a.username, 'wrong-pw', '账户或密码错误'],
        [newUsername('nobody'), '123456', '账号不存在或者被禁用'],
        [off.username, '123456', '账号不存在或者被禁用'],
        [locked.username, '123456', '账号不存在或者被禁用'],
      ];
      for (const [username, password, message] of cases) {
        const res = await v.login(newDevice(), username, password);
        expect(res.status, message).toBe(400);
        expect(res.body, message).toEqual(fail(message));
      }
      expect(await works(a.token)).toBe(true);
    });

    it('E15: logs in as the registered user (role user) without binding the device', async () => {
      const a = await c().register();
      const d = newDevice();
      const res = await v.login(d, a.username, '123456');
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: a.id, uuid: a.uuid, username: a.username, role: 'user', devicefingeruuid: '' });
      expect(await works(res.body.data.token)).toBe(true);
      expect((await drain(h.server, a.token)).body).toEqual(TOKEN_INVALID);
      const guest = (await v.register(d)).body.data;
      expect(guest.id).not.toBe(a.id);
      expect(guest.role).toBe('visitor');
      expect(await works(res.body.data.token)).toBe(true);
    });
  },
  { clock },
);
