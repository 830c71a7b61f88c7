import type { FriendRow } from '../domain/friend.js';
import { MemberStatus, type Group, type Membership } from '../domain/group.js';
import type { User } from '../domain/user.js';
import { LoadCache } from './cache.js';
import type { FriendRepo, GroupRepo, Repos, SessionRecord, SessionRepo, Store, UserRepo } from './port.js';

/**
 * Cache keys, also what the invalidation events carry: `user:<id>` (the user row and its current
 * session), `pair:<low>:<high>` (both friend entries of two users), `group:<id>` (the group row and
 * its active members).
 */
export const userKey = (id: number): string => `user:${id}`;
export const pairKey = (a: number, b: number): string => (a < b ? `pair:${a}:${b}` : `pair:${b}:${a}`);
export const groupKey = (id: number): string => `group:${id}`;

export interface CacheSizes {
  /** Users kept with their session (0: none). */
  users: number;
  /** Pairs of users whose friend entries are kept. */
  pairs: number;
  /** Groups kept with their active members. */
  groups: number;
  /** How long an entry is kept at most. */
  ttlMs: number;
}

export interface CacheControl {
  /** Drops these keys (a change announced by another node, or by this one). */
  drop(keys: readonly string[]): void;
  /** Drops everything (events may have been lost). */
  clear(): void;
  stats(): Record<'users' | 'pairs' | 'groups', { size: number; hits: number; misses: number }>;
}

/** For each method of a repository: a read, or a write and the keys it changes (from its arguments, or its result when it creates). */
type WritePolicy<F> = F extends (...args: infer A) => Promise<infer R> ? (args: A, result: R | undefined) => string[] : never;
export type Policy<R> = { readonly [K in keyof R]: 'read' | WritePolicy<R[K]> };

/** Every method of the four repositories whose rows are cached; the types make a new method choose. */
export const USER_POLICY: Policy<UserRepo> = {
  findById: 'read',
  findByUsername: 'read',
  findByUuid: 'read',
  findActiveByIds: 'read',
  findByDevice: 'read',
  create: (_, user) => (user ? [userKey(user.id)] : []),
  update: ([id]) => [userKey(id)],
  findInfo: 'read',
  findWithSession: 'read',
  sessionStates: 'read',
  search: 'read',
  activeAfter: 'read',
  counts: 'read',
};
export const SESSION_POLICY: Policy<SessionRepo> = {
  put: ([s]) => [userKey(s.user_id)],
  join: ([s]) => [userKey(s.user_id)],
  get: 'read',
  end: ([userId]) => [userKey(userId)],
  endOthers: ([userId]) => [userKey(userId)],
};
export const FRIEND_POLICY: Policy<FriendRepo> = {
  row: 'read',
  pair: 'read',
  hasContacts: 'read',
  addIfMissing: ([owner, friend]) => [pairKey(owner, friend)],
  contacts: 'read',
  setFlags: ([row]) => [pairKey(row.user_id, row.friend_id)],
  deletePair: ([a, b]) => [pairKey(a, b)],
  friendIdsOfRows: 'read',
};
export const GROUP_POLICY: Policy<GroupRepo> = {
  hasActiveMembership: 'read',
  create: (_, g) => (g ? [groupKey(g.id)] : []),
  find: 'read',
  update: ([id]) => [groupKey(id)],
  delete: ([id]) => [groupKey(id)],
  members: 'read',
  membersWithUsers: 'read',
  membership: 'read',
  listFor: 'read',
  addMember: ([groupId]) => [groupKey(groupId)],
  setMember: ([groupId]) => [groupKey(groupId)],
  removeMember: ([groupId]) => [groupKey(groupId)],
  firstAvatars: 'read',
  countActive: 'read',
};

type Method = (...args: unknown[]) => Promise<unknown>;

/** The repository with each write reporting the keys it changed to `changed` once it returned (or failed). */
function tracked<R extends object>(inner: R, policy: Policy<R>, changed: (keys: string[]) => Promise<void> | void): R {
  const out: Record<string, Method> = {};
  for (const name of Object.keys(policy) as (keyof R & string)[]) {
    const p = policy[name] as 'read' | ((args: unknown[], result: unknown) => string[]);
    const method = (inner[name] as Method).bind(inner);
    out[name] =
      p === 'read'
        ? method
        : async (...args: unknown[]) => {
            let result: unknown;
            try {
              result = await method(...args);
            } finally {
              await changed(p(args, result));
            }
            return result;
          };
  }
  return out as R;
}

type WithSession = { user: User; session: SessionRecord | undefined } | undefined;

