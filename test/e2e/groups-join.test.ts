import { expect, it } from 'vitest';
import {
  fail,
  GROUP_AVATAR,
  OK,
  quiet,
  setNickname,
  setProfile,
  textOf,
  users,
  UUID,
  visitor,
  type Account,
  type Any,
} from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { groupOf, invite, joined, makeGroup, memberIds, sorted } from '../helpers/groups.js';
import type { TestServer } from '../helpers/server.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/** Joining and inviting (E36) under the open policies 0 and 3–10 (spec §8.3), and its refusals (§11.9). */
const img = (u: Account) => `https://img.test/${u.id}.png`;
const setAvatar = (s: TestServer, u: Account) => setProfile(s, u, 'avatar', img(u));

describeEachDialect('groups: join under policy 0 (E36)', (h) => {
  it('a self-join is active at once; "[<joiner>] 加入了群聊" goes to every active member, the newcomer included', async () => {
    const [owner, a, b, j] = await users(h.server, 4);
    for (const u of [owner, a, b, j]) await setAvatar(h.server, u);
    await setNickname(h.server, j, '新人');
    const gid = await makeGroup(h.server, owner, [a, b]);
    const before = await groupOf(h.server, gid);
    const [co, ca, cj] = await Promise.all([
      WsClient.ready(h.server.url, owner.token),
      WsClient.ready(h.server.url, a.token),
      WsClient.ready(h.server.url, j.token),
    ]);
    expect(await invite(h.server, j, gid, j.id)).toMatchObject({ status: 200, body: { msg: 'ok', data: '加群成功' } });
    const after = await groupOf(h.server, gid);
    expect(memberIds(after)).toEqual(sorted(owner.id, a.id, b.id, j.id));
    expect(after.avatar).toBe([owner, a, b, j].map(img).join(','));
    const expected = {
      id: expect.stringMatching(UUID),
      from_avatar: GROUP_AVATAR,
      from_name: '加群申请提醒',
      from_id: expect.stringMatching(new RegExp(`^redirect-applyAddGroup${gid}-${j.id}-\\d{13}$`)),
      to_id: gid,
      to_name: before.name,
      to_avatar: before.avatar,
      chatType: 'group',
      type: 'systemNotice',
      data: { data: '[新人] 加入了群聊', dataType: false, otherData: null },
      options: {},
      create_time: expect.any(Number),
      isremove: 0,
      group: expect.objectContaining({ id: gid, name: before.name, user_id: owner.id }),
    };
    const seen: Frame[] = [];
    for (const c of [co, ca, cj]) {
      const [m] = await c.waitChats(1, joined);
      expect(m).toEqual(expected);
      seen.push(m);
    }
    expect(new Set(seen.map((m) => m.id)).size).toBe(1);
    // as the original: the group as it was before the join, the owner and each member with their profile
    const g0 = seen[0].group;
    expect(g0.group_users.map((m: Any) => m.user_id)).not.toContain(j.id);
    expect(g0.user).toEqual({ username: owner.username, nickname: expect.any(String), avatar: expect.any(String) });
    for (const m of g0.group_users) {
      expect(Object.keys(m).sort()).toEqual(['avatar', 'nickname', 'status', 'user', 'user_id']);
      expect(Object.keys(m.user).sort()).toEqual(['avatar', 'nickname', 'username']);
    }
    const cb = await WsClient.ready(h.server.url, b.token);
    await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: b.token });
    expect((await cb.waitChats(1, joined))[0].id).toBe(seen[0].id);
    await quiet(h.server, [co, owner.id], [ca, a.id], [cj, j.id], [cb, b.id]);
    for (const c of [co, ca, cj, cb]) expect(c.chats(joined)).toHaveLength(1);
    expect((await h.server.client.get('/api/chat/grouplist/1', { token: j.token })).body.data.map((g: Any) => g.id)).toEqual([gid]);
    for (const c of [co, ca, cj, cb]) c.close();
  });

  it('an active member invites: "[<inviter>]邀请 [<joiner>] 加入了群聊" (inviter by group nickname); inviteuser_id is ignored', async () => {
    const [owner, a, j1, j2] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a]);
    await h.server.client.post('/api/chat/groupnickname', { id: gid, nickname: '邀请人阿' }, { token: a.token });
    const co = await WsClient.ready(h.server.url, owner.token);
    expect((await invite(h.server, a, gid, j1.id, { inviteuser_id: owner.id, addGroupDesc: '一起玩' })).body).toEqual({
      msg: 'ok',
      data: '加群成功',
    });
    expect(textOf((await co.waitChats(1, joined))[0])).toBe(`[邀请人阿]邀请 [${j1.username}] 加入了群聊`);
    expect((await invite(h.server, owner, gid, j2.id, { inviteuser_id: 'abc', addGroupDesc: 'x'.repeat(501) })).body).toEqual({
      msg: 'ok',
      data: '加群成功',
    });
    expect(textOf((await co.waitChats(2, joined))[1])).toBe(`[${owner.username}]邀请 [${j2.username}] 加入了群聊`);
    expect(memberIds(await groupOf(h.server, gid))).toEqual(sorted(owner.id, a.id, j1.id, j2.id));
    co.close();
  });

  it('refusals, in order: group, caller, existing membership, joining user', async () => {
    const [owner, a, p, outsider, off, j] = await users(h.server, 6);
    const gid = await makeGroup(h.server, owner, [a]);
    const v = await visitor(h.server);
    expect(await invite(h.server, a, 99999999, j.id)).toMatchObject({ status: 400, body: fail('群不存在或者被封禁') });
    expect(await invite(h.server, outsider, gid, j.id)).toMatchObject({ status: 400, body: fail('你不在该群聊中，操作失败') });
    expect(await invite(h.server, outsider, gid, j.id, { inviteuser_id: owner.id })).toMatchObject({
      status: 400,
      body: fail('你不在该群聊中，操作失败'),
    });
    expect(await invite(h.server, v, gid, j.id)).toMatchObject({ status: 400, body: fail('你不在该群聊中，操作失败') });
    expect(await invite(h.server, a, gid, owner.id)).toMatchObject({ status: 400, body: fail('用户已经在群里') });
    expect(await invite(h.server, a, gid, a.id)).toMatchObject({ status: 400, body: fail('用户已经在群里') });
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    expect((await invite(h.server, p, gid, p.id)).body.data).toBe('等待群主同意');
    expect(await invite(h.server, p, gid, p.id)).toMatchObject({ status: 400, body: fail('已申请加入群聊，正在等待群主同意') });
    expect(await invite(h.server, owner, gid, p.id)).toMatchObject({ status: 400, body: fail('已申请加入群聊，正在等待群主同意') });
    // A pending member is not a member: they cannot pull others in.
    expect(await invite(h.server, p, gid, j.id)).toMatchObject({ status: 400, body: fail('你不在该群聊中，操作失败') });
    await h.server.app.store.users.update(off.id, { status: 0 }, Date.now());
    for (const uid of [off.id, 99999999]) {
      expect(await invite(h.server, owner, gid, uid)).toMatchObject({
        status: 400,
        body: fail('加群的用户不存在或已被封禁，无法加入群聊'),
      });
    }
    for (const body of [{ user_id: j.id }, { group_id: gid }, { group_id: 0, user_id: j.id }]) {
      const res = await h.server.client.post('/api/chat/groupInviteUser', body, { token: owner.token });
      expect(res.status).toBe(422);
    }
    expect(memberIds(await groupOf(h.server, gid))).toEqual(sorted(owner.id, a.id));
    expect((await h.server.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: owner.token })).body).toEqual(OK);
    expect(await invite(h.server, j, gid, j.id)).toMatchObject({ status: 400, body: fail('群不存在或者被封禁') });
  });
});

