import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { navigationNotice, type ChatMessage } from '../domain/message.js';
import { displayName, type User } from '../domain/user.js';
import type { SessionRecord, Store } from '../store/port.js';
import type { AuthService } from './auth.js';
import { toUser, type DeliveryService } from './delivery.js';

/** Sender name of the operator's notices, as the client lists them. */
export const SYSTEM_NOTICE_NAME = '系统通知';

/** How a command names a user: `id:<n>` is an id, anything else a username (usernames may be all digits). */
export type UserRef = { id: number } | { username: string };

export interface Counts {
  users: { registered: number; visitors: number; disabled: number };
  groups: number;
  /** Stored messages not yet delivered to someone. */
  waiting: number;
}

/**
 * The operator's use cases (`natter admin`): accounts, sessions and notices on the configured
 * database. Session changes reach sockets through AuthService's listeners and notices through
 * the one delivery path, exactly as when the server makes them.
 */
export class AdminService {
  constructor(
    private readonly store: Store,
    private readonly auth: AuthService,
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
    /** The sender avatar of system notices (domain/images.ts). */
    private readonly opts: { systemAvatar: string },
  ) {}

  find(ref: UserRef): Promise<User | undefined> {
    return 'id' in ref ? this.store.users.findById(ref.id) : this.store.users.findByUsername(ref.username);
  }

  /** A registered account without a session; a taken username throws `failure('accountExists')`. */
  createUser(username: string, password: string): Promise<User> {
    return this.auth.createAccount({ username, password });
  }

  /** New password; the user's session ends and its sockets close on every node. */
  resetPassword(userId: number, password: string): Promise<boolean> {
    return this.auth.resetPassword(userId, password);
  }

  disable(userId: number): Promise<boolean> {
    return this.auth.disable(userId);
  }

  enable(userId: number): Promise<boolean> {
    return this.auth.enable(userId);
  }

  /** The user's current session (expired or not), if any. */
  session(userId: number): Promise<SessionRecord | undefined> {
    return this.store.sessions.get(userId);
  }

  /**
   * Stores a notice in the user's notice stream (`u:<id>`) and pushes it: a receiving socket
   * gets it now, otherwise it waits for the next catch-up, once.
   */
  async notify(user: User, text: string): Promise<void> {
    await this.delivery.commit([toUser(user.id, this.notice(user, text))]);
  }

  /**
   * The notice to every active account (visitors included), `batch` accounts per transaction,
   * in id order; `progress` hears the running total after each batch. Returns how many got it.
   */
  async notifyAll(text: string, batch: number, progress?: (sent: number) => void): Promise<number> {
    let sent = 0;
    for (let after = 0; ;) {
      const users = await this.store.users.activeAfter(after, batch);
      if (users.length === 0) return sent;
      await this.delivery.commit(users.map((u) => toUser(u.id, this.notice(u, text))));
      sent += users.length;
      after = users[users.length - 1]?.id ?? after;
      progress?.(sent);
      if (users.length < batch) return sent;
    }
  }

  async counts(): Promise<Counts> {
    const [users, groups, waiting] = await Promise.all([
      this.store.users.counts(),
      this.store.groups.countActive(),
      this.delivery.countAllPending(),
    ]);
    return { users, groups, waiting };
  }

  private notice(user: User, text: string): ChatMessage {
    return navigationNotice(randomUUID(), { id: user.id, name: displayName(user), avatar: user.avatar ?? '' }, this.clock.now(), {
      text,
      fromName: SYSTEM_NOTICE_NAME,
      fromId: 0,
      fromAvatar: this.opts.systemAvatar,
      msgidKey: `system-notice-${user.id}`,
    });
  }
}
