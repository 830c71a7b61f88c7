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

/** Conversation ids: a pair of users, a group, or a user's own notice stream. */
export const Conversation = {
  pair: (a: number, b: number): string => (a < b ? `s:${a}:${b}` : `s:${b}:${a}`),
  group: (groupId: number): string => `g:${groupId}`,
  notices: (userId: number): string => `u:${userId}`,
  kind(id: string): 'single' | 'group' | 'notice' {
    return id.startsWith('s:') ? 'single' : id.startsWith('g:') ? 'group' : 'notice';
  },
};

export const KEFU_AVATAR = 'https://docs-51yrc-com.oss-cn-hangzhou.aliyuncs.com/chat/kefu.png';

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

/** The seed's notice helper (spec §6.3): a `text` notice from a system sender to one user. */
export function noticeMessage(
  id: string,
  to: NoticeTarget,
  now: number,
  o: {
    text: string;
    fromName: string;
    fromId: string | number;
    fromAvatar?: string;
    redirect?: unknown;
    msgidKey?: string | number;
    /** Leave out `group: {}` (the friend-request notice of the original has no group field). */
    noGroup?: boolean;
  },
): ChatMessage {
  const m: ChatMessage = {
    id,
    from_avatar: o.fromAvatar ?? KEFU_AVATAR,
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
    group: {},
    msgidKey: o.msgidKey ?? o.fromId,
  };
  if (o.noGroup) delete m.group;
  return m;
}
