import type { ApplyRow, ApplyStatus, ApplyWithApplicant, ContactRow, FriendFlags, FriendRow, UserSearchRow } from '../domain/friend.js';
import type { Group, MemberWithUser, Membership } from '../domain/group.js';
import type { User, UserInfo } from '../domain/user.js';

/** A new account: the caller gives its avatar (the deployment's default, see domain/images.ts). */
export type NewUser = Pick<User, 'uuid' | 'username' | 'password' | 'role' | 'status' | 'avatar'> &
  Partial<
    Omit<User, 'id' | 'uuid' | 'username' | 'password' | 'role' | 'status' | 'avatar' | 'create_time' | 'update_time' | 'register_time'>
  >;

export type UserPatch = Partial<Omit<User, 'id' | 'uuid' | 'create_time' | 'update_time' | 'register_time'>>;

export interface SessionRecord {
  user_id: number;
  sid: string;
  role: string;
  create_time: number;
  expires_at: number;
  /** The device id the session was started from, or null. */
  device: string | null;
}

export interface UserRepo {
  findById(id: number): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  findByUuid(uuid: string): Promise<User | undefined>;
  /** Active users among these ids, in ascending id order. */
  findActiveByIds(ids: number[]): Promise<User[]>;
  /** The account bound to a visitor device id, if any. */
  findByDevice(deviceId: string): Promise<User | undefined>;
  /** Inserts the user and its one user_info row; returns the stored user. */
  create(user: NewUser, now: number): Promise<User>;
  update(id: number, patch: UserPatch, now: number): Promise<void>;
  findInfo(userId: number): Promise<UserInfo | undefined>;
  /** The user together with their current session, in one round trip (the auth check of every request). */
  findWithSession(id: number): Promise<{ user: User; session: SessionRecord | undefined } | undefined>;
  /** For each of these users that exists: its status and its current session's sid and expiry (null without one). */
  sessionStates(ids: number[]): Promise<{ id: number; status: number; sid: string | null; expires_at: number | null }[]>;
  /** Active registered users (not `excludeId`) whose username contains `keyword`, case-insensitively; exact match first. */
  search(keyword: string, excludeId: number, limit: number): Promise<UserSearchRow[]>;
  /** Active users with an id above `afterId`, ascending, at most `limit` (walking every account in batches). */
  activeAfter(afterId: number, limit: number): Promise<User[]>;
  /** How many accounts there are: registered (role `user`), visitors, and disabled ones of either. */
  counts(): Promise<{ registered: number; visitors: number; disabled: number }>;
}

export interface SessionRepo {
  /** Makes this the user's one current session, replacing any other. */
  put(session: SessionRecord): Promise<void>;
  /**
   * Like `put`, unless the current session is unexpired and has the same role and the same
   * (non-null) device: then that one is kept and extended to `session.expires_at`. Returns the
   * sid that is current afterwards.
   */
  join(session: SessionRecord, now: number): Promise<string>;
  get(userId: number): Promise<SessionRecord | undefined>;
  /** Ends the session only if it is still the current one; returns whether it was. */
  end(userId: number, sid: string): Promise<boolean>;
  /** Ends every session of the user except `sid`; returns the ended session ids. */
  endOthers(userId: number, sid: string): Promise<string[]>;
}

export interface RateLimitRepo {
  /** Counts one hit in the key's fixed window (started by the first hit); returns the count so far. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  /** The count in the key's current window (0 when none is open). */
  peek(key: string, now: number): Promise<number>;
  /** Takes back one hit of the key's current window (an attempt counted before it turned out fine). */
  release(key: string, now: number): Promise<void>;
  reset(key: string): Promise<void>;
  /** Deletes windows that ended before `now`. */
  purge(now: number): Promise<void>;
}

export interface StoredMessage {
  id: number;
  conversation_id: string;
  seq: number;
  sender_id: number | null;
  body: string;
  revoked: number;
}

