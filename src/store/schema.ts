import type { ColumnType, Generated } from 'kysely';
import type { ApplyRow, FriendRow } from '../domain/friend.js';
import type { Group, Membership } from '../domain/group.js';
import type { User, UserInfo } from '../domain/user.js';
import type { SessionRecord } from './port.js';

/**
 * Kysely table types. Times are integers (ms since the epoch) in every dialect; the HTTP layer
 * renders them as the seed does. Column names follow the seed schema (spec §3).
 */
type Id = Generated<number>;

/** The user row of domain/user.ts with a generated id. */
export type UserTable = Omit<User, 'id'> & { id: Id };

/** Bookkeeping columns the domain rows leave out. */
interface Kept {
  order: number | null;
  create_time: number;
  update_time: number;
}

/** The profile row of domain/user.ts with a generated id. */
export type UserInfoTable = Omit<UserInfo, 'id'> & Kept & { id: Id };

/** The columns a contact entry and a friend application share (domain/friend.ts). */
type ContactColumns = Omit<FriendRow, 'id' | 'status'> & Kept & { id: Id };

export type GoodfriendTable = ContactColumns & { status: FriendRow['status'] };

export type GoodfriendApplyTable = ContactColumns & {
  status: ApplyRow['status'];
  /** `<user_id>:<friend_id>` while the application is pending or agreed, else NULL: one open application per pair. */
  active_key: string | null;
};

/** The group row of domain/group.ts with a generated id. */
export type GroupTable = Omit<Group, 'id'> & { id: Id };

/** The membership row of domain/group.ts with a generated id. */
export type GroupUserTable = Omit<Membership, 'id'> & Kept & { id: Id };

export interface ChatComplaintTable {
  id: Id;
  user_id: number;
  target_id: number;
  target_type: string;
  target_name: string;
  reason: string;
  content: string | null;
  images: string | null;
  complaint_chatinfo: string | null;
  status: number;
  admin_reply: string | null;
  is_deleted: number;
  create_time: number;
  update_time: number;
}

/** The one current session of a user (single-device semantics); tokens name it by `sid`. */
export type SessionTable = SessionRecord;

/** A conversation: a pair of users (`s:<a>:<b>`, a < b), a group (`g:<id>`) or a user's notice stream (`u:<id>`). */
export interface ConversationTable {
  id: string;
  kind: string;
  last_seq: number;
  create_time: number;
}

/** Read-diffusion delivery state: what each member has been sent of each conversation. */
export interface ConversationMemberTable {
  conversation_id: string;
  user_id: number;
  delivered_seq: number;
  joined_seq: number;
  /** Set when the member left: later messages are not theirs. */
  left_seq: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface MessageTable {
  id: Generated<number>;
  /** The message object's `id` (UUID); mirrored notices share it, so it is not unique. */
  msg_id: string;
  conversation_id: string;
  seq: number;
  /** The user who sent it and does not receive it back; NULL when every member receives it. */
  sender_id: number | null;
  chat_type: string;
  type: string;
  /** JSON of the message object as pushed (spec §6). */
  body: string;
  revoked: ColumnType<number, number | undefined, number>;
  create_time: number;
}

/** Messages a sender has sent to a recipient (the "one message before friendship" rule). */
export interface SendCounterTable {
  sender_id: number;
  recipient_id: number;
  count: number;
}

/** The message a sender's client id (WebSocket `send` frame) stored: one per (sender, cid). */
export interface SendReceiptTable {
  sender_id: number;
  cid: string;
  conversation_id: string;
  /** The stored message's `msg_id` in that conversation. */
  msg_id: string;
  create_time: number;
}

/** Fixed-window counters shared by every node: login throttling, visitor limits. */
export interface RateLimitTable {
  key: string;
  count: number;
  reset_at: number;
}

export interface Database {
  user: UserTable;
  user_info: UserInfoTable;
  goodfriend: GoodfriendTable;
  goodfriendapply: GoodfriendApplyTable;
  group: GroupTable;
  group_user: GroupUserTable;
  chat_complaint: ChatComplaintTable;
  session: SessionTable;
  conversation: ConversationTable;
  conversation_member: ConversationMemberTable;
  message: MessageTable;
  send_counter: SendCounterTable;
  send_receipt: SendReceiptTable;
  rate_limit: RateLimitTable;
}
