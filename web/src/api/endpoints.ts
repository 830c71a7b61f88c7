/**
 * Every seed API call the client makes, typed. Paths, parameter names and shapes are the seed's
 * (docs/compatibility.md); nothing here is specific to Natter, so the client runs against any
 * compatible server.
 */
import { http } from './http.js';
import { securitySign } from './sign.js';
import type { Account, Apply, ChatType, ContactsPage, Group, SearchHit, WireMessage } from './types.js';

type Token = string | null;

function signed(deviceId: string, fields: Record<string, unknown>) {
  const timestamp = Date.now();
  return {
    body: { ...fields, deviceId, timestamp },
    opts: { headers: { 'X-Security-Sign': securitySign(deviceId, timestamp) } },
  };
}

/** A short description of this browser for the visitor record (all optional, ≤ 50 characters). */
function deviceTraits(): Record<string, string> {
  const ua = navigator.userAgent;
  const os = /Android/.test(ua)
    ? 'android'
    : /iPhone|iPad/.test(ua)
      ? 'ios'
      : /Mac/.test(ua)
        ? 'macos'
        : /Win/.test(ua)
          ? 'windows'
          : 'linux';
  return { uniplatform: 'web', devicemodel: 'browser', deviceos: os, devicebrand: 'natter-web' };
}

export const accounts = {
  visitor(deviceId: string) {
    const { body, opts } = signed(deviceId, deviceTraits());
    return http.post<Account>('/api/visitorRegister', body, opts);
  },
  /** Registers from this device: a visitor bound to it is upgraded in place (history kept). */
  register(deviceId: string, username: string, password: string) {
    const { body, opts } = signed(deviceId, { username, password });
    return http.post<Account>('/api/visitorregChat', body, opts);
  },
  login(deviceId: string, username: string, password: string) {
    const { body, opts } = signed(deviceId, { username, password });
    return http.post<Account>('/api/visitorloginChat', body, opts);
  },
  logout: (token: Token) => http.post<boolean>('/api/chat/logout', {}, { token }),
  setPassword: (token: Token, oldpassword: string, newpassword: string, checknewpassword: string) =>
    http.post<string>('/api/chat/setPassword', { oldpassword, newpassword, checknewpassword }, { token }),
  updateUserinfo: (token: Token, fieldname: 'nickname' | 'avatar' | 'invite_confirm', fieldValue: string | number) =>
    http.post<string>('/api/chat/updateUserinfo', { fieldname, fieldValue }, { token }),
  userset: (token: Token, userset: string) => http.post<string>('/api/chat/userset', { userset }, { token }),
  publicProfile: (uuid: string) => http.get<PublicProfile | null>(`/api/userinfo/${encodeURIComponent(uuid)}`),
};

export interface PublicProfile {
  id: number;
  uuid: string;
  username: string;
  nickname: string | null;
  avatar: string | null;
  role: string;
  userset: string;
  userinfo?: UserExtra | null;
}

/** The profile extras E09 and E16 include (`userinfo`). */
export interface UserExtra {
  id: number;
  gender: string | null;
  birthday: string | null;
  bio: string | null;
  location: string | null;
  website: string | null;
}

export interface SendInput {
  sendto_id: number;
  chatType: ChatType;
  type: string;
  data: string;
  options?: Record<string, unknown>;
}

/** The fields of sendmessage as the server reads them (over HTTP, or in a socket's send frame). */
export const sendFields = (m: SendInput) => ({ ...m, options: encodeURIComponent(JSON.stringify(m.options ?? {})) });

export const chat = {
  send: (token: Token, m: SendInput) => http.post<WireMessage>('/api/chat/socket/sendmessage', sendFields(m), { token }),
  fetchOffline: (token: Token) => http.post<string>('/api/chat/chatGetmessageOffLine', {}, { token }),
  revoke: (token: Token, m: { to_id: number; to_name: string; to_avatar: string; id: string; chatType: ChatType; create_time: number }) =>
    http.post<WireMessage>('/api/chat/revokeMessage', m, { token }),
  upload: (token: Token, file: Blob, name: string, dir: 'chatImgs' | 'chatVideos' | 'chatFiles' | 'avatars') => {
    const form = new FormData();
    form.append('token', token ?? '');
    form.append('file', file, name);
    return http.upload<{ url: string }>(`/api/chat/uploadStreamSingleToServerDiy/${dir}`, form, { token });
  },
  videoCover: (token: Token, videoUrl: string) =>
    http.post<{ url: string }>('/api/chat/getVideoScreenshot', { videoUrl, time: 1000, width: 320, format: 'jpg' }, { token }),
};

