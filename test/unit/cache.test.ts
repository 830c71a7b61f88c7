import { describe, expect, it } from 'vitest';
import type { Bus, BusEvent, BusHandler } from '../../src/bus/port.js';
import { cachingStore } from '../../src/compose/cache.js';
import { loadConfig } from '../../src/config.js';
import { LoadCache } from '../../src/store/cache.js';
import {
  cachedStore,
  FRIEND_POLICY,
  GROUP_POLICY,
  groupKey,
  pairKey,
  SESSION_POLICY,
  USER_POLICY,
  userKey,
  type Policy,
} from '../../src/store/cached-store.js';
import type { Repos, Store } from '../../src/store/port.js';
import { FriendRepository } from '../../src/store/repos/friends.js';
import { GroupRepository } from '../../src/store/repos/groups.js';
import { SessionRepository } from '../../src/store/repos/sessions.js';
import { UserRepository } from '../../src/store/repos/users.js';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('LoadCache', () => {
  it('keeps at most `max` values, dropping the least recently used', async () => {
    const c = new LoadCache<string>(2, 60_000);
    let loads = 0;
    const get = (k: string) => c.get(k, async () => `${k}${++loads}`);
    expect(await get('a')).toBe('a1');
    expect(await get('b')).toBe('b2');
    expect(await get('a')).toBe('a1'); // a is now the most recent
    expect(await get('c')).toBe('c3'); // b goes
    expect(c.size).toBe(2);
    expect(await get('a')).toBe('a1');
    expect(await get('b')).toBe('b4');
    expect([c.hits, c.misses]).toEqual([2, 4]);
  });

  it('reads again after the time to live', async () => {
    let now = 0;
    const c = new LoadCache<number>(10, 1_000, () => now);
    let loads = 0;
    const get = () => c.get('k', async () => ++loads);
    expect(await get()).toBe(1);
    now = 999;
    expect(await get()).toBe(1);
    now = 1_999;
    expect(await get()).toBe(2);
  });

  it('does not keep a value whose load raced with an invalidation of its key', async () => {
    const c = new LoadCache<string>(10, 60_000);
    const slow = deferred<string>();
    const racing = c.get('k', () => slow.promise);
    c.invalidate('k'); // the change committed and was announced while the old row was in flight
    slow.resolve('old');
    expect(await racing).toBe('old'); // its caller read before the change: that is fine
    expect(await c.get('k', async () => 'new')).toBe('new'); // but it was not kept
    expect(await c.get('k', async () => 'newer')).toBe('new');
  });

  it('an invalidation of another key does not stop a load from being kept', async () => {
    const c = new LoadCache<string>(10, 60_000);
    const slow = deferred<string>();
    const loading = c.get('k', () => slow.promise);
    c.invalidate('other');
    slow.resolve('v');
    await loading;
    expect(await c.get('k', async () => 'reloaded')).toBe('v');
  });

  it('clear drops everything, and loads under way are not kept', async () => {
    const c = new LoadCache<string>(10, 60_000);
    await c.get('a', async () => 'a');
    const slow = deferred<string>();
    const loading = c.get('b', () => slow.promise);
    c.clear();
    slow.resolve('stale');
    await loading;
    expect(c.size).toBe(0);
    expect(await c.get('a', async () => 'a2')).toBe('a2');
    expect(await c.get('b', async () => 'b2')).toBe('b2');
  });

  it('with max 0 keeps nothing; a refused value is not kept', async () => {
    const none = new LoadCache<number>(0, 60_000);
    let n = 0;
    await none.get('k', async () => ++n);
    expect(await none.get('k', async () => ++n)).toBe(2);
    const some = new LoadCache<number | undefined>(10, 60_000);
    await some.get(
      'k',
      async () => undefined,
      (v) => v !== undefined,
    );
    expect(
      await some.get(
        'k',
        async () => 7,
        (v) => v !== undefined,
      ),
    ).toBe(7);
  });
});

/** Method names of a repository class, as the store implements them. */
const methodsOf = (cls: { prototype: object }) =>
  Object.getOwnPropertyNames(cls.prototype)
    .filter((n) => n !== 'constructor' && typeof Object.getOwnPropertyDescriptor(cls.prototype, n)?.value === 'function')
    .sort();

