import { afterEach } from 'vitest';
import type { Answer } from './client.js';
import type { TestServer } from './server.js';
import { WsClient, type Frame } from './ws.js';

/** Small helpers for the realtime suites: sending (E20), draining (E22), settings, visitors. */

// Answers are asserted field by field in tests.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any;

export interface Account {
  id: number;
  uuid: string;
  username: string;
  token: string;
}

export const OK = { msg: 'ok', data: 'ok' };
export const ok = <T>(data: T) => ({ msg: 'ok', data });
export const fail = <T>(data: T) => ({ msg: 'fail', data });

/** The server's default avatars (spec): a user's, a group's. */
export const USER_AVATAR = '/public/defaults/user.jpg';
export const GROUP_AVATAR = '/public/defaults/group.png';
/** A v4 UUID, as message and group uuids are. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Times as the server writes them: local "YYYY-MM-DD HH:mm:ss", and ISO 8601 in UTC. */
export const LOCAL = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** `n` elements of `T`, as a tuple when `n` is a literal (so that destructured elements are defined). */
export type Tuple<T, N extends number, R extends T[] = []> = number extends N ? T[] : R['length'] extends N ? R : Tuple<T, N, [T, ...R]>;

/** `n` new users, registered one after another (so their ids ascend in this order). */
export async function users<N extends number>(s: TestServer, n: N): Promise<Tuple<Account, N>> {
  const out: Account[] = [];
  for (let i = 0; i < n; i++) out.push(await s.client.register());
  return out as Tuple<Account, N>;
}

/** E34 updateUserinfo of one field of `u`'s profile; the answer is returned, not checked. */
export const setProfile = (s: TestServer, u: { token: string }, fieldname: string, fieldValue: unknown): Promise<Answer> =>
  s.client.post('/api/chat/updateUserinfo', { fieldname, fieldValue }, { token: u.token });

/** E34 for the nickname. */
export const setNickname = (s: TestServer, u: { token: string }, nickname: string): Promise<Answer> =>
  setProfile(s, u, 'nickname', nickname);

export const chatset = (visitor: unknown, user: unknown): string =>
  JSON.stringify({ chatset: { visitor: { sendCount: visitor, needFollow: false }, user: { sendCount: user, needFollow: false } } });

/** Anyone may send me any number of messages. */
export const UNLIMITED = chatset(2, 2);

/** E20, single chat; `data` is the client convention's JSON text unless given raw. */
export function send(s: TestServer, token: string, to: number, text: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  return s.client.post(
    '/api/chat/socket/sendmessage',
    { sendto_id: to, chatType: 'single', type: 'text', data: JSON.stringify({ data: text, dataType: false, otherData: null }), ...extra },
    { token },
  );
}

/** E20 that must succeed; answers the message object. */
export async function sendOk(s: TestServer, token: string, to: number, text: string, extra: Record<string, unknown> = {}): Promise<Frame> {
  const res = await send(s, token, to, text, extra);
  if (res.status !== 200) throw new Error(`send "${text}" failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export function drain(s: TestServer, token: string): Promise<Answer> {
  return s.client.post('/api/chat/chatGetmessageOffLine', {}, { token });
}

export async function setUserset(s: TestServer, token: string, userset: string): Promise<void> {
  const res = await s.client.post('/api/chat/userset', { userset }, { token });
  if (res.status !== 200) throw new Error(`userset failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** A registered user whose DB role is `visitor`, holding a visitor-mode session (spec §7.4). */
export async function visitor(s: TestServer, dbRole: 'visitor' | 'user' = 'visitor'): Promise<Account> {
  const u = await s.client.register();
  if (dbRole === 'visitor') await s.app.store.users.update(u.id, { role: 'visitor' }, Date.now());
  const user = await s.app.store.users.findById(u.id);
  if (!user) throw new Error('user vanished');
  const session = await s.app.services.auth.startSession(user, 'visitor');
  return { id: u.id, uuid: u.uuid, username: u.username, token: session.token };
}

/** The text inside a chat message's `data` (client JSON text or notice object). */
export function textOf(m: Frame): string {
  if (typeof m.data === 'string') {
    try {
      return (JSON.parse(m.data) as { data: string }).data;
    } catch {
      return m.data;
    }
  }
  return m.data?.data;
}

/** Chat messages a socket got from a given sender, as texts, in arrival order. */
export const textsFrom = (c: WsClient, fromId: number): string[] => c.chats((m) => m.from_id === fromId).map(textOf);

/**
 * Waits until a marker message sent now from `sender` arrives on `c`. Everything the server
 * published to that socket before it has been written by then (one ordered queue per socket).
 */
export async function barrier(s: TestServer, sender: Account, c: WsClient, to: number, label = 'barrier'): Promise<void> {
  const marker = `${label}-${Math.random().toString(36).slice(2)}`;
  await sendOk(s, sender.token, to, marker);
  await c.waitChats(1, (m) => m.from_id === sender.id && textOf(m) === marker);
}

/**
 * Waits until everything the server pushed, before this call, to each of the given sockets has
 * arrived (`[socket, its user's id]`, each the receiving socket of its user). One new user, a
 * stranger to them all, sends each user a marker: a socket's one ordered queue writes it after
 * everything queued before. For "nothing else came" checks on sockets with no sender at hand; each
 * user must take one message from a stranger (the default userset allows it).
 */
export async function quiet(s: TestServer, ...sockets: [c: WsClient, userId: number][]): Promise<void> {
  const stranger = await s.client.register();
  await Promise.all(sockets.map(([c, to]) => barrier(s, stranger, c, to, 'quiet')));
}

/** A plain user's entry notices on a new socket (see websocket-notices.test.ts). */
export const ENTRY_COUNT = 7;
export const isEntry = (m: Frame) => typeof m.from_id === 'string';
/** The frame that kicks a socket off (another login of the same user). */
export const isKick = (f: Frame) => f?.type === 'singleChat' && f.data?.from_id === 0;

/** A socket of the user, past its welcome frame and entry notices. */
export async function online(s: TestServer, token: string): Promise<WsClient> {
  const c = await WsClient.ready(s.url, token);
  await c.waitChats(ENTRY_COUNT, isEntry);
  return c;
}

export const range = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * For suites whose tests open sockets of their own: the function returned opens one for a user
 * (or a token), past its welcome frame, and every socket it opened is closed after each test.
 * Call it in the suite's body.
 */
export function socketsPerTest(server: () => TestServer): (who: { token: string } | string) => Promise<WsClient> {
  const opened: WsClient[] = [];
  afterEach(() => opened.splice(0).forEach((c) => c.close()));
  return async (who) => {
    const c = await WsClient.ready(server().url, typeof who === 'string' ? who : who.token);
    opened.push(c);
    return c;
  };
}
