/** A user account: the columns of the seed's `user` table (times as ms since the epoch). */
export type Role = 'user' | 'visitor';

export const UserStatus = { disabled: 0, active: 1, locked: 2 } as const;

export interface User {
  id: number;
  uuid: string;
  username: string;
  password: string;
  nickname: string;
  avatar: string | null;
  devicefingeruuid: string | null;
  uniplatform: string;
  devicemodel: string;
  deviceos: string;
  devicebrand: string;
  userset: string;
  invite_confirm: number;
  mobile: string | null;
  email: string | null;
  status: number;
  last_login: number | null;
  last_login_ip: string | null;
  register_time: number;
  register_ip: string | null;
  is_deleted: number;
  wechat_openid: string | null;
  qq_openid: string | null;
  weibo_uid: string | null;
  role: string;
  is_email_verified: number;
  is_mobile_verified: number;
  order: number | null;
  create_time: number;
  update_time: number;
}

export interface UserInfo {
  id: number;
  user_id: number;
  gender: string;
  birthday: number | null;
  bio: string | null;
  location: string | null;
  website: string | null;
}

/** The profile row every new account starts with (registration, and a seed account imported without one). */
export const EMPTY_PROFILE = {
  gender: 'unknown',
  birthday: null,
  bio: null,
  location: null,
  website: null,
  order: 50,
} as const satisfies Omit<UserInfo, 'id' | 'user_id'> & { order: number };

/** Letters, digits and underscore (spec Q3). Length is checked by the parameter rules. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_]+$/;

export const displayName = (u: Pick<User, 'nickname' | 'username'>): string => u.nickname || u.username;
