/** Shapes of the seed API as the client sees them (docs/compatibility.md lists the fields). */

export type ChatType = 'single' | 'group';

/** A signed-in account as the login routes answer it, plus its token. */
export interface Account {
  id: number;
  uuid: string;
  username: string;
  nickname: string | null;
  avatar: string | null;
  role: 'user' | 'visitor';
  userset: string | null;
  invite_confirm?: number;
  token: string;
}

/** What `data` of a chat message holds once decoded. */
export interface Content {
  data: unknown;
  dataType: string | false;
  otherData: Record<string, unknown> | null;
}

/** A message as pushed in a `singleChat` frame or answered by sendmessage. */
export interface WireMessage {
  id: string;
  from_id: number | string;
  from_name: string;
  from_avatar: string;
  to_id: number;
  to_name: string;
  to_avatar: string;
  chatType: ChatType;
  type: string;
  data: string | Content;
  options: Record<string, unknown> | null;
  create_time: number;
  isremove: 0 | 1;
  group?: { id?: number; name?: string; avatar?: string; user_id?: number } | null;
  sendUUid?: string;
  actionType?: 'revoke';
  redirect?: { url: string; type: string } | null;
  msgidKey?: string | number;
}

export interface Frame {
  type?: string;
  msg?: string;
  data?: unknown;
  timestamp?: number;
}

export interface FriendRow {
  id: number;
  beizhu: string | null;
  username: string;
  avatar: string | null;
  friend_nickname: string | null;
  friend_id: number;
  name: string;
  uuid: string;
}

export interface ContactsPage {
  count: number;
  rows: { newList: { title: string; list: FriendRow[] }[]; indexList: string[]; total: number } | [];
}

export interface Apply {
  id: number;
  user_id: number;
  friend_id: number;
  nickname: string;
  status: 'pending' | 'refuse' | 'agree' | 'ignore';
  user: { id: number; username: string; avatar: string | null; nickname: string | null; uuid: string };
}

export interface GroupMember {
  id: number;
  group_id: number;
  user_id: number;
  nickname: string;
  avatar: string;
  status: number;
  user?: { id: number; username: string; nickname: string | null; avatar: string | null };
}

export interface Group {
  id: number;
  user_id: number;
  name: string;
  avatar: string;
  remark: string;
  invite_confirm: number;
  status: number;
  group_users?: GroupMember[];
}

export interface SearchHit {
  id: number;
  username: string;
  avatar: string | null;
  role: string;
  uuid: string;
  nickname: string | null;
}
