import { expect, it } from 'vitest';
import { fail, LOCAL, OK, quiet, setProfile, textOf, users, type Account, type Any } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { groupOf, isGroup, makeGroup, memberIds, say } from '../helpers/groups.js';
import { WsClient } from '../helpers/ws.js';

/** Leaving and dissolving (E28), removing members (E35), and the group avatar that follows (spec §8.4). */
const TIME = String.raw`(\d{4})/(\d{1,2})/(\d{1,2}) (\d{2}):(\d{2}):(\d{2})`;

/** The server's "2025/9/12 10:05:03" in +08:00 must fall between two instants. */
function expectTimeBetween(text: string, before: number, after: number): void {
  const m = new RegExp(TIME).exec(text);
  expect(m, text).not.toBeNull();
  const [, y, mo, d, hh, mm, ss] = (m as RegExpExecArray).map(Number);
  const at = Date.UTC(y as number, (mo as number) - 1, d, hh, mm, ss) - 8 * 3600_000;
  expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(at).toBeLessThanOrEqual(after);
}

describeEachDialect('groups: leave and dissolve (E28)', (h) => {
  const quit = (u: Account, id: unknown) => h.server.client.post('/api/chat/groupDeleteOrQuit', { id }, { token: u.token });

  it('a member leaves: only the owner is told "<name>于 <time> 已退出群聊"; the leaver is out', async () => {
    const [owner, a, b] = await users(h.server, 3);
    const gid = await makeGroup(h.server, owner, [a, b]);
    await h.server.client.post('/api/chat/groupnickname', { id: gid, nickname: '阿离' }, { token: a.token });
    const [co, ca, cb] = [
      await WsClient.ready(h.server.url, owner.token),
      await WsClient.ready(h.server.url, a.token),
      await WsClient.ready(h.server.url, b.token),
    ];
    const avatarBefore = (await groupOf(h.server, gid, owner)).avatar;
    const before = Date.now();
    expect(await quit(a, gid)).toMatchObject({ status: 200, body: OK });
    const after = Date.now();
    const [m] = await co.waitChats(1, (x) => isGroup(x) && textOf(x).includes('已退出群聊'));
    expect(textOf(m)).toMatch(new RegExp(`^阿离于 ${TIME} 已退出群聊$`));
    expectTimeBetween(textOf(m), before, after);
    expect(m).toMatchObject({
      from_id: a.id,
      from_name: '阿离',
      to_id: gid,
      chatType: 'group',
      type: 'systemNotice',
      options: {},
      isremove: 0,
    });
    expect(m.group).toMatchObject({ id: gid });
    // as the original: every membership before the leave, each with local create_time, groupId and the member
    expect(m.group.group_users.map((r: Any) => r.user_id)).toEqual([owner.id, a.id, b.id]);
    for (const row of m.group.group_users) {
      expect(row).toMatchObject({
        group_id: gid,
        groupId: gid,
        create_time: expect.stringMatching(LOCAL),
        user: { id: row.user_id, username: expect.any(String) },
      });
      expect(Object.keys(row.user).sort()).toEqual(['avatar', 'id', 'nickname', 'username']);
    }
    expect(m.group.group_users[1]).toMatchObject({ nickname: '阿离', user: { username: a.username } });
    const res = await say(h.server, b, gid, 'after-leave');
    expect(res.status).toBe(200);
    await co.waitChats(1, (x) => textOf(x) === 'after-leave');
    await quiet(h.server, [ca, a.id], [cb, b.id]);
    expect(ca.chats((x) => textOf(x).includes('已退出群聊') || textOf(x) === 'after-leave')).toEqual([]);
    expect(cb.chats((x) => textOf(x).includes('已退出群聊'))).toEqual([]);
    const g = await groupOf(h.server, gid, owner);
    expect(memberIds(g)).toEqual([owner.id, b.id]);
    expect(g.avatar).toBe(avatarBefore);
    expect((await h.server.client.get('/api/chat/grouplist/1', { token: a.token })).body.data).toEqual([]);
    expect(await quit(a, gid)).toMatchObject({ status: 400, body: fail('你不在该群聊中，操作失败') });
    for (const c of [co, ca, cb]) c.close();
  });

  it('a pending member may withdraw; outsiders and unknown groups are refused', async () => {
    const [owner, a, p, outsider] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a]);
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    expect((await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: p.id }, { token: p.token })).body.data).toBe(
      '等待群主同意',
    );
    expect(await quit(outsider, gid)).toMatchObject({ status: 400, body: fail('你不在该群聊中，操作失败') });
    expect(await quit(a, 99999999)).toMatchObject({ status: 400, body: fail('群不存在') });
    expect((await quit(a, 0)).status).toBe(422);
    expect(await quit(p, gid)).toMatchObject({ status: 200, body: OK });
    expect(
      await h.server.client.post('/api/chat/groupAgreeOrNo', { group_id: gid, user_id: p.id, type: 'agree' }, { token: owner.token }),
    ).toMatchObject({
      status: 400,
      body: fail('非法操作'),
    });
  });

  it('the owner dissolves: everyone is told "群主于 <time> 解散了该群", the group is gone', async () => {
    const [owner, a, b, p] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a, b]);
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: p.id }, { token: p.token });
    const [co, ca, cp] = await Promise.all([
      WsClient.ready(h.server.url, owner.token),
      WsClient.ready(h.server.url, a.token),
      WsClient.ready(h.server.url, p.token),
    ]);
    const before = Date.now();
    expect(await quit(owner, gid)).toMatchObject({ status: 200, body: OK });
    const after = Date.now();
    for (const c of [co, ca, cp]) {
      const [m] = await c.waitChats(1, (x) => isGroup(x) && textOf(x).includes('解散了该群'));
      expect(textOf(m)).toMatch(new RegExp(`^群主于 ${TIME} 解散了该群$`));
      expectTimeBetween(textOf(m), before, after);
      expect(m).toMatchObject({ from_id: owner.id, from_name: owner.username, to_id: gid, chatType: 'group', type: 'systemNotice' });
    }
    expect(await h.server.client.get(`/api/chat/groupinfo/${gid}`, { token: a.token })).toMatchObject({
      status: 400,
      body: fail('群不存在或被封禁'),
    });
    expect(await say(h.server, a, gid, 'x')).toMatchObject({ status: 400, body: fail('群不存在或者已解散或者被封禁，无法发消息') });
    expect(await quit(owner, gid)).toMatchObject({ status: 400, body: fail('群不存在') });
    expect(await quit(a, gid)).toMatchObject({ status: 400, body: fail('群不存在') });
    for (const u of [owner, a, p]) expect((await h.server.client.get('/api/chat/grouplist/1', { token: u.token })).body.data).toEqual([]);
    for (const c of [co, ca, cp]) c.close();
  });

  it('a member who was offline when the group was dissolved gets the notice through chatGetmessageOffLine', async () => {
    const [owner, a] = await users(h.server, 2);
    const gid = await makeGroup(h.server, owner, [a]);
    expect(await quit(owner, gid)).toMatchObject({ status: 200, body: OK });
    const ca = await WsClient.ready(h.server.url, a.token);
    await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: a.token });
    await ca.waitChats(1, (x) => isGroup(x) && textOf(x).includes('解散了该群'));
    await quiet(h.server, [ca, a.id]);
    expect(
      ca
        .chats(isGroup)
        .map(textOf)
        .filter((t) => t.includes('解散了该群')),
    ).toHaveLength(1);
    ca.close();
  });
});

