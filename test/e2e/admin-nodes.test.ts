import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminEnv } from '../helpers/admin.js';
import { drain, fail, online } from '../helpers/chat.js';
import { testDialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { Frame } from '../helpers/ws.js';

/**
 * `natter admin` with two nodes on one database and Redis (TEST_REDIS_URL): the command publishes
 * on Redis, so a socket held by either node hears it, and the census counts both nodes.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const dialects = redisUrl === undefined ? [] : testDialects().filter((d) => d !== 'sqlite');

let n = 0;
const uname = () => `nodes${process.pid % 1000}_${Date.now() % 100000}_${n++}`;
const isNotice = (text: string) => (m: Frame) => m.from_name === '系统通知' && m.data?.data === text;

// A file without tests fails the run: on a machine without Redis (or on SQLite alone) it says why it is skipped.
if (dialects.length === 0) it.skip('two nodes over Redis: needs TEST_REDIS_URL and postgres or mysql in TEST_DB', () => undefined);

for (const dialect of dialects) {
  describe(`natter admin, two nodes over Redis [${dialect}]`, () => {
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      // A prefix of its own: census answers come from these two nodes only.
      const env = { REDIS_URL: redisUrl as string, REDIS_PREFIX: `natter-admin-${randomUUID()}:` };
      a = await startServer({ dialect, env });
      b = await startServer({ dialect, env, databaseUrl: a.databaseUrl });
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('disable closes a socket held on the other node; sessions sees it online there first', async () => {
      const u = await a.client.register(uname());
      const c = await online(b, u.token);
      const s = await admin(adminEnv(a), ['sessions', u.username, '--json']);
      expect(s.json).toMatchObject({ online: true, sockets: 1, receiving: true, nodes: 2, reach: { via: 'redis' } });

      const r = await admin(adminEnv(a), ['disable', u.username, '--json']);
      expect(r.code).toBe(0);
      expect(r.json.reach).toEqual({ via: 'redis' });
      expect(await c.closed()).toBe(4003);
      expect(c.frames.at(-1)).toEqual(fail('你已被管理员禁用'));
      expect((await admin(adminEnv(a), ['sessions', u.username, '--json'])).json).toMatchObject({ online: false, nodes: 2 });
    });

    it('reset-password closes the socket on the other node with 4003', async () => {
      const u = await a.client.register(uname());
      const c = await online(b, u.token);
      expect((await admin(adminEnv(a), ['reset-password', `id:${u.id}`, '--password', 'other99'])).code).toBe(0);
      expect(await c.closed()).toBe(4003);
      expect((await a.client.post('/api/loginChat', { username: u.username, password: 'other99' })).body.msg).toBe('ok');
    });

    it('a notice reaches a socket on either node live, and counts add up both nodes', async () => {
      const [x, y] = [await a.client.register(uname()), await b.client.register(uname())];
      const [cx, cy] = [await online(a, x.token), await online(b, y.token)];
      const text = `over redis ${n}`;
      expect((await admin(adminEnv(b), ['notice', x.username, text])).code).toBe(0);
      await cx.waitChats(1, isNotice(text));
      expect((await admin(adminEnv(a), ['notice', y.username, text])).code).toBe(0);
      await cy.waitChats(1, isNotice(text));
      await drain(b, y.token);
      const counts = (await admin(adminEnv(a), ['counts', '--json'])).json;
      expect(counts.online).toEqual({ nodes: 2, sockets: 2 });
      cx.close();
      cy.close();
    });

    it('exits 1 with one line when Redis does not answer', async () => {
      const r = await admin(adminEnv(a, { REDIS_URL: 'redis://127.0.0.1:1' }), ['counts']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^natter admin counts: cannot reach Redis \(REDIS_URL\): /);
      expect(r.err.split('\n')).toHaveLength(1);
    });
  });
}