describeEachDialect('groups: join under policies 3–10 (E36)', (h) => {
  for (const policy of [3, 10]) {
    it(`policy ${policy}: active at once, avatar recomputed, nobody is told`, async () => {
      const [owner, a, j, k] = await users(h.server, 4);
      for (const u of [owner, a, j, k]) await setAvatar(h.server, u);
      const gid = await makeGroup(h.server, owner, [a], policy);
      const [co, ca, cj] = await Promise.all([
        WsClient.ready(h.server.url, owner.token),
        WsClient.ready(h.server.url, a.token),
        WsClient.ready(h.server.url, j.token),
      ]);
      expect(await invite(h.server, j, gid, j.id)).toMatchObject({ status: 200, body: { msg: 'ok', data: '加群成功' } });
      expect(await invite(h.server, a, gid, k.id)).toMatchObject({ status: 200, body: { msg: 'ok', data: '加群成功' } });
      const g = await groupOf(h.server, gid);
      expect(memberIds(g)).toEqual(sorted(owner.id, a.id, j.id, k.id));
      expect(g.avatar).toBe([owner, a, j, k].map(img).join(','));
      const marker = `after-join-${policy}`;
      await h.server.client.post(
        '/api/chat/socket/sendmessage',
        { sendto_id: gid, chatType: 'group', type: 'text', data: JSON.stringify({ data: marker }) },
        { token: k.token },
      );
      for (const c of [co, ca, cj]) await c.waitChats(1, (m) => textOf(m) === marker);
      for (const c of [co, ca, cj]) expect(c.chats((m) => joined(m) || m.from_name === '加群处理')).toEqual([]);
      for (const c of [co, ca, cj]) c.close();
    });
  }
});
