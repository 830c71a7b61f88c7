import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/domain/user.js';
import { isUniqueViolation, StoreError } from '../../src/store/errors.js';
import { openStore, type OpenedStore } from '../../src/store/kysely-store.js';
import type { NewMessage, NewUser, SessionRecord, StoredMessage } from '../../src/store/port.js';
import type { Tuple } from '../helpers/chat.js';
import { databaseConfig, freshDatabase, tempDir, testDialects, type FreshDatabase } from '../helpers/databases.js';

/**
 * The store contract (src/store/port.ts, DESIGN §2): what services rely on from the `Store` port,
 * stated once and run against a fresh, migrated database of every configured dialect (TEST_DB).
 * Every test makes its own users, keys and conversations, so the tests of a suite share the
 * database without depending on each other.
 */
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function must<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('expected a row');
  return v;
}

let counter = 0;
const unique = (tag: string) => `${tag}_${(counter++).toString(36)}_${randomUUID().slice(0, 8)}`;

const newUser = (over: Partial<NewUser> = {}): NewUser => ({
  uuid: randomUUID(),
  username: unique('u'),
  password: 'hash',
  role: 'user',
  status: 1,
  avatar: '/public/defaults/user.jpg',
  ...over,
});

const session = (userId: number, over: Partial<SessionRecord> = {}): SessionRecord => ({
  user_id: userId,
  sid: randomUUID(),
  role: 'user',
  create_time: T0,
  expires_at: T0 + HOUR,
  device: null,
  ...over,
});

/** A message to store in `conversation`; its body is `text`. */
const message = (
  conversation: string,
  members: number[],
  sender: number | null,
  text: string,
  over: Partial<NewMessage> = {},
): NewMessage => ({
  msg_id: randomUUID(),
  conversation_id: conversation,
  kind: conversation.startsWith('g:') ? 'group' : conversation.startsWith('u:') ? 'notice' : 'single',
  members,
  sender_id: sender,
  chat_type: conversation.startsWith('g:') ? 'group' : 'single',
  type: 'text',
  body: text,
  create_time: T0,
  ...over,
});

const bodies = (rows: StoredMessage[]) => rows.map((m) => m.body);
const seqs = (rows: StoredMessage[]) => rows.map((m) => m.seq);
const upTo = (n: number, from = 1) => Array.from({ length: n - from + 1 }, (_, i) => from + i);
/** The rejection of `p` (fails when it resolves). */
const rejection = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e,
  );

