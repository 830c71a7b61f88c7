import type { User, UserInfo } from '../domain/user.js';

/**
 * The storage port services depend on. Implemented once over Kysely for every dialect.
 * Methods throw StoreError (store/errors.ts) for constraint violations.
 */
export type NewUser = Pick<User, 'uuid' | 'username' | 'password' | 'role' | 'status'> &
  Partial<Omit<User, 'id' | 'uuid' | 'username' | 'password' | 'role' | 'status' | 'create_time' | 'update_time' | 'register_time'>>;

export type UserPatch = Partial<Omit<User, 'id' | 'uuid' | 'create_time' | 'update_time' | 'register_time'>>;

export interface SessionRecord {
  user_id: number;
  sid: string;
  role: string;
  create_time: number;
  expires_at: number;
}

export interface UserRepo {
  findById(id: number): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  findByUuid(uuid: string): Promise<User | undefined>;
  /** Inserts the user and its one user_info row; returns the stored user. */
  create(user: NewUser, now: number): Promise<User>;
  update(id: number, patch: UserPatch, now: number): Promise<void>;
  findInfo(userId: number): Promise<UserInfo | undefined>;
  /** The user together with their current session, in one round trip (the auth check of every request). */
  findWithSession(id: number): Promise<{ user: User; session: SessionRecord | undefined } | undefined>;
}

export interface SessionRepo {
  /** Makes this the user's one current session, replacing any other. */
  put(session: SessionRecord): Promise<void>;
  get(userId: number): Promise<SessionRecord | undefined>;
  /** Ends the session only if it is still the current one; returns whether it was. */
  end(userId: number, sid: string): Promise<boolean>;
  /** Ends every session of the user except `sid`; returns the ended session ids. */
  endOthers(userId: number, sid: string): Promise<string[]>;
}

export interface RateLimitRepo {
  /** Counts one hit in the key's fixed window (started by the first hit); returns the count so far. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  /** The count in the key's current window (0 when none is open). */
  peek(key: string, now: number): Promise<number>;
  reset(key: string): Promise<void>;
  /** Deletes windows that ended before `now`. */
  purge(now: number): Promise<void>;
}

export interface Repos {
  users: UserRepo;
  sessions: SessionRepo;
  rates: RateLimitRepo;
}

export interface Store extends Repos {
  readonly dialect: 'sqlite' | 'postgres' | 'mysql';
  /** Runs `fn` in one transaction: all its writes commit together or not at all. Never await network IO inside. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Cheap liveness probe of the database. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