describeEachDialect('groups: removing members (E35)', (h) => {
  const remove = (u: Account, group_id: unknown, user_id: unknown) =>
    h.server.client.post('/api/chat/groupDeleteUser', { group_id, user_id }, { token: u.token });
  const avatarOf = async (u: Account, gid: number) => (await groupOf(h.server, gid, u)).avatar;

  it('owner only; not the owner; removes the member (any status) and recomputes the avatar; no push', async () => {
    const [owner, a, b, c, p] = await users(h.server, 5);
    const img = (u: Account) => `https://img.test/${u.id}.png`;
    for (const u of [owner, a, b, c]) await setProfile(h.server, u, 'avatar', img(u));
    const gid = await makeGroup(h.server, owner, [a, b, c]);
    expect(await avatarOf(owner, gid)).toBe([owner, a, b, c].map(img).join(','));
    const [ca, cb] = [await WsClient.ready(h.server.url, a.token), await WsClient.ready(h.server.url, b.token)];
    expect(await remove(a, gid, b.id)).toMatchObject({ status: 400, body: fail('只有群主才能操作') });
    expect(await remove(owner, 99999999, b.id)).toMatchObject({ status: 400, body: fail('只有群主才能操作') });
    expect(await remove(owner, gid, owner.id)).toMatchObject({ status: 400, body: fail('群主不能删除自己') });
    expect(await remove(owner, gid, b.id)).toMatchObject({ status: 200, body: { msg: 'ok', data: '删除群成员成功' } });
    expect(await avatarOf(owner, gid)).toBe([owner, a, c].map(img).join(','));
    expect(memberIds(await groupOf(h.server, gid, owner))).toEqual([owner.id, a.id, c.id]);
    expect((await h.server.client.get('/api/chat/grouplist/1', { token: b.token })).body.data).toEqual([]);
    // Not a member: still a success.
    expect((await remove(owner, gid, p.id)).body.data).toBe('删除群成员成功');
    // A pending member can be removed too.
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: p.id }, { token: p.token });
    expect((await remove(owner, gid, p.id)).body.data).toBe('删除群成员成功');
    expect(
      await h.server.client.post('/api/chat/groupAgreeOrNo', { group_id: gid, user_id: p.id, type: 'agree' }, { token: owner.token }),
    ).toMatchObject({
      status: 400,
      body: fail('非法操作'),
    });
    const res = await remove(owner, gid, undefined);
    expect(res.status).toBe(422);
    expect(res.body).toEqual(fail('群成员id不能为空'));
    await quiet(h.server, [ca, a.id], [cb, b.id]);
    for (const sock of [ca, cb]) expect(sock.chats(isGroup)).toEqual([]);
    ca.close();
    cb.close();
  });
});
