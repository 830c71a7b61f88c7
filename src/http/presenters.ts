import type { ApplyRow, ApplyWithApplicant } from '../domain/friend.js';
import type { Group, MemberWithUser } from '../domain/group.js';
import { formatLocalTime, isoTime } from '../domain/time.js';
import type { User, UserInfo } from '../domain/user.js';
import type { LoginResult } from '../services/auth.js';
import type { FriendProfile } from '../services/friends.js';
import type { PublicProfile } from '../services/users.js';

/** Renders stored rows as the seed serialises them (spec §1.5): `create_time` local text, other dates ISO. */
export class Presenter {
  constructor(private readonly tzOffsetMinutes: number) {}

  localTime(ms: number): string {
    return formatLocalTime(ms, this.tzOffsetMinutes);
  }

  user(u: User) {
    const { password: _password, ...rest } = u;
    return {
      ...rest,
      devicefingeruuid: u.devicefingeruuid ?? '',
      last_login: isoTime(u.last_login),
      register_time: isoTime(u.register_time) as string,
      create_time: this.localTime(u.create_time),
      update_time: isoTime(u.update_time) as string,
    };
  }

  login(r: LoginResult) {
    return { ...this.user(r.user), role: r.role, token: r.token };
  }

  userInfo(i: UserInfo) {
    return {
      id: i.id,
      gender: i.gender,
      birthday: isoTime(i.birthday),
      bio: i.bio,
      location: i.location,
      website: i.website,
    };
  }

  publicProfile(p: PublicProfile | null) {
    if (!p) return null;
    const { user: u, info } = p;
    return {
      id: u.id,
      uuid: u.uuid,
      username: u.username,
      nickname: u.nickname,
      avatar: u.avatar,
      role: u.role,
      userset: u.userset,
      userinfo: info ? this.userInfo(info) : null,
    };
  }

  /** An application as E17 answers it: no order or times, plus the `userId` artefact. */
  apply(a: ApplyRow) {
    const { order: _o, create_time: _c, update_time: _u, ...rest } = a;
    return { ...rest, userId: a.user_id };
  }

  applyWithApplicant(a: ApplyWithApplicant) {
    return { ...a, create_time: this.localTime(a.create_time), update_time: isoTime(a.update_time) as string, userId: a.user_id };
  }

  friendProfile(p: FriendProfile) {
    const { row, friend, info } = p;
    return {
      id: row.id,
      user_id: row.user_id,
      friend_id: row.friend_id,
      nickname: row.nickname,
      friendinfo: {
        id: friend.id,
        username: friend.username,
        avatar: friend.avatar,
        nickname: friend.nickname,
        role: friend.role,
        status: friend.status,
        userinfo: info ? this.userInfo(info) : null,
      },
    };
  }

  /** E24: the group without update_time, each active member with `groupId` and their profile. */
  groupInfo({ group, members }: { group: Group; members: MemberWithUser[] }) {
    const { update_time: _u, ...g } = group;
    return {
      ...g,
      create_time: this.localTime(group.create_time),
      group_users: members.map((m) => ({ ...m, create_time: this.localTime(m.create_time), groupId: m.group_id })),
    };
  }
}
