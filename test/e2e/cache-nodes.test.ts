import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminEnv } from '../helpers/admin.js';
import { chatset, send, sendOk, setNickname, setUserset, UNLIMITED, users, type Account } from '../helpers/chat.js';
import { testDialects } from '../helpers/databases.js';
import { befriend, makeGroup, say } from '../helpers/groups.js';
import { redisNodes, sqliteNodes, type NodesSetup } from '../helpers/nodes.js';
import { RawDb } from '../helpers/raw-db.js';
import { type TestServer } from '../helpers/server.js';
import { textBody, WsSender } from '../helpers/ws-send.js';

/**
 * Hot reads come from each node's memory (docs/architecture.md, "Caches"): a change made on node A
 * (or by the admin command) is seen by the very next request or send on node B. Each test first
 * has B read the rows it is about to change, so that B answers from memory unless the change was
 * announced. On one SQLite file with an in-process bus shared by both apps, and with
 * TEST_REDIS_URL on PostgreSQL and MySQL (TEST_DB) with Redis, as deployed.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const redisDialects = redisUrl === undefined ? [] : testDialects().filter((d) => d !== 'sqlite');

const setups: NodesSetup[] = [
  sqliteNodes,
  ...redisDialects.map((dialect) => redisNodes(redisUrl as string, dialect, `${dialect} and Redis`, true)),
  // B hears Redis 40 ms late: without B waiting for the bus before it reads from memory, every
  // change below would still be unknown to B when the client's next request reaches it.
  ...redisDialects
    .slice(0, 1)
    .map((dialect) => redisNodes(redisUrl as string, dialect, `${dialect} and Redis, B 40 ms from Redis`, true, 40)),
];

// A file without tests fails the run: where Redis or a shared database is missing, it says what is not covered.
if (redisDialects.length === 0)
  it.skip('cache invalidation over Redis: needs TEST_REDIS_URL and postgres or mysql in TEST_DB', () => undefined);

const TOKEN_INVALID = 'Token 令牌不合法！';
const BLACKLISTED = '对方把你拉黑了，不能发送消息';
const FRIENDS_ONLY = '对方设置成：需要您先成为他的好友才能发消息';
const NOT_IN_GROUP = '您不在群里，无法发消息';
const GROUP_GONE = '群不存在或者已解散或者被封禁，无法发消息';

for (const setup of setups) {
  describe(`caches across two nodes: ${setup.name}`, () => {
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      [a, b] = await setup.start();
    });
    afterAll(async () => {
      // b borrows a's database: close it first, a drops the database.
      await b?.close();
      await a?.close();
    });

    /** An authenticated request on `s` with the token: its answer's `{msg, data}` for failures, 'ok' otherwise. */
    const whoAmI = async (s: TestServer, token: string): Promise<string> => {
      const res = await s.client.get('/api/chat/goodfriendlist/1', { token });
      return res.status === 200 ? 'ok' : res.body.data;
    };
    const login = async (s: TestServer, username: string): Promise<string> => {
      const res = await s.client.post('/api/loginChat', { username, password: '123456' });
      expect(res.status).toBe(200);
      return res.body.data.token;
    };
    const refusal = async (s: TestServer, from: Account, to: number): Promise<string> => (await send(s, from.token, to, 'x')).body.data;
    /** Two strangers; the first takes any number of messages from anyone. */
    const strangers = async (): Promise<[Account, Account]> => {
      const [u1, u2] = await users(a, 2);
      await setUserset(a, u1.token, UNLIMITED);
      return [u1, u2];
    };

    describe('sessions and accounts', () => {
      it('a new login on A: the older token is refused by B', async () => {
        const u = await a.client.register();
        expect(await whoAmI(b, u.token)).toBe('ok');
        await login(a, u.username);
        expect(await whoAmI(b, u.token)).toBe(TOKEN_INVALID);
      });

      it('a logout on A: the token is refused by B', async () => {
        const u = await a.client.register();
        expect(await whoAmI(b, u.token)).toBe('ok');
        expect((await a.client.post('/api/chat/logout', {}, { token: u.token })).status).toBe(200);
        expect(await whoAmI(b, u.token)).toBe(TOKEN_INVALID);
      });

      it('a password reset by the admin command: the token is refused by B, and by A', async () => {
        const u = await a.client.register();
        expect(await whoAmI(a, u.token)).toBe('ok');
        expect(await whoAmI(b, u.token)).toBe('ok');
        expect((await admin(adminEnv(a), ['reset-password', `id:${u.id}`, '--password', 'other99'])).code).toBe(0);
        expect(await whoAmI(b, u.token)).toBe(TOKEN_INVALID);
        expect(await whoAmI(a, u.token)).toBe(TOKEN_INVALID);
      });

      it('an account disabled by the admin command is refused by both nodes; enabled, it logs in again', async () => {
        const u = await a.client.register();
        expect(await whoAmI(a, u.token)).toBe('ok');
        expect(await whoAmI(b, u.token)).toBe('ok');
        expect((await admin(adminEnv(a), ['disable', `id:${u.id}`])).code).toBe(0);
        expect(await whoAmI(b, u.token)).not.toBe('ok');
        expect(await whoAmI(a, u.token)).not.toBe('ok');
        expect((await admin(adminEnv(a), ['enable', `id:${u.id}`])).code).toBe(0);
        expect(await whoAmI(a, await login(b, u.username))).toBe('ok');
      });
    });

    describe('profiles and friendships', () => {
      it('a nickname changed on A names the sender of the next message sent on B', async () => {
        const [u1, u2] = await strangers();
        expect((await sendOk(b, u2.token, u1.id, 'before')).from_name).toBe(u2.username);
        expect((await setNickname(a, u2, 'Renamed')).status).toBe(200);
        expect((await sendOk(b, u2.token, u1.id, 'after')).from_name).toBe('Renamed');
      });

      it("chat settings changed on A are applied by B's next send", async () => {
        const [u1, u2] = await strangers();
        await sendOk(b, u2.token, u1.id, 'allowed');
        await setUserset(a, u1.token, chatset(2, 0));
        expect(await refusal(b, u2, u1.id)).toBe(FRIENDS_ONLY);
      });

      it('chat settings changed on A 40 times in turn: each is applied by the very next send on B', async () => {
        const [u1, u2] = await strangers();
        const seen: string[] = [];
        const expected: string[] = [];
        for (let i = 0; i < 40; i++) {
          const open = i % 2 === 1;
          await setUserset(a, u1.token, open ? UNLIMITED : chatset(2, 0));
          const res = await send(b, u2.token, u1.id, `round ${i}`);
          seen.push(res.status === 200 ? 'sent' : res.body.data);
          expected.push(open ? 'sent' : FRIENDS_ONLY);
        }
        expect(seen).toEqual(expected);
      });

      it('a blacklist set on A refuses the next send on B, over HTTP and over the socket', async () => {
        const [u1, u2] = await users(a, 2);
        await befriend(a, u1, [u2]);
        await sendOk(b, u2.token, u1.id, 'friends');
        const ws = await WsSender.open(b, u2);
        try {
          expect((await ws.send(textBody(u1.id, 'friends'))).msg).toBe('ok');
          expect((await a.client.post(`/api/chat/setblackgoodfriend/${u2.id}`, {}, { token: u1.token })).status).toBe(200);
          expect(await refusal(b, u2, u1.id)).toBe(BLACKLISTED);
          expect(await ws.send(textBody(u1.id, 'blacklisted'))).toMatchObject({ msg: 'fail', data: BLACKLISTED });
        } finally {
          ws.close();
        }
      });

      it('unfriended on A: B applies the stranger rule to the next send', async () => {
        const [u1, u2] = await users(a, 2);
        await setUserset(a, u1.token, chatset(2, 0));
        await befriend(a, u1, [u2]);
        await sendOk(b, u2.token, u1.id, 'friends');
        expect((await a.client.post(`/api/chat/deletegoodfriend/${u2.id}`, {}, { token: u1.token })).status).toBe(200);
        expect(await refusal(b, u2, u1.id)).toBe(FRIENDS_ONLY);
      });

      it('befriended on A: B lets the next send through', async () => {
        const [u1, u2] = await users(a, 2);
        await setUserset(a, u1.token, chatset(2, 0));
        expect(await refusal(b, u2, u1.id)).toBe(FRIENDS_ONLY);
        await befriend(a, u1, [u2]);
        await sendOk(b, u2.token, u1.id, 'friends now');
      });
    });

    it.runIf(setup.cutOff !== undefined)(
      'a bus gap drops every cached row: a change whose event was lost is seen after the reconnect',
      async () => {
        const [u1, u2] = await users(a, 2);
        await setUserset(a, u1.token, chatset(2, 0));
        expect(await refusal(b, u2, u1.id)).toBe(FRIENDS_ONLY);
        // A change no node announced stands for an event lost on the way.
        const raw = RawDb.open(a.databaseUrl);
        try {
          await raw.addFriendRow(u1.id, u2.id);
        } finally {
          await raw.close();
        }
        expect(await refusal(b, u2, u1.id)).toBe(FRIENDS_ONLY);
        await setup.cutOff?.(b);
        const deadline = Date.now() + 10_000;
        while ((await send(b, u2.token, u1.id, 'after the gap')).status !== 200) {
          expect(Date.now()).toBeLessThan(deadline);
          await new Promise((r) => setTimeout(r, 20));
        }
      },
    );

    describe('groups and members', () => {
      it('a member who leaves on A is refused by B', async () => {
        const [owner, m1, m2] = await users(a, 3);
        const gid = await makeGroup(a, owner, [m1, m2]);
        expect((await say(b, m1, gid, 'in')).status).toBe(200);
        expect((await a.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: m1.token })).status).toBe(200);
        expect((await say(b, m1, gid, 'out')).body.data).toBe(NOT_IN_GROUP);
        expect((await say(b, m2, gid, 'still in')).status).toBe(200);
      });

      it('a member removed on A is refused by B', async () => {
        const [owner, m1, m2] = await users(a, 3);
        const gid = await makeGroup(a, owner, [m1, m2]);
        expect((await say(b, m2, gid, 'in')).status).toBe(200);
        expect((await a.client.post('/api/chat/groupDeleteUser', { group_id: gid, user_id: m2.id }, { token: owner.token })).status).toBe(
          200,
        );
        expect((await say(b, m2, gid, 'out')).body.data).toBe(NOT_IN_GROUP);
      });

      it('a member invited on A may send on B', async () => {
        const [owner, m1, late] = await users(a, 3);
        const gid = await makeGroup(a, owner, [m1]);
        await befriend(a, owner, [late]);
        expect((await say(b, late, gid, 'not yet')).body.data).toBe(NOT_IN_GROUP);
        expect((await a.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: late.id }, { token: owner.token })).status).toBe(
          200,
        );
        expect((await say(b, late, gid, 'joined')).status).toBe(200);
      });

      it('a group dissolved on A is refused by B', async () => {
        const [owner, m1] = await users(a, 2);
        const gid = await makeGroup(a, owner, [m1]);
        expect((await say(b, m1, gid, 'before')).status).toBe(200);
        expect((await a.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: owner.token })).status).toBe(200);
        expect((await say(b, m1, gid, 'after')).body.data).toBe(GROUP_GONE);
      });

      it("a group renamed and a member's group nickname set on A show in B's next message", async () => {
        const [owner, m1] = await users(a, 2);
        const gid = await makeGroup(a, owner, [m1]);
        const before = (await say(b, m1, gid, 'before')).body.data;
        expect((await a.client.post('/api/chat/groupUpdateName', { id: gid, name: 'Renamed' }, { token: owner.token })).status).toBe(200);
        expect((await a.client.post('/api/chat/groupnickname', { id: gid, nickname: 'Alias' }, { token: m1.token })).status).toBe(200);
        const after = (await say(b, m1, gid, 'after')).body.data;
        expect([before.to_name, before.from_name]).toEqual([expect.not.stringMatching(/^Renamed$/), m1.username]);
        expect([after.to_name, after.from_name]).toEqual(['Renamed', 'Alias']);
      });
    });
  });
}