export interface NewMessage {
  msg_id: string;
  conversation_id: string;
  /** 'single' (a pair), 'group' or 'notice' (one user's stream). */
  kind: 'single' | 'group' | 'notice';
  /** Users who receive the conversation; created as members (cursor at 0) when missing. */
  members: number[];
  sender_id: number | null;
  chat_type: string;
  type: string;
  body: string;
  create_time: number;
}

export interface CursorAdvance {
  conversation_id: string;
  user_id: number;
  seq: number;
}

export interface MessageRepo {
  /** Stores the message with the conversation's next sequence number; returns that number. Use inside a transaction. */
  append(m: NewMessage): Promise<number>;
  /** Delivery cursors of every conversation the user belongs to. */
  cursors(userId: number): Promise<Map<string, number>>;
  cursor(conversationId: string, userId: number): Promise<number | undefined>;
  /** Moves cursors forward (never back). */
  advance(entries: CursorAdvance[]): Promise<void>;
  /** Messages for the user past their stored cursors and past `afterId`, in commit order, at most `limit`. */
  pending(userId: number, afterId: number, limit: number): Promise<StoredMessage[]>;
  /** Messages of one conversation with fromSeq < seq <= toSeq, in order. */
  range(conversationId: string, fromSeq: number, toSeq: number): Promise<StoredMessage[]>;
  /** How many stored messages wait for the user. */
  countPending(userId: number): Promise<number>;
  /** How many stored messages wait for anyone. */
  countAllPending(): Promise<number>;
  /** Deletes at most `limit` messages stored before `cutoff` (ms); returns how many. */
  purgeBefore(cutoff: number, limit: number): Promise<number>;
  /** Makes the users members of the conversation from its current end on (no earlier history); creates it if needed. */
  join(conversationId: string, kind: 'group', userIds: number[], now: number): Promise<void>;
  /** Stops delivering later messages of the conversation to these users (or to everyone); earlier ones still arrive. */
  leave(conversationId: string, userIds: number[] | 'all'): Promise<void>;
  /** Forgets every member of the conversation (a new group reusing an old id starts clean). */
  reset(conversationId: string): Promise<void>;
  markRevoked(conversationId: string, msgId: string): Promise<void>;
  /** The first stored message with this id in the conversation. */
  find(conversationId: string, msgId: string): Promise<(StoredMessage & { create_time: number }) | undefined>;
}

/** A contact entry by id, with the two users it links. */
export type FriendEntry = Pick<FriendRow, 'id' | 'user_id' | 'friend_id'>;

export interface FriendRepo {
  /** The owner's contact entry for the friend, if any. */
  row(ownerId: number, friendId: number): Promise<FriendRow | undefined>;
  /** Both directed entries between two users in one query: mine (me → other) and theirs (other → me). */
  pair(me: number, other: number): Promise<{ mine?: FriendRow; theirs?: FriendRow }>;
  /** Whether the user has an active, not blacklisted contact. */
  hasContacts(userId: number): Promise<boolean>;
  /** Adds the owner's entry for the friend unless there is one; returns whether it was added. */
  addIfMissing(ownerId: number, friendId: number, remark: string, now: number): Promise<boolean>;
  /** The owner's entries with each friend's profile, in insertion order. */
  contacts(ownerId: number, offset: number, limit: number): Promise<ContactRow[]>;
  /** Changes flags of the entry `row.id` (its owner and friend name the pair whose cached entries it changes). */
  setFlags(row: FriendEntry, flags: FriendFlags, now: number): Promise<void>;
  /** Deletes the entries of both users for each other. */
  deletePair(a: number, b: number): Promise<void>;
  /** Friend ids of the owner's own active, not blacklisted entries among these entry ids. */
  friendIdsOfRows(ownerId: number, rowIds: number[]): Promise<number[]>;
}

