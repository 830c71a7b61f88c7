import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import type { EntryFacts } from '../domain/notices.js';
import { TEXT } from '../domain/texts.js';
import { UserStatus, type User, type UserInfo } from '../domain/user.js';
import type { Store } from '../store/port.js';

export interface PublicProfile {
  user: User;
  info: UserInfo | undefined;
}

const AVATAR_NOTICE_MS = 60_000;
const avatarKey = (userId: number) => `modify:avatar:${userId}`;

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** E16: an active user's public profile by uuid, or null. */
  async publicProfile(uuid: string): Promise<PublicProfile | null> {
    const user = await this.store.users.findByUuid(uuid);
    if (!user || user.status !== UserStatus.active) return null;
    return { user, info: await this.store.users.findInfo(user.id) };
  }

  /** What the connect-time notices depend on. */
  async entryFacts(userId: number): Promise<EntryFacts> {
    const [hasGroups, hasContacts] = await Promise.all([
      this.store.groups.hasActiveMembership(userId),
      this.store.friends.hasContacts(userId),
    ]);
    return { hasGroups, hasContacts };
  }

  async findById(userId: number): Promise<User | undefined> {
    return this.store.users.findById(userId);
  }

  /** E18: stores the settings text verbatim (it is parsed, leniently, where it is used). */
  async saveUserset(userId: number, userset: string): Promise<void> {
    const user = await this.store.users.findById(userId);
    if (!user || user.status !== UserStatus.active) throw failure('userGoneOrDisabled');
    await this.store.users.update(userId, { userset }, this.clock.now());
  }

  /** Whether the user changed their avatar within the last minute. */
  async avatarChangedRecently(userId: number): Promise<boolean> {
    return (await this.store.rates.peek(avatarKey(userId), this.clock.now())) > 0;
  }

  /** E34: changes one profile field by name (spec §8.7); returns the seed's success text. */
  async updateField(userId: number, field: string, value: string): Promise<string> {
    const user = await this.store.users.findById(userId);
    if (!user || user.status !== UserStatus.active) throw failure('profileUserMissing');
    const now = this.clock.now();
    switch (field) {
      case 'username':
        throw failure('usernameImmutable');
      case 'nickname':
        if ([...value].length > 30) throw failure('nicknameTooLong');
        await this.store.users.update(userId, { nickname: value }, now);
        return TEXT.nicknameChanged;
      case 'avatar':
        if (value.length > 1000) throw failure('avatarTooLong');
        await this.store.users.update(userId, { avatar: value }, now);
        // Remembered for a minute: a socket opened meanwhile is told (see avatarChangedNotice).
        await this.store.rates.reset(avatarKey(userId));
        await this.store.rates.hit(avatarKey(userId), AVATAR_NOTICE_MS, now);
        return TEXT.avatarChanged;
      case 'invite_confirm':
        if (value !== '0' && value !== '1') throw failure('inviteConfirmInvalid');
        await this.store.users.update(userId, { invite_confirm: Number(value) }, now);
        return TEXT.settingSaved;
      default:
        return '';
    }
  }
}