export const friends = {
  search: (token: Token, keyword: string) => http.post<SearchHit[]>('/api/chat/searchUser', { keyword }, { token }),
  apply: (token: Token, friend_id: number, nickname = '') => http.post<string>('/api/chat/applyfriend', { friend_id, nickname }, { token }),
  addInstantly: (token: Token, friend_id: number, nickname = '') =>
    http.post<string>('/api/chat/autoAddFriendAndAgree', { friend_id, nickname }, { token }),
  setInfo: (token: Token, userid: number) =>
    http.post<{ id: number; uuid: string; userset: string; invite_confirm: number; isgoodfriend: boolean; isgoodfriend_status: boolean }>(
      '/api/chat/getUserSetInfo',
      { userid },
      { token },
    ),
  applies: (token: Token, page = 1, limit = 50) =>
    http.get<{ alldata: Apply[]; pendingCount: number }>(`/api/chat/listapplyfriend/${page}?limit=${limit}`, { token }),
  handle: (token: Token, id: number, status: 'agree' | 'refuse' | 'ignore', nickname = '') =>
    http.post<string>(`/api/chat/handleapply/${id}`, { status, nickname }, { token }),
  list: (token: Token) => http.get<ContactsPage>('/api/chat/goodfriendlist/1?limit=2000', { token }),
  info: (token: Token, id: number) => http.get<FriendInfo>(`/api/chat/getgoodfriendinfo/${id}`, { token }),
  isFriend: (token: Token, id: number) => http.post<FriendFlags>(`/api/chat/ismygoodfriend/${id}`, {}, { token }),
  toggleBlack: (token: Token, id: number) => http.post<string>(`/api/chat/setblackgoodfriend/${id}`, {}, { token }),
  toggleStar: (token: Token, id: number) => http.post<string>(`/api/chat/setstargoodfriend/${id}`, {}, { token }),
  visibility: (token: Token, id: number, friendlookme: 0 | 1, melookfriend: 0 | 1) =>
    http.post<string>(`/api/chat/setmeOrfriendCanSee/${id}`, { friendlookme, melookfriend }, { token }),
  remove: (token: Token, id: number) => http.post<string>(`/api/chat/deletegoodfriend/${id}`, {}, { token }),
};

export interface FriendFlags {
  id: number;
  user_id: number;
  friend_id: number;
  nickname: string;
  friendlookme: number;
  melookfriend: number;
  ismystarfriend: number;
  isblack: number;
  status: number;
}

export interface FriendInfo {
  id: number;
  user_id: number;
  friend_id: number;
  nickname: string;
  friendinfo: {
    id: number;
    username: string;
    avatar: string | null;
    nickname: string | null;
    role: string;
    status: number;
    userinfo?: UserExtra | null;
  };
}

export const groups = {
  create: (token: Token, friendRowIds: number[]) => http.post<string>('/api/chat/group/create', { userIds: friendRowIds }, { token }),
  list: (token: Token, page = 1, limit = 100) => http.get<Group[]>(`/api/chat/grouplist/${page}?limit=${limit}`, { token }),
  info: (token: Token, id: number) => http.get<Group>(`/api/chat/groupinfo/${id}`, { token }),
  rename: (token: Token, id: number, name: string) => http.post<string>('/api/chat/groupUpdateName', { id, name }, { token }),
  notice: (token: Token, id: number, remark: string) => http.post<string>('/api/chat/groupremark', { id, remark }, { token }),
  nickname: (token: Token, id: number, nickname: string) => http.post<string>('/api/chat/groupnickname', { id, nickname }, { token }),
  quit: (token: Token, id: number) => http.post<string>('/api/chat/groupDeleteOrQuit', { id }, { token }),
  removeMember: (token: Token, group_id: number, user_id: number) =>
    http.post<string>('/api/chat/groupDeleteUser', { group_id, user_id }, { token }),
  invite: (token: Token, group_id: number, user_id: number, inviteuser_id: number, addGroupDesc = '') =>
    http.post<string>('/api/chat/groupInviteUser', { group_id, user_id, inviteuser_id, addGroupDesc }, { token }),
  policy: (token: Token, group_id: number, addGroupSet: number) =>
    http.post<string>('/api/chat/groupAddUserSet', { group_id, addGroupSet }, { token }),
  decide: (token: Token, group_id: number, user_id: number, type: 'agree' | 'no') =>
    http.post<string>('/api/chat/groupAgreeOrNo', { group_id, user_id, type }, { token }),
  /** The QR code PNG's address (an <img> source: the token travels in the query, as the seed allows). */
  qrcodeUrl: (token: Token, id: number, chatType: ChatType) =>
    `/api/chat/groupQrcode/${id}?token=${encodeURIComponent(token ?? '')}&type=H5&chatType=${chatType}&http=${encodeURIComponent(location.origin + location.pathname)}`,
};
