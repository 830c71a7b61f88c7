import { Type } from 'typebox';
import { Nullable } from './common.js';

/** Every column of `user` but the password (E02): the response schema is the whitelist. */
const userFields = {
  id: Type.Integer(),
  uuid: Type.String(),
  username: Type.String(),
  nickname: Type.String(),
  avatar: Nullable(Type.String()),
  devicefingeruuid: Type.String(),
  uniplatform: Type.String(),
  devicemodel: Type.String(),
  deviceos: Type.String(),
  devicebrand: Type.String(),
  userset: Type.String(),
  invite_confirm: Type.Integer(),
  mobile: Nullable(Type.String()),
  email: Nullable(Type.String()),
  status: Type.Integer(),
  last_login: Nullable(Type.String({ description: 'ISO-8601 UTC' })),
  last_login_ip: Nullable(Type.String()),
  register_time: Type.String({ description: 'ISO-8601 UTC' }),
  register_ip: Nullable(Type.String()),
  is_deleted: Type.Integer(),
  wechat_openid: Nullable(Type.String()),
  qq_openid: Nullable(Type.String()),
  weibo_uid: Nullable(Type.String()),
  role: Type.String(),
  is_email_verified: Type.Integer(),
  is_mobile_verified: Type.Integer(),
  order: Nullable(Type.Integer()),
  create_time: Type.String({ description: 'local time, YYYY-MM-DD HH:mm:ss' }),
  update_time: Type.String({ description: 'ISO-8601 UTC' }),
};

export const LoginView = Type.Object({ ...userFields, token: Type.String({ description: 'session token (JWT)' }) });

export const UserInfoView = Type.Object({
  id: Type.Integer(),
  gender: Type.String(),
  birthday: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  location: Nullable(Type.String()),
  website: Nullable(Type.String()),
});

export const PublicProfileView = Nullable(
  Type.Object({
    id: Type.Integer(),
    uuid: Type.String(),
    username: Type.String(),
    nickname: Type.String(),
    avatar: Nullable(Type.String()),
    role: Type.String(),
    userset: Type.String(),
    userinfo: Nullable(UserInfoView),
  }),
);
