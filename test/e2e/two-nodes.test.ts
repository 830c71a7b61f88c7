import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { barrier, drain, isKick, OK, online, range, sendOk, setUserset, textsFrom, UNLIMITED, type Account } from '../helpers/chat.js';
import { testDialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { Frame } from '../helpers/ws.js';

/**
 * Two nodes, one PostgreSQL database, one Redis (DESIGN §5, §9; spec Q10): pushes, kicks and
 * drains cross nodes over the Redis bus.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const runnable = redisUrl !== undefined && testDialects().includes('postgres');

if (!runnable) {
  describe.skip('two nodes: needs TEST_REDIS_URL and postgres in TEST_DB', () => {
    it('skipped', () => undefined);
  });
} else {
  describe('two nodes on PostgreSQL and Redis', () => {
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      const env = { REDIS_URL: redisUrl ?? '' };
      a = await startServer({ dialect: 'postgres', env });
      b = await startServer({ dialect: 'postgres', env, databaseUrl: a.databaseUrl });
    });
    afterAll(async () => {
      // b borrows a's database: close it first, a drops the database.
      await b?.close();
      await a?.close();
    });
    const pair = async (): Promise<{ from: Account; to: Account }> => {
      const from = await a.client.register();
      const to = await b.client.register();
      await setUserset(b, to.token, UNLIMITED);
      return { from, to };
    };

    it("delivers a message sent over node A's HTTP to a socket on node B, exactly as answered", async () => {
      const { from, to } = await pair();
      const c = await online(b, to.token);
      const m = await sendOk(a, from.token, to.id, 'across');
      const frame = await c.next((f) => f?.type === 'singleChat' && f.data.id === m.id);
      expect(frame).toEqual({ type: 'singleChat', data: m, timestamp: expect.any(Number) });
      for (const text of range(50)) await sendOk(a, from.token, to.id, text);
      await c.waitChats(51, (x) => x.from_id === from.id);
      await barrier(b, from, c, to.id);
      expect(textsFrom(c, from.id).slice(0, 51)).toEqual(['across', ...range(50)]);
      expect(textsFrom(c, from.id)).toHaveLength(52);
      c.close();
    });

    it('a login on node A sends the notice to the socket on node B and closes it with 4001', async () => {
      const u = await a.client.register();
      const c = await online(b, u.token);
      const login = await a.client.post('/api/loginChat', { username: u.username, password: '123456' });
      expect(login.status).toBe(200);
      const notice = (await c.next(isKick)).data;
      expect(notice).toMatchObject({ from_name: '账号异常提示', from_id: 0, msgidKey: `redirect-forceLogout-${u.id}`, to_id: u.id });
      expect(notice.data.data).toContain('尝试在其它设备上登录');
      expect(await c.closed()).toBe(4001);
      const again = await online(a, login.body.data.token);
      again.close();
    });

    it('a socket of the same session on node A replaces the one on node B (4002); logout on B closes it (4003)', async () => {
      const u = await a.client.register();
      const onB = await online(b, u.token);
      const onA = await online(a, u.token);
      expect(await onB.closed()).toBe(4002);
      expect(onB.frames.filter(isKick)).toEqual([]);
      expect((await b.client.post('/api/chat/logout', {}, { token: u.token })).body).toEqual({ msg: 'ok', data: true });
      expect(await onA.closed()).toBe(4003);
    });

    it("drains, over node B's E22, messages stored via node A to the socket on B", async () => {
      const { from, to } = await pair();
      const sent: Frame[] = [];
      for (const text of range(30)) sent.push(await sendOk(a, from.token, to.id, text));
      const c = await online(b, to.token);
      expect((await drain(b, to.token)).body).toEqual(OK);
      await c.waitChats(30, (x) => x.from_id === from.id);
      expect(c.chats((x) => x.from_id === from.id)).toEqual(sent);
      expect((await drain(a, to.token)).body).toEqual(OK);
      await barrier(a, from, c, to.id);
      expect(textsFrom(c, from.id)).toHaveLength(31);
      c.close();
    });

    it("delivers, to the socket on node B, a drain requested over node A's HTTP", async () => {
      const { from, to } = await pair();
      for (const text of range(30)) await sendOk(b, from.token, to.id, text);
      const c = await online(b, to.token);
      expect((await drain(a, to.token)).body).toEqual(OK);
      await c.waitChats(30, (x) => x.from_id === from.id);
      await barrier(b, from, c, to.id);
      const texts = textsFrom(c, from.id);
      expect(texts.slice(0, 30)).toEqual(range(30));
      expect(texts).toHaveLength(31);
      c.close();
    });
  });
}