for (const dialect of testDialects()) {
  describe(`store contract [${dialect}]`, () => {
    let dir: string;
    let db: FreshDatabase;
    let store: OpenedStore;
    beforeAll(async () => {
      dir = tempDir();
      db = await freshDatabase(dialect, dir);
      store = await openStore(databaseConfig(db.url));
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
      await db?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const user = (over: Partial<NewUser> = {}) => store.users.create(newUser(over), T0);
    const users = async <N extends number>(n: N): Promise<Tuple<User, N>> => {
      const out: User[] = [];
      for (let i = 0; i < n; i++) out.push(await user());
      return out as Tuple<User, N>;
    };
    /** Appends in a transaction of its own, as the delivery service does. */
    const append = (m: NewMessage) => store.transaction((tx) => tx.messages.append(m));

    describe('the store', () => {
      it('names its dialect and answers ping', async () => {
        expect(store.dialect).toBe(dialect);
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('migrate can run again', async () => {
        await store.migrate();
        expect((await store.users.findById((await user()).id))?.status).toBe(1);
      });

      // Several nodes share a PostgreSQL or MySQL database; SQLite is for one node (docs/operations.md).
      it.skipIf(dialect === 'sqlite')(
        'migrate is safe from two stores at once on a new database (several nodes starting together)',
        async () => {
          const other = await freshDatabase(dialect, dir);
          const [s1, s2] = [await openStore(databaseConfig(other.url)), await openStore(databaseConfig(other.url))];
          try {
            await Promise.all([s1.migrate(), s2.migrate()]);
            const u = await s1.users.create(newUser(), T0);
            expect((await s2.users.findById(u.id))?.username).toBe(u.username);
          } finally {
            await s1.close();
            await s2.close();
            await other.drop();
          }
        },
      );
    });

    describe('users', () => {
      it('create stores the user with the defaults and its user_info row; found by id, username and uuid', async () => {
        const input = newUser({ nickname: '昵称 😀', avatar: 'https://img.test/a.png', devicefingeruuid: `dev-${randomUUID()}` });
        const u = await store.users.create(input, T0);
        expect(u).toEqual({
          ...input,
          id: expect.any(Number),
          userset: '',
          invite_confirm: 0,
          uniplatform: '',
          devicemodel: '',
          deviceos: '',
          devicebrand: '',
          mobile: null,
          email: null,
          last_login: null,
          last_login_ip: null,
          register_ip: null,
          register_time: T0,
          is_deleted: 0,
          wechat_openid: null,
          qq_openid: null,
          weibo_uid: null,
          is_email_verified: 0,
          is_mobile_verified: 0,
          order: 50,
          create_time: T0,
          update_time: T0,
        });
        expect(await store.users.findById(u.id)).toEqual(u);
        expect(await store.users.findByUsername(input.username)).toEqual(u);
        expect(await store.users.findByUuid(input.uuid)).toEqual(u);
        expect(await store.users.findByDevice(input.devicefingeruuid as string)).toEqual(u);
        expect(await store.users.findInfo(u.id)).toEqual({
          id: expect.any(Number),
          user_id: u.id,
          gender: 'unknown',
          birthday: null,
          bio: null,
          location: null,
          website: null,
        });
        const next = await user();
        expect(next.id).toBeGreaterThan(u.id);
        expect(await store.users.findById(next.id + 1_000_000)).toBeUndefined();
        expect(await store.users.findInfo(next.id + 1_000_000)).toBeUndefined();
      });

      it('findByUsername and findByDevice answer exact matches only: case and trailing spaces count', async () => {
        const device = `Dev-${randomUUID()}`;
        const u = await user({ username: unique('MiXed'), devicefingeruuid: device });
        for (const other of [u.username.toLowerCase(), u.username.toUpperCase(), `${u.username} `, ` ${u.username}`]) {
          expect(await store.users.findByUsername(other), JSON.stringify(other)).toBeUndefined();
        }
        for (const other of [device.toLowerCase(), `${device} `])
          expect(await store.users.findByDevice(other), JSON.stringify(other)).toBeUndefined();
        expect((await store.users.findByDevice(device))?.id).toBe(u.id);
      });

      it('update changes the given fields and update_time, nothing else', async () => {
        const u = await user();
        await store.users.update(u.id, { nickname: '新名字', status: 2, userset: '{"chatset":{}}' }, T0 + 5);
        expect(await store.users.findById(u.id)).toEqual({
          ...u,
          nickname: '新名字',
          status: 2,
          userset: '{"chatset":{}}',
          update_time: T0 + 5,
        });
      });

      it('a taken username or uuid is a unique violation (StoreError) and writes nothing', async () => {
        const u = await user();
        const sameName = newUser({ username: u.username });
        const e1 = await rejection(store.users.create(sameName, T0));
        expect(e1).toBeInstanceOf(StoreError);
        expect(isUniqueViolation(e1)).toBe(true);
        expect(await store.users.findByUuid(sameName.uuid)).toBeUndefined();
        const sameUuid = newUser({ uuid: u.uuid });
        expect(isUniqueViolation(await rejection(store.users.create(sameUuid, T0)))).toBe(true);
        expect(await store.users.findByUsername(sameUuid.username)).toBeUndefined();
        expect(await store.users.findByUsername(u.username)).toEqual(u);
        expect(isUniqueViolation(new Error('unique'))).toBe(false);
      });

      it('a row pointing at a missing user is a foreign key violation, not a unique one', async () => {
        const e = await rejection(store.sessions.put(session(2_000_000_000)));
        expect(e).toBeInstanceOf(StoreError);
        expect((e as StoreError).kind).toBe('foreign_key_violation');
        expect(isUniqueViolation(e)).toBe(false);
      });

      it('findActiveByIds: the active users among the ids, ascending; none for no ids', async () => {
        const [a, b, c] = await users(3);
        await store.users.update(b.id, { status: 0 }, T0);
        expect((await store.users.findActiveByIds([c.id, b.id, a.id, 2_000_000_000])).map((u) => u.id)).toEqual([a.id, c.id]);
        expect(await store.users.findActiveByIds([])).toEqual([]);
      });

      it('findWithSession and sessionStates read each user together with the current session', async () => {
        const [u, off] = await users(2);
        await store.users.update(off.id, { status: 0 }, T0);
        expect(await store.users.findWithSession(u.id)).toEqual({ user: u, session: undefined });
        const s = session(u.id, { role: 'visitor', device: 'dev-1' });
        await store.sessions.put(s);
        expect(await store.users.findWithSession(u.id)).toEqual({ user: u, session: s });
        expect(await store.users.findWithSession(2_000_000_000)).toBeUndefined();
        const states = await store.users.sessionStates([off.id, u.id, 2_000_000_000]);
        expect([...states].sort((x, y) => x.id - y.id)).toEqual([
          { id: u.id, status: 1, sid: s.sid, expires_at: s.expires_at },
          { id: off.id, status: 0, sid: null, expires_at: null },
        ]);
        expect(await store.users.sessionStates([])).toEqual([]);
      });

      it('search: active registered users whose name contains the keyword, any case, exact match first; % and _ are literal', async () => {
        const tag = `q${randomUUID()
          .replace(/[^a-f]/g, '')
          .slice(0, 8)}`;
        const me = await user({ username: `${tag}me` });
        const exact = await user({ username: tag });
        const short = await user({ username: `${tag}ab` });
        const under = await user({ username: `${tag}_tail` });
        const inside = await user({ username: `Z${tag.toUpperCase()}z` });
        await user({ username: `${tag}v`, role: 'visitor' });
        await user({ username: `${tag}d`, status: 0 });
        const names = async (keyword: string, limit = 10) => (await store.users.search(keyword, me.id, limit)).map((r) => r.username);
        expect(await names(tag)).toEqual([exact.username, short.username, under.username, inside.username]);
        expect(await names(tag.toUpperCase())).toEqual([exact.username, short.username, under.username, inside.username]);
        expect(await names(tag, 2)).toEqual([exact.username, short.username]);
        expect(await names(`${tag}_`)).toEqual([under.username]);
        expect(await names(`${tag}%`)).toEqual([]);
        expect((await store.users.search(tag, me.id, 1))[0]).toEqual({
          id: exact.id,
          username: exact.username,
          avatar: exact.avatar,
          role: 'user',
          uuid: exact.uuid,
          nickname: exact.nickname,
        });
      });
    });

    describe('sessions', () => {
      it('put makes the session the one current session of the user, replacing any other', async () => {
        const u = await user();
        expect(await store.sessions.get(u.id)).toBeUndefined();
        const first = session(u.id);
        await store.sessions.put(first);
        expect(await store.sessions.get(u.id)).toEqual(first);
        const second = session(u.id, { role: 'visitor', device: 'd2', create_time: T0 + 1, expires_at: T0 + 2 * HOUR });
        await store.sessions.put(second);
        expect(await store.sessions.get(u.id)).toEqual(second);
      });

      it('end ends the session only while it is the current one', async () => {
        const u = await user();
        const old = session(u.id);
        const current = session(u.id);
        await store.sessions.put(old);
        await store.sessions.put(current);
        expect(await store.sessions.end(u.id, old.sid)).toBe(false);
        expect(await store.sessions.get(u.id)).toEqual(current);
        expect(await store.sessions.end(u.id, current.sid)).toBe(true);
        expect(await store.sessions.get(u.id)).toBeUndefined();
        expect(await store.sessions.end(u.id, current.sid)).toBe(false);
      });

      it('endOthers ends every session of the user but the given one and answers the ended sids', async () => {
        const [u, other] = await users(2);
        const s = session(u.id);
        const theirs = session(other.id);
        await store.sessions.put(s);
        await store.sessions.put(theirs);
        expect(await store.sessions.endOthers(u.id, s.sid)).toEqual([]);
        expect(await store.sessions.get(u.id)).toEqual(s);
        expect(await store.sessions.endOthers(u.id, randomUUID())).toEqual([s.sid]);
        expect(await store.sessions.get(u.id)).toBeUndefined();
        expect(await store.sessions.endOthers(u.id, randomUUID())).toEqual([]);
        expect(await store.sessions.get(other.id)).toEqual(theirs);
      });

      it('join keeps and extends an unexpired session of the same role and device; anything else is replaced', async () => {
        const u = await user();
        const fresh = session(u.id, { device: 'phone' });
        expect(await store.sessions.join(fresh, T0)).toBe(fresh.sid);
        expect(await store.sessions.get(u.id)).toEqual(fresh);

        const again = session(u.id, { device: 'phone', create_time: T0 + 10, expires_at: T0 + 3 * HOUR });
        expect(await store.sessions.join(again, T0 + 10)).toBe(fresh.sid);
        expect(await store.sessions.get(u.id)).toEqual({ ...fresh, expires_at: T0 + 3 * HOUR });

        const replacements: [string, SessionRecord, number][] = [
          ['another device', session(u.id, { device: 'tablet', create_time: T0 + 20 }), T0 + 20],
          ['another role', session(u.id, { device: 'tablet', role: 'visitor', create_time: T0 + 30 }), T0 + 30],
          ['no device', session(u.id, { device: null, role: 'visitor', create_time: T0 + 40 }), T0 + 40],
          ['no device again', session(u.id, { device: null, role: 'visitor', create_time: T0 + 50 }), T0 + 50],
        ];
        for (const [what, s, now] of replacements) {
          expect(await store.sessions.join(s, now), what).toBe(s.sid);
          expect(await store.sessions.get(u.id), what).toEqual(s);
        }
        const expiring = session(u.id, { device: 'watch', expires_at: T0 + 1000 });
        await store.sessions.put(expiring);
        const late = session(u.id, { device: 'watch', create_time: T0 + 1000, expires_at: T0 + HOUR + 1000 });
        expect(await store.sessions.join(late, T0 + 1000)).toBe(late.sid);
        expect(await store.sessions.get(u.id)).toEqual(late);
      });

      it('two joins from one device at the same moment end in one session', async () => {
        for (const existing of [false, true]) {
          const u = await user();
          if (existing) await store.sessions.put(session(u.id, { device: 'phone' }));
          const tries = Array.from({ length: 6 }, () => session(u.id, { device: 'phone', create_time: T0 + 1 }));
          const sids = await Promise.all(tries.map((s) => store.sessions.join(s, T0 + 1)));
          const current = await store.sessions.get(u.id);
          expect(new Set(sids).size, `existing session: ${existing}`).toBe(1);
          expect(current?.sid).toBe(sids[0]);
        }
      });
    });

    describe('rate limits', () => {
      const W = 1000;

      it('hit counts in a fixed window started by the first hit; once it ended the next hit starts a new one', async () => {
        const key = unique('hit');
        expect(await store.rates.peek(key, T0)).toBe(0);
        expect(await store.rates.hit(key, W, T0)).toBe(1);
        expect(await store.rates.hit(key, W, T0 + 500)).toBe(2);
        // The window does not slide: it still ends at T0 + W.
        expect(await store.rates.hit(key, W, T0 + W - 1)).toBe(3);
        expect(await store.rates.peek(key, T0 + W - 1)).toBe(3);
        expect(await store.rates.peek(key, T0 + W)).toBe(0);
        expect(await store.rates.hit(key, W, T0 + W)).toBe(1);
        expect(await store.rates.peek(key, T0 + 2 * W - 1)).toBe(1);
        expect(await store.rates.peek(key, T0 + 2 * W)).toBe(0);
      });

      it('release takes back one hit of the open window, never below zero and never of an ended window', async () => {
        const key = unique('release');
        await store.rates.hit(key, W, T0);
        await store.rates.hit(key, W, T0);
        await store.rates.release(key, T0 + 1);
        expect(await store.rates.peek(key, T0 + 1)).toBe(1);
        await store.rates.release(key, T0 + 1);
        await store.rates.release(key, T0 + 1);
        expect(await store.rates.peek(key, T0 + 1)).toBe(0);
        expect(await store.rates.hit(key, W, T0 + 2)).toBe(1);
        await store.rates.release(key, T0 + W);
        expect(await store.rates.peek(key, T0 + 2)).toBe(1);
        await store.rates.release(unique('never-hit'), T0);
      });

      it('reset forgets one key; keys are counted apart', async () => {
        const [a, b] = [unique('a'), unique('b')];
        await store.rates.hit(a, W, T0);
        await store.rates.hit(a, W, T0);
        await store.rates.hit(b, W, T0);
        await store.rates.reset(a);
        expect(await store.rates.peek(a, T0)).toBe(0);
        expect(await store.rates.peek(b, T0)).toBe(1);
        expect(await store.rates.hit(a, W, T0 + 1)).toBe(1);
      });

      it('purge deletes the windows that have ended by `now` and keeps the open ones', async () => {
        const [short, long] = [unique('short'), unique('long')];
        await store.rates.hit(short, W, T0);
        await store.rates.hit(long, 5 * W, T0);
        await store.rates.purge(T0 + W - 1);
        expect(await store.rates.peek(short, T0)).toBe(1);
        await store.rates.purge(T0 + W);
        expect(await store.rates.peek(short, T0)).toBe(0);
        expect(await store.rates.peek(long, T0)).toBe(1);
      });

      it('concurrent hits are each counted once', async () => {
        const key = unique('many');
        const counts = await Promise.all(Array.from({ length: 25 }, () => store.rates.hit(key, 60_000, T0)));
        expect(await store.rates.peek(key, T0)).toBe(25);
        for (const c of counts) expect(c).toBeGreaterThanOrEqual(1);
        expect(Math.max(...counts)).toBe(25);
      });
    });

    describe('send counters', () => {
      it('increment answers the new total of one sender to one recipient; get is 0 before any', async () => {
        const [a, b] = await users(2);
        expect(await store.counters.get(a.id, b.id)).toBe(0);
        expect(await store.counters.increment(a.id, b.id)).toBe(1);
        expect(await store.counters.increment(a.id, b.id)).toBe(2);
        expect(await store.counters.get(a.id, b.id)).toBe(2);
        expect(await store.counters.get(b.id, a.id)).toBe(0);
        await Promise.all(Array.from({ length: 10 }, () => store.counters.increment(b.id, a.id)));
        expect(await store.counters.get(b.id, a.id)).toBe(10);
      });
    });

    describe('messages', () => {
      it('append numbers the messages of each conversation 1, 2, 3…, apart from other conversations; range reads (from, to]', async () => {
        const [a, b, c] = await users(3);
        const ab = `s:${a.id}:${b.id}`;
        const ac = `s:${a.id}:${c.id}`;
        const order: [string, number][] = [
          [ab, a.id],
          [ab, b.id],
          [ac, c.id],
          [ab, a.id],
          [ac, a.id],
        ];
        const got: number[] = [];
        for (const [conv, from] of order)
          got.push(await append(message(conv, conv === ab ? [a.id, b.id] : [a.id, c.id], from, `${conv}#${got.length}`)));
        expect(got).toEqual([1, 2, 1, 3, 2]);
        const all = await store.messages.range(ab, 0, 100);
        expect(all).toEqual([
          { id: expect.any(Number), conversation_id: ab, seq: 1, sender_id: a.id, body: `${ab}#0`, revoked: 0 },
          { id: expect.any(Number), conversation_id: ab, seq: 2, sender_id: b.id, body: `${ab}#1`, revoked: 0 },
          { id: expect.any(Number), conversation_id: ab, seq: 3, sender_id: a.id, body: `${ab}#3`, revoked: 0 },
        ]);
        expect(seqs(await store.messages.range(ab, 1, 2))).toEqual([2]);
        expect(await store.messages.range(ab, 3, 100)).toEqual([]);
        expect(bodies(await store.messages.range(ac, 0, 2))).toEqual([`${ac}#2`, `${ac}#4`]);
        expect(await store.messages.range(`s:${unique('none')}`, 0, 100)).toEqual([]);
      });

      it('a new conversation makes its members with the cursor at 0; cursors move forward, never back', async () => {
        const [a, b, c] = await users(3);
        const conv = `s:${a.id}:${b.id}`;
        for (let i = 0; i < 3; i++) await append(message(conv, [a.id, b.id], a.id, `m${i}`));
        expect(await store.messages.cursor(conv, a.id)).toBe(0);
        expect(await store.messages.cursor(conv, b.id)).toBe(0);
        expect(await store.messages.cursor(conv, c.id)).toBeUndefined();
        expect(await store.messages.cursors(b.id)).toEqual(new Map([[conv, 0]]));
        await store.messages.advance([{ conversation_id: conv, user_id: b.id, seq: 2 }]);
        await store.messages.advance([{ conversation_id: conv, user_id: b.id, seq: 1 }]);
        expect(await store.messages.cursor(conv, b.id)).toBe(2);
        // Not a member: no cursor is made.
        await store.messages.advance([{ conversation_id: conv, user_id: c.id, seq: 3 }]);
        expect(await store.messages.cursor(conv, c.id)).toBeUndefined();

        const g = `g:${unique('g')}`;
        await append(message(g, [a.id, b.id, c.id], null, 'g1'));
        await store.messages.advance([
          { conversation_id: g, user_id: a.id, seq: 1 },
          { conversation_id: g, user_id: b.id, seq: 1 },
          { conversation_id: conv, user_id: b.id, seq: 3 },
          { conversation_id: conv, user_id: a.id, seq: 1 },
        ]);
        await store.messages.advance([
          { conversation_id: g, user_id: a.id, seq: 0 },
          { conversation_id: conv, user_id: b.id, seq: 2 },
          { conversation_id: conv, user_id: a.id, seq: 3 },
          { conversation_id: conv, user_id: a.id, seq: 2 },
        ]);
        expect(await store.messages.cursors(a.id)).toEqual(
          new Map([
            [conv, 3],
            [g, 1],
          ]),
        );
        expect(await store.messages.cursors(b.id)).toEqual(
          new Map([
            [conv, 3],
            [g, 1],
          ]),
        );
        expect(await store.messages.cursors(c.id)).toEqual(new Map([[g, 0]]));
        // One, two and more members at one sequence number take different statements.
        await append(message(g, [a.id, b.id, c.id], null, 'g2'));
        await store.messages.advance([a, b, c].map((u) => ({ conversation_id: g, user_id: u.id, seq: 2 })));
        for (const u of [a, b, c]) expect(await store.messages.cursor(g, u.id)).toBe(2);
        await store.messages.advance([]);
      });

      it('pending: what lies past the user’s cursors and is not their own, in commit order, paged by afterId and limit', async () => {
        const [a, b, c] = await users(3);
        const ab = `s:${a.id}:${b.id}`;
        const cb = `s:${b.id}:${c.id}`;
        const notices = `u:${b.id}`;
        await append(message(ab, [a.id, b.id], a.id, 'p1'));
        await append(message(cb, [b.id, c.id], c.id, 'p2'));
        await append(message(ab, [a.id, b.id], b.id, 'p3'));
        await append(message(notices, [b.id], null, 'p4'));
        await append(message(ab, [a.id, b.id], a.id, 'p5'));
        const all = await store.messages.pending(b.id, 0, 100);
        expect(bodies(all)).toEqual(['p1', 'p2', 'p4', 'p5']);
        expect(all.map((m) => m.id)).toEqual([...all.map((m) => m.id)].sort((x, y) => x - y));
        expect(all[2]).toEqual({ id: expect.any(Number), conversation_id: notices, seq: 1, sender_id: null, body: 'p4', revoked: 0 });
        expect(await store.messages.countPending(b.id)).toBe(4);
        expect(bodies(await store.messages.pending(b.id, 0, 2))).toEqual(['p1', 'p2']);
        expect(bodies(await store.messages.pending(b.id, all[1]?.id ?? 0, 100))).toEqual(['p4', 'p5']);
        expect(bodies(await store.messages.pending(a.id, 0, 100))).toEqual(['p3']);
        await store.messages.advance([{ conversation_id: ab, user_id: b.id, seq: 1 }]);
        expect(bodies(await store.messages.pending(b.id, 0, 100))).toEqual(['p2', 'p4', 'p5']);
        await store.messages.advance([
          { conversation_id: ab, user_id: b.id, seq: 3 },
          { conversation_id: cb, user_id: b.id, seq: 1 },
          { conversation_id: notices, user_id: b.id, seq: 1 },
        ]);
        expect(await store.messages.pending(b.id, 0, 100)).toEqual([]);
        expect(await store.messages.countPending(b.id)).toBe(0);
      });

      it('a revoked message stays pending (drains skip it) but is not counted; find answers the first message with the id', async () => {
        const [a, b] = await users(2);
        const conv = `s:${a.id}:${b.id}`;
        const before = await store.messages.countAllPending();
        const first = message(conv, [a.id, b.id], a.id, 'first', { create_time: T0 + 7 });
        await append(first);
        await append(message(conv, [a.id, b.id], a.id, 'mirror', { msg_id: first.msg_id }));
        await append(message(conv, [a.id, b.id], a.id, 'other'));
        expect(await store.messages.countPending(b.id)).toBe(3);
        expect(await store.messages.countAllPending()).toBe(before + 3);
        const found = await store.messages.find(conv, first.msg_id);
        expect(found).toEqual({
          id: expect.any(Number),
          conversation_id: conv,
          seq: 1,
          sender_id: a.id,
          body: 'first',
          revoked: 0,
          create_time: T0 + 7,
        });
        await store.messages.markRevoked(conv, first.msg_id);
        expect(await store.messages.find(conv, first.msg_id)).toEqual({ ...found, revoked: 1 });
        expect((await store.messages.pending(b.id, 0, 100)).map((m) => [m.body, m.revoked])).toEqual([
          ['first', 1],
          ['mirror', 1],
          ['other', 0],
        ]);
        expect(await store.messages.countPending(b.id)).toBe(1);
        expect(await store.messages.countAllPending()).toBe(before + 1);
        expect(await store.messages.find(conv, randomUUID())).toBeUndefined();
        expect(await store.messages.find(`s:${unique('other')}`, first.msg_id)).toBeUndefined();
      });

      it('join makes members from the current end on; leave keeps what came before; reset forgets the members', async () => {
        const [owner, member, late] = await users(3);
        const g = `g:${unique('grp')}`;
        const say = (text: string) => append(message(g, [owner.id, member.id], owner.id, text));
        const pendingOf = async (id: number) => bodies(await store.messages.pending(id, 0, 100)).filter((t) => t.startsWith(`${g}/`));
        await say(`${g}/1`);
        await say(`${g}/2`);
        await store.messages.join(g, 'group', [late.id], T0);
        expect(await store.messages.cursor(g, late.id)).toBe(2);
        expect(await pendingOf(late.id)).toEqual([]);
        await say(`${g}/3`);
        expect(await pendingOf(late.id)).toEqual([`${g}/3`]);
        await store.messages.leave(g, [member.id]);
        await say(`${g}/4`);
        expect(await pendingOf(member.id)).toEqual([`${g}/1`, `${g}/2`, `${g}/3`]);
        expect(await store.messages.countPending(member.id)).toBe(3);
        expect(await pendingOf(late.id)).toEqual([`${g}/3`, `${g}/4`]);
        // Joining again starts from the end once more.
        await store.messages.join(g, 'group', [member.id], T0);
        expect(await pendingOf(member.id)).toEqual([]);
        await say(`${g}/5`);
        expect(await pendingOf(member.id)).toEqual([`${g}/5`]);
        await store.messages.leave(g, 'all');
        await say(`${g}/6`);
        expect(await pendingOf(member.id)).toEqual([`${g}/5`]);
        expect(await pendingOf(late.id)).toEqual([`${g}/3`, `${g}/4`, `${g}/5`]);
        await store.messages.reset(g);
        for (const u of [owner, member, late]) {
          expect(await store.messages.cursor(g, u.id)).toBeUndefined();
          expect((await store.messages.cursors(u.id)).has(g)).toBe(false);
        }
        // A conversation nobody wrote to yet; leave and join with nobody are harmless.
        const empty = `g:${unique('empty')}`;
        await store.messages.leave(empty, 'all');
        await store.messages.join(empty, 'group', [], T0);
        await store.messages.join(empty, 'group', [owner.id], T0);
        expect(await store.messages.cursor(empty, owner.id)).toBe(0);
        expect(await append(message(empty, [owner.id], member.id, 'first'))).toBe(1);
      });

      it('purgeBefore deletes at most `limit` messages stored before the cutoff and answers how many', async () => {
        const [a, b] = await users(2);
        const conv = `s:${a.id}:${b.id}`;
        const OLD = T0 - 30 * 24 * HOUR;
        for (let i = 0; i < 3; i++) await append(message(conv, [a.id, b.id], a.id, `old${i}`, { create_time: OLD + i }));
        await append(message(conv, [a.id, b.id], a.id, 'new', { create_time: T0 }));
        expect(await store.messages.purgeBefore(OLD + 3, 2)).toBe(2);
        expect(await store.messages.purgeBefore(OLD + 3, 10)).toBe(1);
        expect(await store.messages.purgeBefore(OLD + 3, 10)).toBe(0);
        expect(bodies(await store.messages.range(conv, 0, 100))).toEqual(['new']);
        // Numbering goes on after the purge.
        expect(await append(message(conv, [a.id, b.id], a.id, 'after'))).toBe(5);
      });

      it('concurrent transactions appending to one conversation get distinct, gapless sequence numbers', async () => {
        const [a, b] = await users(2);
        const conv = `s:${a.id}:${b.id}`;
        for (const round of [0, 1]) {
          const texts = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
          const got = await Promise.all(texts.map((t) => append(message(conv, [a.id, b.id], a.id, t))));
          expect([...got].sort((x, y) => x - y)).toEqual(upTo(20 * (round + 1), 20 * round + 1));
          const stored = await store.messages.range(conv, 20 * round, 20 * (round + 1));
          expect(seqs(stored)).toEqual(upTo(20 * (round + 1), 20 * round + 1));
          for (const [i, t] of texts.entries()) expect(stored.find((m) => m.seq === got[i])?.body).toBe(t);
        }
      });
    });

    describe('transactions', () => {
      it('answer what the function returns, its writes committed together and visible inside', async () => {
        const input = newUser();
        const id = await store.transaction(async (tx) => {
          const u = await tx.users.create(input, T0);
          await tx.sessions.put(session(u.id));
          expect((await tx.users.findById(u.id))?.username).toBe(input.username);
          return u.id;
        });
        expect((await store.users.findByUsername(input.username))?.id).toBe(id);
        expect((await store.sessions.get(id))?.user_id).toBe(id);
      });

      it('roll back every write when the function throws, and reject with its error', async () => {
        const [a, b] = await users(2);
        const input = newUser();
        const key = unique('tx-rate');
        const conv = `s:${a.id}:${b.id}`;
        const boom = new Error('boom');
        const e = await rejection(
          store.transaction(async (tx) => {
            const u = await tx.users.create(input, T0);
            await tx.sessions.put(session(u.id));
            await tx.sessions.put(session(a.id));
            await tx.rates.hit(key, 60_000, T0);
            await tx.counters.increment(a.id, b.id);
            await tx.messages.append(message(conv, [a.id, b.id], a.id, 'lost'));
            await tx.users.update(b.id, { nickname: 'lost' }, T0 + 1);
            throw boom;
          }),
        );
        expect(e).toBe(boom);
        expect(await store.users.findByUsername(input.username)).toBeUndefined();
        expect(await store.sessions.get(a.id)).toBeUndefined();
        expect(await store.rates.peek(key, T0)).toBe(0);
        expect(await store.counters.get(a.id, b.id)).toBe(0);
        expect(await store.messages.range(conv, 0, 100)).toEqual([]);
        expect(await store.messages.cursor(conv, a.id)).toBeUndefined();
        expect(await store.users.findById(b.id)).toEqual(b);
        // The conversation was not created either: the next message is its first.
        expect(await append(message(conv, [a.id, b.id], a.id, 'kept'))).toBe(1);
        expect(await store.messages.cursor(conv, b.id)).toBe(0);
      });

      it('a unique violation inside a transaction rolls back its earlier writes', async () => {
        const taken = await user();
        const fresh = newUser();
        const e = await rejection(
          store.transaction(async (tx) => {
            await tx.users.create(fresh, T0);
            await tx.users.create(newUser({ username: taken.username }), T0);
          }),
        );
        expect(isUniqueViolation(e)).toBe(true);
        expect(await store.users.findByUsername(fresh.username)).toBeUndefined();
      });

      it('concurrent transactions commit or roll back each on its own', async () => {
        const [a, b] = await users(2);
        await store.counters.increment(a.id, b.id);
        const inputs = Array.from({ length: 30 }, () => newUser());
        const results = await Promise.allSettled(
          inputs.map((input, i) =>
            store.transaction(async (tx) => {
              const u = await tx.users.create(input, T0);
              await tx.messages.append(message(`u:${u.id}`, [u.id], null, `hello ${i}`));
              await tx.counters.increment(a.id, b.id);
              if (i % 3 === 0) throw new Error(`refused ${i}`);
              return u.id;
            }),
          ),
        );
        for (const [i, r] of results.entries()) {
          const stored = await store.users.findByUsername(inputs[i]?.username ?? '');
          if (i % 3 === 0) {
            expect(r).toEqual({ status: 'rejected', reason: new Error(`refused ${i}`) });
            expect(stored).toBeUndefined();
          } else {
            expect(r).toEqual({ status: 'fulfilled', value: stored?.id });
            expect(bodies(await store.messages.pending(stored?.id ?? 0, 0, 10))).toEqual([`hello ${i}`]);
          }
        }
        expect(await store.counters.get(a.id, b.id)).toBe(1 + 20);
      });
    });

    describe('friends and applications', () => {
      it('addIfMissing adds the owner’s entry once; row and pair read each direction', async () => {
        const [a, b] = await users(2);
        expect(await store.friends.addIfMissing(a.id, b.id, '老同学', T0)).toBe(true);
        expect(await store.friends.addIfMissing(a.id, b.id, 'ignored', T0 + 1)).toBe(false);
        const mine = {
          id: expect.any(Number),
          user_id: a.id,
          friend_id: b.id,
          nickname: '老同学',
          friendlookme: 1,
          melookfriend: 1,
          ismystarfriend: 0,
          isblack: 0,
          status: 1,
        };
        expect(await store.friends.row(a.id, b.id)).toEqual(mine);
        expect(await store.friends.row(b.id, a.id)).toBeUndefined();
        expect(await store.friends.pair(a.id, b.id)).toEqual({ mine });
        expect(await store.friends.pair(b.id, a.id)).toEqual({ theirs: mine });
        const [c, d] = await users(2);
        const added = await Promise.all(Array.from({ length: 5 }, () => store.friends.addIfMissing(c.id, d.id, '', T0)));
        expect(added.filter(Boolean)).toHaveLength(1);
      });

      it('hasContacts and friendIdsOfRows count the owner’s own active, not blacklisted entries', async () => {
        const [me, ok, black, starred, stranger] = await users(5);
        expect(await store.friends.hasContacts(me.id)).toBe(false);
        for (const f of [black, starred]) await store.friends.addIfMissing(me.id, f.id, '', T0);
        await store.friends.setFlags(must(await store.friends.row(me.id, black.id)), { isblack: 1 }, T0);
        await store.friends.setFlags(must(await store.friends.row(me.id, starred.id)), { ismystarfriend: 1 }, T0);
        expect(await store.friends.row(me.id, starred.id)).toMatchObject({ ismystarfriend: 1, isblack: 0, friendlookme: 1 });
        await store.friends.addIfMissing(stranger.id, me.id, '', T0);
        expect(await store.friends.hasContacts(me.id)).toBe(true);
        await store.friends.setFlags(must(await store.friends.row(me.id, starred.id)), { isblack: 1 }, T0);
        expect(await store.friends.hasContacts(me.id)).toBe(false);
        await store.friends.addIfMissing(me.id, ok.id, '', T0);
        expect(await store.friends.hasContacts(me.id)).toBe(true);
        const rowIds = await Promise.all([ok, black, starred].map(async (f) => (await store.friends.row(me.id, f.id))?.id ?? 0));
        const theirs = (await store.friends.row(stranger.id, me.id))?.id ?? 0;
        expect(await store.friends.friendIdsOfRows(me.id, [...rowIds, theirs])).toEqual([ok.id]);
        expect(await store.friends.friendIdsOfRows(me.id, [])).toEqual([]);
      });

      it('contacts lists the owner’s entries in insertion order with each friend’s profile; deletePair removes both directions', async () => {
        const [me, f1, f2, f3] = await users(4);
        await store.users.update(f2.id, { nickname: '二号', avatar: 'https://img.test/2.png' }, T0);
        for (const f of [f2, f1, f3]) await store.friends.addIfMissing(me.id, f.id, f === f1 ? '备注' : '', T0);
        await store.friends.addIfMissing(f1.id, me.id, '', T0);
        const list = await store.friends.contacts(me.id, 0, 10);
        expect(list.map((r) => r.friend_id)).toEqual([f2.id, f1.id, f3.id]);
        expect(list[0]).toEqual({
          id: expect.any(Number),
          nickname: '',
          friend_id: f2.id,
          username: f2.username,
          avatar: 'https://img.test/2.png',
          friend_nickname: '二号',
          uuid: f2.uuid,
        });
        expect(list[1]?.nickname).toBe('备注');
        expect((await store.friends.contacts(me.id, 1, 1)).map((r) => r.friend_id)).toEqual([f1.id]);
        await store.friends.deletePair(f1.id, me.id);
        expect(await store.friends.pair(me.id, f1.id)).toEqual({});
        expect((await store.friends.contacts(me.id, 0, 10)).map((r) => r.friend_id)).toEqual([f2.id, f3.id]);
      });

      it('one open application per applicant and target: a duplicate is a unique violation until it is refused or ignored', async () => {
        const [a, b, c, d] = await users(4);
        const id = await store.applies.create(a.id, b.id, '你好', T0);
        const row = {
          id,
          user_id: a.id,
          friend_id: b.id,
          nickname: '你好',
          friendlookme: 1,
          melookfriend: 1,
          ismystarfriend: 0,
          isblack: 0,
          status: 'pending',
          order: 50,
          create_time: T0,
          update_time: T0,
        };
        expect(await store.applies.open(a.id, b.id)).toEqual(row);
        expect(await store.applies.findPending(id, b.id)).toEqual(row);
        expect(await store.applies.findPending(id, a.id)).toBeUndefined();
        expect(isUniqueViolation(await rejection(store.applies.create(a.id, b.id, 'again', T0)))).toBe(true);
        const back = await store.applies.create(b.id, a.id, '', T0);
        expect(back).not.toBe(id);
        expect(await store.applies.settle(id, 'agree', T0 + 1)).toBe(true);
        expect(await store.applies.settle(id, 'refuse', T0 + 2)).toBe(false);
        expect(await store.applies.open(a.id, b.id)).toEqual({ ...row, status: 'agree', update_time: T0 + 1 });
        expect(isUniqueViolation(await rejection(store.applies.create(a.id, b.id, 'again', T0)))).toBe(true);
        for (const status of ['refuse', 'ignore'] as const) {
          const first = await store.applies.create(c.id, d.id, status, T0);
          expect(await store.applies.settle(first, status, T0 + 1)).toBe(true);
          expect(await store.applies.open(c.id, d.id)).toBeUndefined();
          expect(await store.applies.findPending(first, d.id)).toBeUndefined();
          const next = await store.applies.create(c.id, d.id, status, T0 + 2);
          expect(await store.applies.settle(next, status, T0 + 3)).toBe(true);
        }
        const racing = await Promise.allSettled(Array.from({ length: 4 }, () => store.applies.create(d.id, c.id, '', T0)));
        expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of racing) if (r.status === 'rejected') expect(isUniqueViolation(r.reason)).toBe(true);
        await store.applies.deleteBetween(b.id, a.id);
        expect(await store.applies.open(a.id, b.id)).toBeUndefined();
        expect(await store.applies.open(b.id, a.id)).toBeUndefined();
        expect(await store.applies.create(a.id, b.id, 'fresh', T0)).toEqual(expect.any(Number));
      });

      it('applications to a target: newest first with the applicant’s profile; countPending counts pending ones', async () => {
        const [target, x, y, z] = await users(4);
        const ids: number[] = [];
        for (const u of [x, y, z]) ids.push(await store.applies.create(u.id, target.id, `from ${u.username}`, T0));
        await store.applies.settle(ids[1] ?? 0, 'agree', T0 + 1);
        expect(await store.applies.countPending(target.id)).toBe(2);
        const list = await store.applies.forTarget(target.id, 0, 10);
        expect(list.map((r) => r.id)).toEqual([...ids].reverse());
        expect(list[0]).toMatchObject({
          user_id: z.id,
          friend_id: target.id,
          status: 'pending',
          user: { id: z.id, username: z.username, avatar: z.avatar, nickname: z.nickname, uuid: z.uuid },
        });
        expect((await store.applies.forTarget(target.id, 1, 1)).map((r) => r.id)).toEqual([ids[1]]);
      });
    });

    describe('groups', () => {
      it('create adds the members in order; a second membership of one user is a unique violation', async () => {
        const [owner, a, b, c] = await users(4);
        const uuid = randomUUID();
        const g = await store.groups.create({ uuid, user_id: owner.id, name: '群聊', avatar: null }, [owner.id, a.id, b.id], T0);
        expect(g).toEqual({
          id: expect.any(Number),
          uuid,
          user_id: owner.id,
          name: '群聊',
          avatar: null,
          remark: '',
          invite_confirm: 0,
          status: 1,
          order: 50,
          create_time: T0,
          update_time: T0,
        });
        expect(await store.groups.find(g.id)).toEqual(g);
        expect((await store.groups.members(g.id)).map((m) => [m.user_id, m.status])).toEqual([
          [owner.id, 1],
          [a.id, 1],
          [b.id, 1],
        ]);
        await store.groups.addMember(g.id, c.id, 2, T0 + 1);
        expect((await store.groups.members(g.id, 2)).map((m) => m.user_id)).toEqual([c.id]);
        expect(await store.groups.membership(g.id, c.id)).toEqual({
          id: expect.any(Number),
          group_id: g.id,
          user_id: c.id,
          nickname: '',
          avatar: '',
          status: 2,
          order: 50,
          create_time: T0 + 1,
        });
        expect(isUniqueViolation(await rejection(store.groups.addMember(g.id, a.id, 1, T0)))).toBe(true);
        expect(await store.groups.hasActiveMembership(c.id)).toBe(false);
        await store.groups.setMember(g.id, c.id, { status: 1, nickname: '新人' }, T0 + 2);
        expect(await store.groups.membership(g.id, c.id)).toMatchObject({ status: 1, nickname: '新人' });
        expect(await store.groups.hasActiveMembership(c.id)).toBe(true);
        expect(await store.groups.removeMember(g.id, b.id)).toBe(1);
        expect(await store.groups.removeMember(g.id, b.id)).toBe(0);
        expect(await store.groups.membership(g.id, b.id)).toBeUndefined();
        const withUsers = await store.groups.membersWithUsers(g.id, 1);
        expect(withUsers.map((m) => m.user_id)).toEqual([owner.id, a.id, c.id]);
        expect(withUsers[1]?.user).toEqual({
          id: a.id,
          username: a.username,
          avatar: a.avatar,
          nickname: a.nickname,
          uuid: a.uuid,
          role: 'user',
        });
      });

      it('update, listFor (active groups where the user is active, newest first), firstAvatars and delete', async () => {
        const [owner, m] = await users(2);
        await store.users.update(m.id, { avatar: 'https://img.test/m.png' }, T0);
        const g1 = await store.groups.create({ uuid: randomUUID(), user_id: owner.id, name: 'one', avatar: null }, [owner.id, m.id], T0);
        const g2 = await store.groups.create({ uuid: randomUUID(), user_id: owner.id, name: 'two', avatar: null }, [owner.id], T0);
        await store.groups.addMember(g2.id, m.id, 2, T0);
        const g3 = await store.groups.create({ uuid: randomUUID(), user_id: owner.id, name: 'three', avatar: null }, [m.id, owner.id], T0);
        expect((await store.groups.listFor(m.id, 0, 10)).map((r) => r.group.id)).toEqual([g3.id, g1.id]);
        const [first] = await store.groups.listFor(m.id, 0, 1);
        expect(first).toEqual({
          group: g3,
          membership: {
            id: expect.any(Number),
            group_id: g3.id,
            user_id: m.id,
            nickname: '',
            avatar: '',
            status: 1,
            order: 50,
            create_time: T0,
          },
        });
        await store.groups.update(g3.id, { status: 0, name: 'closed', remark: '公告' }, T0 + 9);
        expect(await store.groups.find(g3.id)).toEqual({ ...g3, status: 0, name: 'closed', remark: '公告', update_time: T0 + 9 });
        expect((await store.groups.listFor(m.id, 0, 10)).map((r) => r.group.id)).toEqual([g1.id]);
        expect(await store.groups.firstAvatars(g1.id, 9)).toEqual([owner.avatar, 'https://img.test/m.png']);
        expect(await store.groups.firstAvatars(g1.id, 1)).toEqual([owner.avatar]);
        expect(await store.groups.firstAvatars(g2.id, 9)).toEqual([owner.avatar]);
        await store.groups.delete(g1.id);
        expect(await store.groups.find(g1.id)).toBeUndefined();
        expect((await store.groups.listFor(m.id, 0, 10)).map((r) => r.group.id)).toEqual([]);
      });
    });
  });
}
