import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import { UserStatus, type Role, type User } from '../domain/user.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Store } from '../store/port.js';
import { hashPassword, verifyPassword } from './password.js';
import type { Claims, TokenService } from './tokens.js';

export interface AuthOptions {
  scryptCost: number;
  login: { maxFailuresPerUser: number; maxFailuresPerAddress: number; maxFailuresPerAccount: number; windowSeconds: number };
  /** New registered accounts one address may create per hour. */
  accountsPerAddress: number;
  /** A new account's avatar (domain/images.ts). */
  defaultAvatar: string;
}

/** How long an address that logged in to an account stays exempt from that account's shared failure count. */
const TRUSTED_ADDRESS_MS = 30 * 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Told when a user's current session changes, so that sockets of older sessions stop receiving.
 * `quiet` is true when the change came from the device holding the old session (a logout, a
 * visitor upgraded in place, a new login from the same device): its sockets are retired without
 * being closed, because seed clients read any close other than 1006 as "signed in elsewhere".
 */
export interface SessionListener {
  sessionStarted(userId: number, sid: string, role: Role, quiet: boolean): void;
  sessionEnded(userId: number, sid: string, quiet: boolean): void;
  /** The account was disabled: every socket of it is to be closed, on every node. */
  userDisabled(userId: number): void;
}

/** A user's session as the store has it now: the current sid (undefined: none, or expired) and whether the account is disabled. */
export interface SessionState {
  sid: string | undefined;
  disabled: boolean;
}

/** How a session is started. */
export interface SessionStart {
  /** A visitor account upgraded in place on its own device. */
  upgrade?: boolean;
  /** The device id the request came from (visitor routes), if any. */
  device?: string | null;
  /**
   * Keep the device's current session (unexpired, same role, same device) instead of replacing
   * it: a visitor signing in again from its device gets a new token for the same session, so
   * tokens it handed out a moment ago stay valid.
   */
  join?: boolean;
}

export interface LoginResult {
  user: User;
  token: string;
  /** The role the session was started with (a registered user can hold a visitor-mode session). */
  role: Role;
}

/** Why a token was refused; each entry point words it in its own contract. */
export type AuthFailure = 'missing' | 'expired' | 'invalid' | 'user_missing' | 'disabled';

export type AuthResult = { ok: true; user: User; claims: Claims } | { ok: false; reason: AuthFailure };

export interface Credentials {
  username: string;
  password: string;
}