/**
 * The store with the reads of every request and every send served from memory: a user with their
 * session (`users.findWithSession`, `users.findById`), the friend entries of a pair
 * (`friends.pair`), a group and its active members (`groups.find`, `groups.members(id, active)`).
 * Reads inside a transaction always go to the database.
 *
 * Every write to those rows, in a transaction or not, drops the keys it changed on this node and
 * hands them to `announce` (which tells the other nodes) after it committed and before it returns.
 * `users.findWithSession`, the token check every request and socket send starts with, first awaits
 * `sync` (the bus's barrier): what other nodes announced before the request arrived has been
 * dropped here before anything is read. The rule and what a lost announcement means:
 * docs/architecture.md, "Caches".
 */
export function cachedStore<S extends Store>(
  inner: S,
  sizes: CacheSizes,
  announce: (keys: string[]) => Promise<void>,
  sync: () => Promise<void> | undefined = () => undefined,
): S & CacheControl {
  const users = new LoadCache<WithSession>(sizes.users, sizes.ttlMs);
  const pairs = new LoadCache<{ low?: FriendRow; high?: FriendRow }>(sizes.pairs, sizes.ttlMs);
  const groups = new LoadCache<Group | undefined>(sizes.groups, sizes.ttlMs);
  const members = new LoadCache<Membership[]>(sizes.groups, sizes.ttlMs);

  const drop = (keys: readonly string[]): void => {
    for (const key of keys) {
      if (key.startsWith('user:')) users.invalidate(key);
      else if (key.startsWith('pair:')) pairs.invalidate(key);
      else if (key.startsWith('group:')) {
        groups.invalidate(key);
        members.invalidate(key);
      }
    }
  };
  const changed = async (keys: string[]): Promise<void> => {
    if (keys.length === 0) return;
    drop(keys);
    await announce(keys);
  };

  const withSession = (id: number): Promise<WithSession> => users.get(userKey(id), () => inner.users.findWithSession(id), Boolean);
  const userRepo: UserRepo = {
    ...tracked(inner.users, USER_POLICY, changed),
    // The token check, first read of every request and socket send: it waits for the bus to
    // deliver what other nodes announced before the request arrived, then this request's reads
    // from memory are as fresh as the database was when it arrived.
    findWithSession: async (id) => {
      const synced = sync();
      if (synced !== undefined) await synced;
      return withSession(id);
    },
    findById: async (id) => (await withSession(id))?.user,
  };
  const friendRepo: FriendRepo = {
    ...tracked(inner.friends, FRIEND_POLICY, changed),
    // Kept as (lower id's entry, higher id's entry): one entry serves both directions.
    async pair(me, other) {
      const lowFirst = me <= other;
      const p = await pairs.get(pairKey(me, other), async () => {
        const { mine, theirs } = await inner.friends.pair(lowFirst ? me : other, lowFirst ? other : me);
        return { low: mine, high: theirs };
      });
      return lowFirst ? { mine: p.low, theirs: p.high } : { mine: p.high, theirs: p.low };
    },
  };
  const groupRepo: GroupRepo = {
    ...tracked(inner.groups, GROUP_POLICY, changed),
    find: (id) => groups.get(groupKey(id), () => inner.groups.find(id), Boolean),
    members: (id, status) =>
      status === MemberStatus.active ? members.get(groupKey(id), () => inner.groups.members(id, status)) : inner.groups.members(id, status),
  };
  const sessionRepo = tracked(inner.sessions, SESSION_POLICY, changed);

  /** A transaction's repositories: writes of cached rows collect their keys, dropped and announced after the commit. */
  const inTransaction = (tx: Repos, keys: Set<string>): Repos => {
    const collect = (k: string[]) => void k.forEach((key) => keys.add(key));
    let u: UserRepo | undefined, s: SessionRepo | undefined, f: FriendRepo | undefined, g: GroupRepo | undefined;
    // Built on first use: a message's transaction touches none of them.
    return {
      ...tx,
      get users() {
        return (u ??= tracked(tx.users, USER_POLICY, collect));
      },
      get sessions() {
        return (s ??= tracked(tx.sessions, SESSION_POLICY, collect));
      },
      get friends() {
        return (f ??= tracked(tx.friends, FRIEND_POLICY, collect));
      },
      get groups() {
        return (g ??= tracked(tx.groups, GROUP_POLICY, collect));
      },
    };
  };

  return {
    ...inner,
    users: userRepo,
    sessions: sessionRepo,
    friends: friendRepo,
    groups: groupRepo,
    async transaction(fn) {
      const keys = new Set<string>();
      try {
        return await inner.transaction((tx) => fn(inTransaction(tx, keys)));
      } finally {
        await changed([...keys]);
      }
    },
    drop,
    clear() {
      for (const c of [users, pairs, groups, members]) c.clear();
    },
    stats() {
      const of = (c: LoadCache<unknown>) => ({ size: c.size, hits: c.hits, misses: c.misses });
      return { users: of(users), pairs: of(pairs), groups: of(groups) };
    },
  };
}
