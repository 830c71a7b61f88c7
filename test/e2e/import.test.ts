import { Redis } from 'ioredis';
import { Kysely } from 'kysely';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { createMysql } from '../../src/store/dialects/mysql.js';
import { createPostgres } from '../../src/store/dialects/postgres.js';
import { createSqlite } from '../../src/store/dialects/sqlite.js';
import { barrier, drain, fail, online, textOf, type Account, type Any } from '../helpers/chat.js';
import { freshDatabase, tempDir, testDialects, type FreshDatabase } from '../helpers/databases.js';
import { groupOf, memberIds, say } from '../helpers/groups.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * `natter import` (docs/migration.md): a seed deployment (MySQL tables from the course's models,
 * offline lists in Redis) copied into each configured dialect, then used through the real
 * server. Needs the local MariaDB and Redis; skipped without them.
 */
const FIXTURE = path.join(import.meta.dirname, '../fixtures/seed');
const MYSQL_ADMIN = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
/** The seed's keys are bare (`chat_getmessage_<id>`): a Redis db of their own, and only the fixture's keys are touched. */
const SEED_REDIS = process.env.TEST_SEED_REDIS_URL ?? 'redis://127.0.0.1:6379/9';

const OFFLINE = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'offline.json'), 'utf8')) as Record<string, string[]>;

/** What the fixture holds, as the report counts it: read, written by a first run, rejected. */
const EXPECTED = [
  { table: 'user', read: 7, written: 6, rejected: 1 },
  { table: 'user_info', read: 7, written: 5, rejected: 2, created: 1 },
  { table: 'goodfriend', read: 10, written: 8, rejected: 2 },
  { table: 'goodfriendapply', read: 4, written: 3, rejected: 1 },
  { table: 'group', read: 1, written: 1, rejected: 0 },
  { table: 'group_user', read: 6, written: 4, rejected: 2 },
  { table: 'offline message', read: 9, written: 6, rejected: 3 },
];

const REJECTED = [
  { table: 'user', id: 6, reason: 'username is empty' },
  { table: 'user_info', id: 6, reason: 'user_id 6 is not an imported user' },
  { table: 'user_info', id: 8, reason: 'duplicate profile of user 1 (row 1 has it)' },
  { table: 'goodfriend', id: 10, reason: 'user_id 6 is not an imported user' },
  { table: 'goodfriend', id: 9, reason: 'duplicate contact entry of the pair 2:1 (row 2 has it)' },
  { table: 'goodfriendapply', id: 4, reason: 'user_id 6 is not an imported user' },
  { table: 'group_user', id: 6, reason: 'user_id 6 is not an imported user' },
  { table: 'group_user', id: 5, reason: 'duplicate membership (group:user) 1:2 (row 2 has it)' },
  { table: 'offline message', id: 'chat_getmessage_2[2]', reason: 'not JSON' },
  { table: 'offline message', id: 'chat_getmessage_6', reason: '1 message(s) not imported: user 6 is not an imported user' },
  { table: 'offline message', id: 'chat_getmessage_x', reason: '1 message(s) not imported: the key does not name a user id' },
];

const PASSWORDS: Record<string, [id: number, password: string]> = {
  alice: [1, 'alice123'],
  bobby: [2, 'bob12345'],
  carol: [3, 'carol123'],
  dave: [4, 'dave1234'],
  erin: [7, 'erin1234'],
};

/** Bob's waiting messages in list order, without the entry that is not JSON. */
const BOB_WAITING = (OFFLINE.chat_getmessage_2 ?? []).filter((e) => e.startsWith('{"')).map((e) => JSON.parse(e) as Any);

interface CliResult {
  code: number;
  out: string;
  err: string;
}