const writes = (p: Policy<object>) => Object.keys(p).filter((k) => (p as Record<string, unknown>)[k] !== 'read');

describe('cached store: every write of a cached row is known', () => {
  it('each repository method of users, sessions, friends and groups is declared a read or a write', () => {
    // A method added to a repository without a policy fails here (and does not compile against the port).
    expect(Object.keys(USER_POLICY).sort()).toEqual(methodsOf(UserRepository));
    expect(Object.keys(SESSION_POLICY).sort()).toEqual(methodsOf(SessionRepository));
    expect(Object.keys(FRIEND_POLICY).sort()).toEqual(methodsOf(FriendRepository));
    expect(Object.keys(GROUP_POLICY).sort()).toEqual(methodsOf(GroupRepository));
  });

  /** A store whose every method records its call and answers `result`; writes are announced to `announced`. */
  function fake(result: unknown = { id: 9 }) {
    const calls: string[] = [];
    const repo = (name: string, policy: object) =>
      Object.fromEntries(
        Object.keys(policy).map((m) => [
          m,
          async () => {
            calls.push(`${name}.${m}`);
            return result;
          },
        ]),
      );
    const repos = {
      users: repo('users', USER_POLICY),
      sessions: repo('sessions', SESSION_POLICY),
      friends: repo('friends', FRIEND_POLICY),
      groups: repo('groups', GROUP_POLICY),
    } as unknown as Repos;
    const inner = { ...repos, dialect: 'sqlite', transaction: (fn: (tx: Repos) => Promise<unknown>) => fn(repos) } as unknown as Store;
    const announced: string[][] = [];
    const store = cachedStore(inner, { users: 10, pairs: 10, groups: 10, ttlMs: 60_000 }, async (keys) => void announced.push(keys));
    return { store, calls, announced };
  }

  const args: Record<string, unknown[]> = {
    'users.create': [{}, 0],
    'users.update': [3, {}, 0],
    'sessions.put': [{ user_id: 3 }],
    'sessions.join': [{ user_id: 3 }, 0],
    'sessions.end': [3, 'sid'],
    'sessions.endOthers': [3, 'sid'],
    'friends.addIfMissing': [5, 4, '', 0],
    'friends.setFlags': [{ id: 1, user_id: 5, friend_id: 4 }, {}, 0],
    'friends.deletePair': [4, 5],
    'groups.create': [{}, [], 0],
    'groups.update': [9, {}, 0],
    'groups.delete': [9],
    'groups.addMember': [9, 3, 1, 0],
    'groups.setMember': [9, 3, {}, 0],
    'groups.removeMember': [9, 3],
  };
  const expected: Record<string, string> = {
    'users.create': userKey(9),
    'users.update': userKey(3),
    'sessions.put': userKey(3),
    'sessions.join': userKey(3),
    'sessions.end': userKey(3),
    'sessions.endOthers': userKey(3),
    'friends.addIfMissing': pairKey(4, 5),
    'friends.setFlags': pairKey(4, 5),
    'friends.deletePair': pairKey(4, 5),
    'groups.create': groupKey(9),
    'groups.update': groupKey(9),
    'groups.delete': groupKey(9),
    'groups.addMember': groupKey(9),
    'groups.setMember': groupKey(9),
    'groups.removeMember': groupKey(9),
  };

  it('the write list is complete', () => {
    const all = [
      ...writes(USER_POLICY).map((m) => `users.${m}`),
      ...writes(SESSION_POLICY).map((m) => `sessions.${m}`),
      ...writes(FRIEND_POLICY).map((m) => `friends.${m}`),
      ...writes(GROUP_POLICY).map((m) => `groups.${m}`),
    ].sort();
    expect(all).toEqual(Object.keys(expected).sort());
  });

  for (const [call, key] of Object.entries(expected)) {
    const [repo, method] = call.split('.') as [keyof Repos, string];
    it(`${call} drops and announces ${key.split(':')[0]} keys, outside and inside a transaction`, async () => {
      const { store, announced } = fake();
      const run = (r: Repos) =>
        (r[repo] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]?.(...(args[call] ?? []));
      await run(store);
      expect(announced).toEqual([[key]]);
      await store.transaction(async (tx) => {
        await run(tx);
        await run(tx);
        expect(announced).toHaveLength(1); // not before the commit
      });
      expect(announced).toEqual([[key], [key]]);
    });
  }

  it('a write drops the cached read on this node before it returns', async () => {
    const { store, calls } = fake({ user: { id: 3 }, session: undefined });
    await store.users.findWithSession(3);
    await store.users.findById(3);
    expect(calls).toEqual(['users.findWithSession']);
    await store.sessions.end(3, 'sid');
    await store.users.findWithSession(3);
    expect(calls).toEqual(['users.findWithSession', 'sessions.end', 'users.findWithSession']);
  });

  it('a transaction that fails still drops what it touched', async () => {
    const { store, announced } = fake();
    await expect(
      store.transaction(async (tx) => {
        await tx.groups.update(9, {}, 0);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(announced).toEqual([[groupKey(9)]]);
  });

  it('one pair entry serves both directions', async () => {
    const { store, calls } = fake({ mine: { id: 1 }, theirs: { id: 2 } });
    expect(await store.friends.pair(4, 5)).toEqual({ mine: { id: 1 }, theirs: { id: 2 } });
    expect(await store.friends.pair(5, 4)).toEqual({ mine: { id: 2 }, theirs: { id: 1 } });
    expect(calls).toEqual(['friends.pair']);
  });
});

describe('cache invalidations on the bus', () => {
  class FakeBus implements Partial<Bus> {
    handlers = new Map<string, BusHandler>();
    gaps: (() => void)[] = [];
    published: [string, BusEvent][] = [];
    async publish(topic: string, event: BusEvent) {
      this.published.push([topic, event]);
    }
    async subscribe(topic: string, handler: BusHandler) {
      this.handlers.set(topic, handler);
      return async () => undefined;
    }
    onGap(l: () => void) {
      this.gaps.push(l);
    }
    /** Events published elsewhere that have not reached this node yet: `sync` hands them over. */
    inTransit: BusEvent[] = [];
    sync() {
      return Promise.resolve().then(() => {
        for (const e of this.inTransit.splice(0)) this.handlers.get('cache')?.(e);
      });
    }
  }
  const log = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined } as never;

  async function node() {
    let loads = 0;
    const noop = (policy: object) => Object.fromEntries(Object.keys(policy).map((m) => [m, async () => undefined]));
    const inner = {
      dialect: 'sqlite',
      users: {
        ...noop(USER_POLICY),
        findWithSession: async (id: number) => ({ user: { id, nickname: `n${++loads}` }, session: undefined }),
      },
      sessions: noop(SESSION_POLICY),
      friends: noop(FRIEND_POLICY),
      groups: noop(GROUP_POLICY),
    } as unknown as Store;
    const bus = new FakeBus();
    const store = await cachingStore(inner, bus as unknown as Bus, loadConfig({}), log);
    return { store, bus };
  }

  it('announces on the `cache` topic, drops what other nodes announce, and drops everything on a gap', async () => {
    const { store, bus } = await node();
    await store.users.update(3, {}, 0);
    expect(bus.published).toEqual([['cache', { v: 1, type: 'cache', keys: ['user:3'] }]]);
    expect((await store.users.findById(3))?.nickname).toBe('n1');
    expect((await store.users.findById(3))?.nickname).toBe('n1');
    bus.handlers.get('cache')?.({ v: 1, type: 'cache', keys: ['user:3'] });
    expect((await store.users.findById(3))?.nickname).toBe('n2');
    bus.handlers.get('cache')?.({ v: 1, type: 'cache', keys: [7, null] as never });
    expect((await store.users.findById(3))?.nickname).toBe('n2');
    for (const gap of bus.gaps) gap();
    expect((await store.users.findById(3))?.nickname).toBe('n3');
  });

  it('the token check waits for the bus: an invalidation still in transit is applied before it reads from memory', async () => {
    const { store, bus } = await node();
    expect((await store.users.findWithSession(3))?.user.nickname).toBe('n1');
    bus.inTransit.push({ v: 1, type: 'cache', keys: ['user:3'] });
    // Reads within a request (after its token check) come straight from memory...
    expect((await store.users.findById(3))?.nickname).toBe('n1');
    // ...the token check that starts the next request waits for what was announced before it.
    expect((await store.users.findWithSession(3))?.user.nickname).toBe('n2');
    expect(bus.inTransit).toEqual([]);
  });
});
