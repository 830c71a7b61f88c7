/**
 * The client's conversation rules, kept pure so they are unit-tested without a browser: which
 * conversation a pushed message belongs to, what its preview says, how a list is updated.
 */
import { kindOf, textOf, type Kind } from '../api/content.js';
import type { ChatType, WireMessage } from '../api/types.js';

export type SendState = 'sending' | 'failed' | 'sent' | 'received';

/** A message as kept on this device. `key` is the server id, or a local id until the server answered. */
export interface LocalMessage extends WireMessage {
  owner: number;
  key: string;
  conv: string;
  state: SendState;
  mine: boolean;
  /** The text shown in place of a revoked message. */
  revokedText?: string;
}

export interface Conversation {
  owner: number;
  conv: string;
  chatType: ChatType | 'notice';
  peerId: number | string;
  name: string;
  avatar: string;
  preview: string;
  previewKind: Kind;
  time: number;
  unread: number;
  /** Notices: where the app's deep link leads (`redirect.url`). */
  redirect?: string;
}

export function convKey(chatType: ChatType | 'notice', peerId: number | string): string {
  return `${chatType}:${peerId}`;
}

/** A notice from the system to me (shortcuts, requests): its own list entry. Group notices go to the group. */
export function isNotice(m: WireMessage): boolean {
  return m.chatType !== 'group' && typeof m.from_id === 'string' && m.from_id.startsWith('redirect-');
}

/** The conversation a message belongs to, seen from account `me`, with the peer's label. */
export function placeOf(m: WireMessage, me: number): Pick<Conversation, 'conv' | 'chatType' | 'peerId' | 'name' | 'avatar'> {
  if (isNotice(m)) {
    const key = String(m.msgidKey ?? m.from_id);
    return { conv: convKey('notice', key), chatType: 'notice', peerId: key, name: m.from_name, avatar: m.from_avatar };
  }
  if (m.chatType === 'group') {
    return { conv: convKey('group', m.to_id), chatType: 'group', peerId: m.to_id, name: m.to_name, avatar: m.to_avatar };
  }
  const fromMe = Number(m.from_id) === me;
  const peerId = fromMe ? m.to_id : Number(m.from_id);
  return {
    conv: convKey('single', peerId),
    chatType: 'single',
    peerId,
    name: fromMe ? m.to_name : m.from_name,
    avatar: fromMe ? m.to_avatar : m.from_avatar,
  };
}

/** Notices that ask for an answer (a friend or group request) count as unread; shortcuts do not. */
export function asksForAction(m: WireMessage): boolean {
  return /^redirect-(applyFriend|applyAddGroup)/.test(String(m.from_id));
}

/**
 * The connect-time shortcut notices come at every connection; like the app, the client keeps
 * the first of each and ignores the repeats. Requests (friend, group) are new each time.
 */
export function isRepeatNotice(m: WireMessage, known: Conversation | undefined): boolean {
  return isNotice(m) && known !== undefined && !asksForAction(m);
}

export type Labels = Record<Exclude<Kind, 'text' | 'notice'>, string>;

export function previewOf(
  m: Pick<LocalMessage, 'type' | 'data' | 'isremove' | 'revokedText'>,
  labels: Labels,
): { text: string; kind: Kind } {
  if (m.isremove) return { text: m.revokedText ?? '', kind: 'notice' };
  const kind = kindOf(m);
  if (kind === 'text' || kind === 'notice') return { text: textOf(m).slice(0, 120), kind };
  return { text: labels[kind], kind };
}

/** A conversation after `m` arrived (or was sent); `active`: the person is looking at it. */
export function withMessage(prev: Conversation | undefined, m: LocalMessage, labels: Labels, active: boolean): Conversation {
  const place = placeOf(m, m.owner);
  const { text, kind } = previewOf(m, labels);
  const counts = !m.mine && !active && m.type !== 'systemNotice' && (!isNotice(m) || asksForAction(m));
  const newer = !prev || m.create_time >= prev.time;
  return {
    owner: m.owner,
    ...place,
    // A message I sent carries my name: keep the label the conversation already had.
    name: m.mine && prev ? prev.name : place.name || prev?.name || '',
    avatar: m.mine && prev ? prev.avatar : place.avatar || prev?.avatar || '',
    preview: newer ? text : (prev?.preview ?? text),
    previewKind: newer ? kind : (prev?.previewKind ?? kind),
    time: Math.max(prev?.time ?? 0, m.create_time),
    unread: (prev?.unread ?? 0) + (counts ? 1 : 0),
    ...(m.redirect?.url ? { redirect: m.redirect.url } : prev?.redirect ? { redirect: prev.redirect } : {}),
  };
}

/** Inserts or replaces `m` in a list kept in time order; returns the index it took. */
export function upsertSorted(list: LocalMessage[], m: LocalMessage): number {
  const at = list.findIndex((x) => x.key === m.key);
  if (at >= 0) {
    list[at] = m;
    return at;
  }
  let i = list.length;
  while (i > 0 && list[i - 1]!.create_time > m.create_time && list[i - 1]!.state !== 'sending') i--;
  list.splice(i, 0, m);
  return i;
}

export function sortConversations(list: Conversation[]): Conversation[] {
  return list.sort((a, b) => b.time - a.time);
}

/** Revoking is allowed for 5 minutes after sending (spec §8.6). */
export const REVOKE_WINDOW_MS = 5 * 60 * 1000;

export function canRevoke(m: LocalMessage, now: number): boolean {
  return m.mine && m.state === 'sent' && !m.isremove && now - m.create_time <= REVOKE_WINDOW_MS - 5_000;
}