export class AuthService {
  private listeners: SessionListener[] = [];

  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly opts: AuthOptions,
  ) {}

  onSession(listener: SessionListener): void {
    this.listeners.push(listener);
  }

  /** E01: creates the account and its profile row, then logs in exactly as E02. */
  async register(c: Credentials, address: string): Promise<LoginResult> {
    await this.countSignup(address);
    const user = await this.createAccount(c);
    // The password was just set: the login step cannot fail, so it is not throttled either.
    return this.startSession(user, 'user');
  }

  /**
   * Creates a registered account and its profile row, without a session (E01 and the admin
   * command). A taken username throws `failure('accountExists')`, also when two race.
   */
  async createAccount(c: Credentials): Promise<User> {
    if (await this.store.users.findByUsername(c.username)) throw failure('accountExists');
    const password = await hashPassword(c.password, this.opts.scryptCost);
    try {
      return await this.store.transaction((tx) =>
        tx.users.create(
          { uuid: randomUUID(), username: c.username, password, role: 'user', status: UserStatus.active, avatar: this.opts.defaultAvatar },
          this.clock.now(),
        ),
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw failure('accountExists');
      throw e;
    }
  }

  /**
   * Sets a new password without the old one (the admin command) and ends the user's session:
   * its sockets close on every node (4003, as for a session ended from elsewhere) and its tokens
   * are refused. Answers false for an unknown user.
   */
  async resetPassword(userId: number, newPassword: string): Promise<boolean> {
    const password = await hashPassword(newPassword, this.opts.scryptCost);
    const result = await this.store.transaction(async (tx) => {
      if (!(await tx.users.findById(userId))) return undefined;
      await tx.users.update(userId, { password }, this.clock.now());
      const session = await tx.sessions.get(userId);
      return session && (await tx.sessions.end(userId, session.sid)) ? session.sid : null;
    });
    if (result === undefined) return false;
    if (result !== null) for (const l of this.listeners) l.sessionEnded(userId, result, false);
    return true;
  }

  /** Counts a registration attempt of the address (E01, E14); past REGISTER_MAX_PER_IP_HOUR it is refused. */
  async countSignup(address: string): Promise<void> {
    if ((await this.store.rates.hit(`signup:a:${address}`, HOUR_MS, this.clock.now())) > this.opts.accountsPerAddress) {
      throw failure('signupThrottled');
    }
  }

  /**
   * E02: the seed's "compareData". An attempt is counted before the password is checked, in the
   * store (atomic, shared by every node), so parallel attempts cannot pass a limit: per username
   * and address, per address, and per account from addresses that never logged in to it. A
   * login that succeeds takes its counts back. Failures from elsewhere never lock the owner out
   * of an address they logged in from before (docs/security.md).
   */
  async login(c: Credentials, address: string, device?: string): Promise<LoginResult> {
    const now = this.clock.now();
    const { maxFailuresPerUser, maxFailuresPerAddress, maxFailuresPerAccount, windowSeconds } = this.opts.login;
    const window = windowSeconds * 1000;
    const rates = this.store.rates;
    // Addresses hold no space: "<address> <username>" cannot be read two ways.
    const pairKey = `login:ua:${address} ${c.username}`;
    const addrKey = `login:a:${address}`;
    const accountKey = `login:u:${c.username}`;
    const trustKey = `login:ok:${address} ${c.username}`;
    const trusted = (await rates.peek(trustKey, now)) > 0;
    const [byPair, byAddr, byAccount] = await Promise.all([
      rates.hit(pairKey, window, now),
      rates.hit(addrKey, window, now),
      trusted ? 0 : rates.hit(accountKey, window, now),
    ]);
    if (byPair > maxFailuresPerUser || byAddr > maxFailuresPerAddress || byAccount > maxFailuresPerAccount) {
      throw failure('loginThrottled');
    }

    const user = await this.store.users.findByUsername(c.username);
    if (!user || user.status !== UserStatus.active) throw failure('accountMissingOrDisabled');
    const check = await verifyPassword(c.password, user.password, this.opts.scryptCost);
    if (!check.ok) throw failure('wrongPassword');
    await Promise.all([
      rates.reset(pairKey),
      rates.release(addrKey, now),
      trusted ? undefined : rates.release(accountKey, now),
      rates.reset(trustKey).then(() => rates.hit(trustKey, TRUSTED_ADDRESS_MS, now)),
    ]);
    if (check.needsRehash) {
      await this.store.users.update(user.id, { password: await hashPassword(c.password, this.opts.scryptCost) }, now);
    }
    return this.startSession(user, 'user', { device });
  }

  /** Makes a new current session for the user (ending any other, or joining it, see SessionStart) and returns its token. */
  async startSession(user: User, role: Role, how: SessionStart = {}): Promise<LoginResult> {
    const now = this.clock.now();
    const device = how.device ?? null;
    const record = { user_id: user.id, sid: randomUUID(), role, create_time: now, expires_at: now + this.tokens.ttlMs, device };
    const { sid, replaced } = await this.store.transaction(async (tx) => {
      await tx.users.update(user.id, { last_login: now }, now);
      const prev = await tx.sessions.get(user.id);
      if (how.join) return { sid: await tx.sessions.join(record, now), replaced: prev };
      await tx.sessions.put(record);
      return { sid: record.sid, replaced: prev };
    });
    const token = await this.tokens.sign({ sub: String(user.id), uuid: user.uuid, role, sid });
    if (sid === record.sid) {
      const quiet = how.upgrade === true || (device !== null && replaced?.device === device);
      for (const l of this.listeners) l.sessionStarted(user.id, sid, role, quiet);
    }
    const fresh = (await this.store.users.findById(user.id)) ?? user;
    return { user: fresh, token, role };
  }

  /** E03: ends the caller's session (only if it is still the current one); its sockets stay open but receive nothing. */
  async logout(userId: number, sid: string): Promise<void> {
    if (await this.store.sessions.end(userId, sid)) {
      for (const l of this.listeners) l.sessionEnded(userId, sid, true);
    }
  }

  /**
   * The check of every authenticated request and socket: a valid signature, not expired, the
   * user's current session, and a user that exists and is not disabled.
   */
  async authenticate(token: string | undefined): Promise<AuthResult> {
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const claims = await this.tokens.verify(token);
    if (typeof claims === 'string') return { ok: false, reason: claims };
    const found = await this.store.users.findWithSession(Number(claims.sub));
    if (!found) return { ok: false, reason: 'user_missing' };
    const { user, session } = found;
    if (!session || session.sid !== claims.sid || session.expires_at <= this.clock.now()) return { ok: false, reason: 'invalid' };
    if (user.status === UserStatus.disabled) return { ok: false, reason: 'disabled' };
    return { ok: true, user, claims };
  }

  /**
   * Disables an account (status 0): its session ends and every socket of it is closed, on every
   * node; its tokens are refused from now on. Answers false for an unknown user.
   */
  async disable(userId: number): Promise<boolean> {
    const now = this.clock.now();
    const found = await this.store.transaction(async (tx) => {
      const user = await tx.users.findById(userId);
      if (!user) return false;
      await tx.users.update(userId, { status: UserStatus.disabled }, now);
      const session = await tx.sessions.get(userId);
      if (session) await tx.sessions.end(userId, session.sid);
      return true;
    });
    if (found) for (const l of this.listeners) l.userDisabled(userId);
    return found;
  }

  /** Lets a disabled (or locked) account log in again; answers false for an unknown user. */
  async enable(userId: number): Promise<boolean> {
    const user = await this.store.users.findById(userId);
    if (!user) return false;
    await this.store.users.update(userId, { status: UserStatus.active }, this.clock.now());
    return true;
  }

  /** The current session and status of each of these users, in one query (sockets re-check theirs with it). */
  async sessionStates(userIds: number[]): Promise<Map<number, SessionState>> {
    const now = this.clock.now();
    const out = new Map<number, SessionState>();
    for (const r of await this.store.users.sessionStates(userIds)) {
      const live = r.sid !== null && r.expires_at !== null && r.expires_at > now;
      out.set(r.id, { sid: live ? (r.sid ?? undefined) : undefined, disabled: r.status === UserStatus.disabled });
    }
    return out;
  }

  /** Whether `sid` is still the user's current, unexpired session. */
  async sessionIsCurrent(userId: number, sid: string): Promise<boolean> {
    const found = await this.store.users.findWithSession(userId);
    return found?.session?.sid === sid && found.session.expires_at > this.clock.now();
  }

  /** Signature and expiry only (no database): the check of a socket's `{"type":"ping","token":…}`. */
  async tokenVerifies(token: string): Promise<boolean> {
    return typeof (await this.tokens.verify(token)) !== 'string';
  }

  /**
   * E41: checks the old password, stores the new one and ends every session but the caller's
   * (whose token keeps working, as clients expect).
   */
  async setPassword(userId: number, sid: string, p: { oldpassword: string; newpassword: string; checknewpassword: string }): Promise<void> {
    if (p.newpassword !== p.checknewpassword) throw failure('passwordMismatch');
    const user = await this.store.users.findById(userId);
    if (!user || user.status !== UserStatus.active) throw failure('passwordUserMissing');
    const check = await verifyPassword(p.oldpassword, user.password, this.opts.scryptCost);
    if (!check.ok) throw failure('passwordOldWrong');
    const password = await hashPassword(p.newpassword, this.opts.scryptCost);
    const ended = await this.store.transaction(async (tx) => {
      await tx.users.update(userId, { password }, this.clock.now());
      return tx.sessions.endOthers(userId, sid);
    });
    for (const other of ended) for (const l of this.listeners) l.sessionEnded(userId, other, false);
  }
}