export interface ApplyRepo {
  /** The applicant's pending or agreed application to the target, if any. */
  open(applicantId: number, targetId: number): Promise<ApplyRow | undefined>;
  /** Inserts a pending application; a concurrent duplicate fails with a unique violation. */
  create(applicantId: number, targetId: number, nickname: string, now: number): Promise<number>;
  /** Applications addressed to the target, newest first, with the applicant's profile. */
  forTarget(targetId: number, offset: number, limit: number): Promise<ApplyWithApplicant[]>;
  countPending(targetId: number): Promise<number>;
  /** A pending application by id, addressed to the target. */
  findPending(id: number, targetId: number): Promise<ApplyRow | undefined>;
  /** Moves a pending application to `status`; false when it is no longer pending (handled concurrently). */
  settle(id: number, status: ApplyStatus, now: number): Promise<boolean>;
  /** Deletes every application between the two users, both directions. */
  deleteBetween(a: number, b: number): Promise<void>;
}

export type GroupPatch = Partial<Pick<Group, 'name' | 'avatar' | 'remark' | 'invite_confirm' | 'status'>>;

export interface GroupRepo {
  /** Whether the user is an active member of some group. */
  hasActiveMembership(userId: number): Promise<boolean>;
  /** Creates the group with these members (active, in order); returns it. */
  create(g: Pick<Group, 'uuid' | 'user_id' | 'name' | 'avatar'>, memberIds: number[], now: number): Promise<Group>;
  find(id: number): Promise<Group | undefined>;
  update(id: number, patch: GroupPatch, now: number): Promise<void>;
  delete(id: number): Promise<void>;
  /** Memberships in join order, of one status or all. */
  members(groupId: number, status?: number): Promise<Membership[]>;
  /** Memberships with their members' profiles, of one status or (none given) all. */
  membersWithUsers(groupId: number, status?: number): Promise<MemberWithUser[]>;
  membership(groupId: number, userId: number): Promise<Membership | undefined>;
  /** Active groups where the user is an active member, newest first. */
  listFor(userId: number, offset: number, limit: number): Promise<{ group: Group; membership: Membership }[]>;
  /** Adds a membership; a concurrent duplicate fails with a unique violation. */
  addMember(groupId: number, userId: number, status: number, now: number): Promise<void>;
  setMember(groupId: number, userId: number, patch: Partial<Pick<Membership, 'status' | 'nickname'>>, now: number): Promise<void>;
  removeMember(groupId: number, userId: number): Promise<number>;
  /** Avatars (group avatar, else user avatar) of the first active members, in join order. */
  firstAvatars(groupId: number, limit: number): Promise<string[]>;
  /** How many active groups there are. */
  countActive(): Promise<number>;
}

export interface CounterRepo {
  /** Adds one to what `senderId` has sent `recipientId`; returns the new total. */
  increment(senderId: number, recipientId: number): Promise<number>;
  get(senderId: number, recipientId: number): Promise<number>;
}

/** What a client id of a WebSocket `send` frame stored (docs/protocol.md). */
export interface SendReceipt {
  sender_id: number;
  cid: string;
  conversation_id: string;
  msg_id: string;
  create_time: number;
}

export interface ReceiptRepo {
  /** Records the receipt; a second one for the same (sender, cid) fails with a unique violation. Use in the message's transaction. */
  record(r: SendReceipt): Promise<void>;
  /** The stored message a sender's client id produced (its body as pushed, its place), if it is still kept. */
  find(senderId: number, cid: string): Promise<{ conversation_id: string; seq: number; body: string } | undefined>;
  /** Deletes at most `limit` receipts recorded before `cutoff` (ms); returns how many. */
  purgeBefore(cutoff: number, limit: number): Promise<number>;
}

export interface Repos {
  users: UserRepo;
  sessions: SessionRepo;
  rates: RateLimitRepo;
  messages: MessageRepo;
  friends: FriendRepo;
  applies: ApplyRepo;
  groups: GroupRepo;
  counters: CounterRepo;
  receipts: ReceiptRepo;
}

/**
 * The storage port services depend on. Implemented once over Kysely for every dialect.
 * Methods throw StoreError (store/errors.ts) for constraint violations.
 */
export interface Store extends Repos {
  readonly dialect: 'sqlite' | 'postgres' | 'mysql';
  /** Runs `fn` in one transaction: all its writes commit together or not at all. Never await network IO inside. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Cheap liveness probe of the database. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
