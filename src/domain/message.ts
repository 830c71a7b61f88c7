/**
 * The message object pushed to clients (spec §6): chat messages and server notices alike travel
 * as `{"type":"singleChat","data":<message>,"timestamp":<ms>}`.
 */
export type ChatType = 'single' | 'group';

export interface ChatMessage {
  id: string;
  from_avatar: string;
  from_name: string;
  from_id: number | string;
  to_id: number;
  to_name: string;
  to_avatar: string;
  chatType: ChatType;
  type: string;
  data: unknown;
  options: unknown;
  create_time: number;
  isremove: 0 | 1;
  group?: unknown;
  sendUUid?: string;
  actionType?: string;
  redirect?: unknown;
  msgidKey?: string | number;
}

/** Messages are not changed once built: each is serialised once, for its row, its ack and all its pushes. */
const serialised = new WeakMap<object, string>();

/** The message as JSON (its stored body and the `data` of its frames), computed once per message. */
export function messageJson(msg: ChatMessage): string {
  let text = serialised.get(msg);
  if (text === undefined) {
    text = JSON.stringify(msg);
    serialised.set(msg, text);
  }
  return text;
}

/** Conversation ids: a pair of users, a group, or a user's own notice stream. */
export const Conversation = {
  pair: (a: number, b: number): string => (a < b ? `s:${a}:${b}` : `s:${b}:${a}`),
  group: (groupId: number): string => `g:${groupId}`,
  notices: (userId: number): string => `u:${userId}`,
  kind(id: string): 'single' | 'group' | 'notice' {
    return id.startsWith('s:') ? 'single' : id.startsWith('g:') ? 'group' : 'notice';
  },
};

/** Client `options`: URI-encoded JSON; anything that does not decode is null (spec E20). */
export function decodeOptions(text: string | undefined): unknown {
  if (!text) return null;
  try {
    return JSON.parse(decodeURIComponent(text)) as unknown;
  } catch {
    return null;
  }
}

/** The text body of server notices: `{data, dataType:false, otherData:null}`. */
export const noticeData = (text: string) => ({ data: text, dataType: false as const, otherData: null });

export interface NoticeTarget {
  id: number;
  name: string;
  avatar: string;
}

/** Who a message is from or to, as the message shows them. */
export interface Party {
  id: number | string;
  name: string;
  avatar: string;
}

/** A message with the seed's fields in the seed's order (spec §6.1); optional fields only when given. */
export function chatMessage(m: {
  id: string;
  from: Party;
  to: Party & { id: number };
  chatType: ChatType;
  type: string;
  data: unknown;
  options: unknown;
  createTime: number;
  actionType?: string;
  group?: unknown;
  sendUUid?: string;
}): ChatMessage {
  return {
    id: m.id,
    from_avatar: m.from.avatar,
    from_name: m.from.name,
    from_id: m.from.id,
    to_id: m.to.id,
    to_name: m.to.name,
    to_avatar: m.to.avatar,
    chatType: m.chatType,
    type: m.type,
    ...(m.actionType === undefined ? {} : { actionType: m.actionType }),
    data: m.data,
    options: m.options,
    create_time: m.createTime,
    isremove: 0,
    ...(m.group === undefined ? {} : { group: m.group }),
    ...(m.sendUUid === undefined ? {} : { sendUUid: m.sendUUid }),
  };
}

/** A `systemNotice`: a line the server writes into a conversation (a group change, a revoke, "friends now"). */
export function systemNotice(m: {
  id: string;
  from: Party;
  to: Party & { id: number };
  chatType: ChatType;
  text: string;
  createTime: number;
  actionType?: string;
  group?: unknown;
}): ChatMessage {
  const { text, ...rest } = m;
  return chatMessage({ ...rest, type: 'systemNotice', data: noticeData(text), options: {} });
}

/** The seed's notice helper (spec §6.3): a `text` notice from a system sender to one user, usually a link into the app. */
export function navigationNotice(
  id: string,
  to: NoticeTarget,
  now: number,
  o: {
    text: string;
    fromName: string;
    fromId: string | number;
    fromAvatar: string;
    redirect?: unknown;
    msgidKey?: string | number;
    /** Leave out `group: {}` (the friend-request notice of the original has no group field). */
    noGroup?: boolean;
    /** The group to carry instead of `{}`. */
    group?: unknown;
  },
): ChatMessage {
  const m: ChatMessage = {
    id,
    from_avatar: o.fromAvatar,
    from_name: o.fromName,
    from_id: o.fromId,
    to_id: to.id,
    to_name: to.name,
    to_avatar: to.avatar,
    chatType: 'single',
    type: 'text',
    data: noticeData(o.text),
    redirect: o.redirect ?? null,
    options: {},
    create_time: now,
    isremove: 0,
    group: o.group ?? {},
    msgidKey: o.msgidKey ?? o.fromId,
  };
  if (o.noGroup) delete m.group;
  return m;
}