async function natter(args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['import', ...args], { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const withDb = (admin: string, name: string): string => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Why the suite cannot run here, or undefined. */
async function missingService(): Promise<string | undefined> {
  try {
    const c = await mysql.createConnection({ uri: MYSQL_ADMIN, connectTimeout: 2000 });
    await c.end();
  } catch {
    return `no MySQL/MariaDB at ${MYSQL_ADMIN}`;
  }
  const r = new Redis(SEED_REDIS, { lazyConnect: true, connectTimeout: 2000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return undefined;
  } catch {
    return `no Redis at ${SEED_REDIS}`;
  } finally {
    r.disconnect();
  }
}

/** The seed database: the fixture's schema and rows in a new MySQL database. */
async function createSeed(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `seed_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MYSQL_ADMIN, multipleStatements: true });
  try {
    await admin.query(`create database ${name} character set utf8mb4 collate utf8mb4_general_ci`);
    await admin.query(`use ${name}`);
    await admin.query(fs.readFileSync(path.join(FIXTURE, 'schema.sql'), 'utf8'));
    await admin.query(fs.readFileSync(path.join(FIXTURE, 'data.sql'), 'utf8'));
  } finally {
    await admin.end();
  }
  return {
    url: withDb(MYSQL_ADMIN, name),
    async drop() {
      const c = await mysql.createConnection(MYSQL_ADMIN);
      await c.query(`drop database if exists ${name}`);
      await c.end();
    },
  };
}

async function pushOffline(): Promise<void> {
  const r = new Redis(SEED_REDIS);
  try {
    for (const [key, entries] of Object.entries(OFFLINE)) {
      await r.del(key);
      await r.rpush(key, ...entries);
    }
  } finally {
    r.disconnect();
  }
}

async function dropOffline(): Promise<void> {
  const r = new Redis(SEED_REDIS);
  try {
    await r.del(...Object.keys(OFFLINE));
  } finally {
    r.disconnect();
  }
}

/** Row counts of Natter's tables (none when the database has no schema). */
async function rowCounts(url: string): Promise<Record<string, number>> {
  if (url.startsWith('sqlite:') && !fs.existsSync(url.slice('sqlite:'.length))) return {};
  const adapter = url.startsWith('sqlite:')
    ? createSqlite(url.slice(7))
    : url.startsWith('postgres')
      ? createPostgres(url)
      : createMysql(url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const db = new Kysely<any>({ dialect: adapter.kysely });
  try {
    const names = (await db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_'));
    const out: Record<string, number> = {};
    for (const n of names.sort()) {
      const row = await db
        .selectFrom(n)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      out[n] = Number(row.n);
    }
    return out;
  } finally {
    await db.destroy();
    await adapter.afterClose?.();
  }
}

const summary = (report: Any) =>
  report.tables.map((t: Any) => ({
    table: t.table,
    read: t.read,
    written: t.written,
    rejected: t.rejected,
    ...(t.created ? { created: t.created } : {}),
  }));

const missing = await missingService();

if (missing) {
  describe.skip(`natter import: ${missing}`, () => {
    it('skipped', () => undefined);
  });
} else {
  let seed: { url: string; drop(): Promise<void> };
  const dir = tempDir();
  beforeAll(async () => {
    seed = await createSeed();
    await pushOffline();
  });
  afterAll(async () => {
    await seed?.drop();
    await dropOffline();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const source = () => ['--from', seed.url, '--redis', SEED_REDIS];

  for (const dialect of testDialects()) {
    describe(`natter import [${dialect}]`, () => {
      let target: FreshDatabase;
      let server: TestServer | undefined;
      const env = () => ({ DATABASE_URL: target.url, DATA_DIR: dir });
      const s = () => {
        if (!server) throw new Error('server not started');
        return server;
      };
      beforeAll(async () => {
        target = await freshDatabase(dialect, dir);
      });
      afterAll(async () => {
        await server?.close();
        await target?.drop();
      });

      it('--dry-run reports what it would write and writes nothing', async () => {
        const res = await natter([...source(), '--dry-run', '--json'], env(), dir);
        expect(res.code, res.err).toBe(0);
        const report = JSON.parse(res.out);
        expect(report.dryRun).toBe(true);
        expect(summary(report)).toEqual(EXPECTED);
        expect(await rowCounts(target.url)).toEqual({});
      });

      it('imports every table and the offline lists, and reports what it refused', async () => {
        const res = await natter([...source(), '--json'], env(), dir);
        expect(res.code, res.err).toBe(0);
        const report = JSON.parse(res.out);
        expect(summary(report)).toEqual(EXPECTED);
        expect(report.tables.every((t: Any) => t.skipped === 0)).toBe(true);
        expect(report.rejected).toEqual(REJECTED);
        expect(report.adjusted).toEqual([
          {
            table: 'user',
            id: 7,
            reason: "devicefingeruuid 6ba7b810-9dad-11d1-80b4-00c04fd430c8 is already row 5's: imported without it",
          },
        ]);
        expect(res.err).toContain('offline messages: 9 read from 4 lists, 6 written');
        const counts = await rowCounts(target.url);
        expect(counts).toMatchObject({ user: 6, user_info: 6, goodfriend: 8, goodfriendapply: 3, group: 1, group_user: 4, message: 6 });
      });

      it('a second run changes nothing', async () => {
        const before = await rowCounts(target.url);
        const res = await natter([...source(), '--json'], env(), dir);
        expect(res.code, res.err).toBe(0);
        const report = JSON.parse(res.out);
        expect(report.tables.map((t: Any) => [t.table, t.written, t.skipped, t.created ?? 0])).toEqual(
          EXPECTED.map((t) => [t.table, 0, t.written, 0]),
        );
        expect(report.rejected).toEqual(REJECTED);
        expect(await rowCounts(target.url)).toEqual(before);
      });

      it('every imported user logs in with the old password, which is then stored as scrypt', async () => {
        server = await startServer({ dialect, databaseUrl: target.url });
        for (const [username, [id, password]] of Object.entries(PASSWORDS)) {
          const res = await s().client.post('/api/loginChat', { username, password });
          expect(res.status, username).toBe(200);
          expect(res.body.data).toMatchObject({ id, username });
          expect((await s().app.store.users.findById(id))?.password).toMatch(/^scrypt\$/);
          expect((await s().client.post('/api/loginChat', { username, password })).status).toBe(200);
        }
        const wrong = await s().client.post('/api/loginChat', { username: 'bobby', password: 'bob99999' });
        expect(wrong.status).toBe(400);
        const alice = await s().app.store.users.findById(1);
        expect(alice).toMatchObject({ uuid: '0b6f2f1e-7a43-4c1a-9d49-1c8d0b9e0a01', nickname: '爱丽丝', mobile: '13800000001' });
        // 2024-05-01 10:00:00 in the seed's +08:00.
        expect(alice?.register_time).toBe(Date.UTC(2024, 4, 1, 2, 0, 0));
        expect(await s().app.store.users.findInfo(1)).toMatchObject({ gender: 'female', bio: '你好', location: '杭州' });
        expect(await s().app.store.users.findInfo(4)).toMatchObject({ user_id: 4, gender: 'unknown' });
        expect(await s().app.store.users.findById(5)).toMatchObject({
          role: 'visitor',
          devicefingeruuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
        });
        expect(await s().app.store.users.findById(7)).toMatchObject({ username: 'erin', devicefingeruuid: null });
      });

      const login = async (username: string): Promise<Account> => {
        const [id, password] = PASSWORDS[username] ?? [0, ''];
        const res = await s().client.post('/api/loginChat', { username, password });
        if (res.status !== 200) throw new Error(`login ${username}: ${JSON.stringify(res.body)}`);
        return { id, uuid: res.body.data.uuid, username, token: res.body.data.token };
      };

      it('contacts keep their remarks, star and blacklist; the pending application waits', async () => {
        const [alice, bob, carol] = [await login('alice'), await login('bobby'), await login('carol')];
        const list = (await s().client.get('/api/chat/goodfriendlist/1', { token: alice.token })).body.data;
        const entries = list.rows.newList.flatMap((g: Any) => g.list);
        expect(entries.map((e: Any) => e.friend_id).sort()).toEqual([2, 3, 4]);
        expect(entries.find((e: Any) => e.friend_id === 2)).toMatchObject({ id: 1, beizhu: '小鲍', name: '小鲍' });
        expect((await s().client.get('/api/chat/getgoodfriendinfo/2', { token: alice.token })).body.data).toMatchObject({
          id: 1,
          nickname: '小鲍',
        });
        expect(await s().app.store.friends.row(1, 2)).toMatchObject({ ismystarfriend: 1, isblack: 0 });
        expect(await s().app.store.friends.row(1, 4)).toMatchObject({ friendlookme: 0, melookfriend: 0 });
        // Alice blacklisted Carol in the seed.
        const refused = await s().client.post(
          '/api/chat/socket/sendmessage',
          { sendto_id: 1, chatType: 'single', type: 'text', data: 'x' },
          { token: carol.token },
        );
        expect(refused.body).toEqual(fail('对方把你拉黑了，不能发送消息'));
        const applies = (await s().client.get('/api/chat/listapplyfriend/1', { token: bob.token })).body.data;
        expect(applies.pendingCount).toBe(1);
        expect(applies.alldata.find((a: Any) => a.status === 'pending')).toMatchObject({ id: 3, user_id: 4, nickname: '我是dave' });
      });

      it('the group keeps its announcement, policy and nicknames; members receive group messages', async () => {
        const [alice, bob, carol] = [await login('alice'), await login('bobby'), await login('carol')];
        const groups = (await s().client.get('/api/chat/grouplist/1', { token: bob.token })).body.data;
        expect(groups.map((g: Any) => g.id)).toEqual([1]);
        const g = await groupOf(s(), 1, alice);
        expect(g).toMatchObject({ id: 1, name: '爱丽丝、bob、Carol', remark: '周五开会', invite_confirm: 1, user_id: 1 });
        expect(memberIds(g)).toEqual([1, 2, 3]);
        expect(g.group_users.find((m: Any) => m.user_id === 3).nickname).toBe('卡罗');
        expect(await s().app.store.groups.membership(1, 4)).toMatchObject({ status: 2 });
        // Bob is online, Carol is not: she gets it when she connects (the group conversation is hers).
        const cb = await online(s(), bob.token);
        expect((await say(s(), alice, 1, '导入后第一条')).status).toBe(200);
        const fromAlice = (x: Any) => x.chatType === 'group' && x.from_id === 1;
        const [live] = await cb.waitChats(1, fromAlice);
        expect(textOf(live)).toBe('导入后第一条');
        expect(live.from_name).toBe('群主');
        cb.close();
        // Her catch-up: the message waiting in the seed's Redis first, then the group message.
        const cc = await online(s(), carol.token);
        await drain(s(), carol.token);
        const got = await cc.waitChats(2, (x) => x.from_id === 1);
        expect(got.map((m) => [m.chatType, textOf(m)])).toEqual([
          ['single', 'hi carol'],
          ['group', '导入后第一条'],
        ]);
        cc.close();
      });

      it("the offline messages arrive once, in the seed's order, as the seed stored them", async () => {
        const bob = await login('bobby');
        const alice = await login('alice');
        const ids = new Set(BOB_WAITING.map((m) => m.id as string));
        const c = await online(s(), bob.token);
        await drain(s(), bob.token);
        const got = await c.waitChats(BOB_WAITING.length, (m) => ids.has(m.id));
        expect(got).toEqual(BOB_WAITING);
        await barrier(s(), alice, c, bob.id);
        expect(c.chats((m) => ids.has(m.id))).toHaveLength(BOB_WAITING.length);
        c.close();
        await c.closed();
        const again = await online(s(), bob.token);
        await drain(s(), bob.token);
        await barrier(s(), alice, again, bob.id, 'again');
        expect(again.chats((m) => ids.has(m.id))).toEqual([]);
        again.close();
      });

      it('new rows take ids past the imported ones', async () => {
        const fresh = await s().client.register();
        expect(fresh.id).toBeGreaterThan(7);
        const alice = await login('alice');
        const applied = await s().client.post('/api/chat/applyfriend', { friend_id: 3, nickname: 'new' }, { token: fresh.token });
        expect(applied.status).toBe(200);
        const created = await s().client.post('/api/chat/group/create', { userIds: [1, 5] }, { token: alice.token });
        expect(created.status, JSON.stringify(created.body)).toBe(200);
        const groups = (await s().client.get('/api/chat/grouplist/1', { token: alice.token })).body.data;
        expect(groups.map((g: Any) => g.id)).toEqual([2, 1]);
        expect(memberIds(await groupOf(s(), 2, alice))).toEqual([1, 2, 4]);
      });
    });
  }

  describe('natter import: arguments, unreachable sources, settings', () => {
    const target = () => ({ DATABASE_URL: `sqlite:${path.join(dir, 'errors.db')}`, DATA_DIR: dir });

    it('bad arguments exit 2 with the usage', async () => {
      for (const args of [
        [],
        ['--from', 'postgres://x/y'],
        ['--from', 'mysql://h/db', '--batch', '0'],
        ['--from', 'mysql://h/db', '--what'],
      ]) {
        const res = await natter(args, target(), dir);
        expect(res.code, args.join(' ')).toBe(2);
        expect(res.err).toMatch(/^natter import: /);
      }
      const help = await natter(['--help'], target(), dir);
      expect(help.code).toBe(0);
      expect(help.out).toContain('usage: natter import --from');
    });

    it('an unreachable source exits 1 with one line naming it; nothing is written', async () => {
      const noMysql = await natter(['--from', 'mysql://root@127.0.0.1:1/seed'], target(), dir);
      expect(noMysql.code).toBe(1);
      expect(noMysql.err).toMatch(/^natter import: cannot read the seed MySQL database at mysql:\/\/127\.0\.0\.1:1\/seed: .*ECONNREFUSED/);
      expect(noMysql.err.split('\n')).toHaveLength(1);
      const noRedis = await natter(['--from', seed.url, '--redis', 'redis://127.0.0.1:1/5'], target(), dir);
      expect(noRedis.code).toBe(1);
      expect(noRedis.err).toMatch(/^natter import: cannot read the seed Redis at redis:\/\/127\.0\.0\.1:1\/5: /);
      expect(fs.existsSync(path.join(dir, 'errors.db'))).toBe(false);
    });

    it('invalid settings exit 3', async () => {
      const res = await natter(['--from', seed.url], { DATABASE_URL: 'oracle://x', DATA_DIR: dir }, dir);
      expect(res.code).toBe(3);
      expect(res.err).toContain('DATABASE_URL');
    });

    it('--consume removes the lists it took whole, and leaves the others', async () => {
      const url = `sqlite:${path.join(dir, 'consume.db')}`;
      const res = await natter([...source(), '--consume', '--json'], { DATABASE_URL: url, DATA_DIR: dir }, dir);
      expect(res.code, res.err).toBe(0);
      expect(JSON.parse(res.out).consumedLists).toBe(1);
      const r = new Redis(SEED_REDIS);
      try {
        expect(await r.exists('chat_getmessage_3')).toBe(0);
        // Bob's list holds an entry that is not JSON; the others name no imported user.
        for (const key of ['chat_getmessage_2', 'chat_getmessage_6', 'chat_getmessage_x'])
          expect(await r.llen(key)).toBe(OFFLINE[key]?.length);
      } finally {
        r.disconnect();
      }
      await pushOffline();
    });
  });
}
