import { expect } from 'vitest';
import { OK, textOf, type Account, type Any } from './chat.js';
import type { TestServer } from './server.js';
import type { Frame, WsClient } from './ws.js';

/** Helpers for the group suites: friends to build groups from (E21), joining (E36, E38), reading a group back (E24). */

export const isGroup = (m: Frame) => m.chatType === 'group';
export const isText = (m: Frame) => m.chatType === 'group' && m.type === 'text';
/** The "… 加入了群聊" notice of a join (E36, E38). */
export const joined = (m: Frame) => isGroup(m) && textOf(m).endsWith('加入了群聊');

/** Makes `me` friends with each of `others` at once; answers my contact entry ids for them, in the same order. */
export async function befriend(s: TestServer, me: Account, others: Account[]): Promise<number[]> {
  for (const o of others)
    expect((await s.client.post('/api/chat/autoAddFriendAndAgree', { friend_id: o.id }, { token: me.token })).body).toEqual(OK);
  const res = await s.client.get('/api/chat/goodfriendlist/1', { token: me.token });
  const entries = res.body.data.rows.newList.flatMap((g: Any) => g.list);
  return others.map((o) => entries.find((e: Any) => e.friend_id === o.id).id);
}

/** E21: a group of `owner` and `members` (befriended first), answering its id; with `policy`, its join policy is set too (E37). */
export async function makeGroup(s: TestServer, owner: Account, members: Account[], policy?: number): Promise<number> {
  expect(
    (await s.client.post('/api/chat/group/create', { userIds: await befriend(s, owner, members) }, { token: owner.token })).body,
  ).toEqual(OK);
  const gid = (await s.client.get('/api/chat/grouplist/1', { token: owner.token })).body.data[0].id;
  if (policy !== undefined) {
    expect(
      (await s.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: policy }, { token: owner.token })).body.data,
    ).toBe('设置成功');
  }
  return gid;
}

/** E36: `caller` asks for `user_id` (themselves or someone else) to join. */
export const invite = (s: TestServer, caller: Account, group_id: unknown, user_id: unknown, extra: Record<string, unknown> = {}) =>
  s.client.post('/api/chat/groupInviteUser', { group_id, user_id, ...extra }, { token: caller.token });

/** E38: the owner's decision on a pending member. */
export const decide = (s: TestServer, caller: Account, group_id: unknown, user_id: unknown, type: unknown) =>
  s.client.post('/api/chat/groupAgreeOrNo', { group_id, user_id, type }, { token: caller.token });

/** E24: the group's details as `reader` reads them; without a reader, as a newly registered user does. */
export async function groupOf(s: TestServer, gid: number, reader?: Account): Promise<Any> {
  const token = (reader ?? (await s.client.register())).token;
  return (await s.client.get(`/api/chat/groupinfo/${gid}`, { token })).body.data;
}

/** The user ids of a group's members, ascending. */
export const memberIds = (g: Any): number[] => g.group_users.map((m: Any) => m.user_id).sort((x: number, y: number) => x - y);
export const sorted = (...ids: number[]) => ids.sort((x, y) => x - y);

/** E20 to a group, the text in the client convention's JSON (as `send` for single chats). */
export const say = (s: TestServer, u: Account, gid: number, text: string, extra: Record<string, unknown> = {}) =>
  s.client.post(
    '/api/chat/socket/sendmessage',
    { sendto_id: gid, chatType: 'group', type: 'text', data: JSON.stringify({ data: text, dataType: false, otherData: null }), ...extra },
    { token: u.token },
  );

/** E20 to a group that must succeed; answers the message object. */
export async function sayOk(s: TestServer, u: Account, gid: number, text: string): Promise<Frame> {
  const res = await say(s, u, gid, text);
  if (res.status !== 200) throw new Error(`group send "${text}" failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

/**
 * Sends a marker from `from` to the group and waits for it on each socket: what was pushed to
 * those sockets before has arrived. Answers the marker's text.
 */
export async function groupBarrier(s: TestServer, from: Account, gid: number, ...sockets: WsClient[]): Promise<string> {
  const marker = `barrier-${Math.random().toString(36).slice(2)}`;
  await sayOk(s, from, gid, marker);
  await Promise.all(sockets.map((c) => c.waitChats(1, (m) => isGroup(m) && textOf(m) === marker)));
  return marker;
}
