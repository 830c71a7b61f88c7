import { formatLocalTime, isoTime } from '../domain/time.js';
import type { User, UserInfo } from '../domain/user.js';
import type { LoginResult } from '../services/auth.js';
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
}
