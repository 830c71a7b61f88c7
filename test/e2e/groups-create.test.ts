import { expect, it } from 'vitest';
import { drain, fail, LOCAL, OK, quiet, setProfile, USER_AVATAR, users, UUID, visitor, type Account, type Any } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { befriend, isGroup, makeGroup, memberIds } from '../helpers/groups.js';
import type { TestServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws.js';

/** Creating groups (E21, spec §8.4, §11.10), my groups (E23), group details (E24). */
const create = (s: TestServer, me: Account, userIds: unknown) => s.client.post('/api/chat/group/create', { userIds }, { token: me.token });
const newest = async (s: TestServer, me: Account): Promise<Any> =>
  (await s.client.get('/api/chat/grouplist/1', { token: me.token })).body.data[0];
const info = (s: TestServer, u: Account, id: unknown) => s.client.get(`/api/chat/groupinfo/${String(id)}`, { token: u.token });

/** The keys of a group in E23 and E24 (the group columns but update_time, plus group_users). */
const GROUP_KEYS = ['avatar', 'create_time', 'group_users', 'id', 'invite_confirm', 'name', 'order', 'remark', 'status', 'user_id', 'uuid'];

describeEachDialect('groups: create (E21)', (h) => {
  it('names the group after the participants (creator first, then by id), avatars joined with ",", and tells everyone', async () => {
    const [owner, f1, f2, f3] = await users(h.server, 4);
    await setProfile(h.server, owner, 'nickname', '群主小王');
    await setProfile(h.server, f2, 'nickname', '二号');
    await setProfile(h.server, owner, 'avatar', 'https://img.test/owner.png');
    await setProfile(h.server, f3, 'avatar', 'https://img.test/f3.png');
    const entries = await befriend(h.server, owner, [f1, f2, f3]);
    const co = await WsClient.ready(h.server.url, owner.token);
    const c1 = await WsClient.ready(h.server.url, f1.token);
    // Entry ids given in reverse: the order still follows the user ids.
    expect(await create(h.server, owner, [...entries].reverse())).toMatchObject({ status: 200, body: OK });
    const name = `群主小王、${f1.username}、二号、${f3.username}`;
    const avatar = `https://img.test/owner.png,${USER_AVATAR},${USER_AVATAR},https://img.test/f3.png`;
    const g = await newest(h.server, owner);
    expect(g).toMatchObject({ name, avatar, user_id: owner.id, remark: '', invite_confirm: 0, status: 1 });
    const text = '群主小王创建了一个群，大家可以开始聊天了';
    const expected = {
      id: expect.stringMatching(UUID),
      from_avatar: 'https://img.test/owner.png',
      from_name: '群主小王',
      from_id: owner.id,
      to_id: g.id,
      to_name: name,
      to_avatar: avatar,
      chatType: 'group',
      type: 'systemNotice',
      data: { data: text, dataType: false, otherData: null },
      options: {},
      create_time: expect.any(Number),
      isremove: 0,
      group: expect.objectContaining({ id: g.id, uuid: g.uuid, user_id: owner.id, name, avatar, invite_confirm: 0, status: 1 }),
    };
    const [mo] = await co.waitChats(1, isGroup);
    const [m1] = await c1.waitChats(1, isGroup);
    expect(mo).toEqual(expected);
    expect(m1).toEqual(mo);
    expect(mo.group.create_time).toMatch(LOCAL);
    // f2 and f3 were offline: the notice waits for them.
    for (const u of [f2, f3]) {
      const c = await WsClient.ready(h.server.url, u.token);
      expect((await drain(h.server, u.token)).body).toEqual(OK);
      expect(await c.waitChats(1, isGroup)).toEqual([mo]);
      c.close();
    }
    await quiet(h.server, [co, owner.id], [c1, f1.id]);
    expect(co.chats(isGroup)).toHaveLength(1);
    expect(c1.chats(isGroup)).toHaveLength(1);
    co.close();
    c1.close();
  });

  it('cuts the name to 50 characters and uses the first 9 avatars; userIds may be comma-separated text', async () => {
    const [owner, ...friends] = await users(h.server, 11);
    const people = [owner, ...friends];
    for (const [i, u] of people.entries()) {
      await setProfile(h.server, u, 'nickname', `第${i}位成员的昵称`);
      await setProfile(h.server, u, 'avatar', `https://img.test/a${i}.png`);
    }
    const entries = await befriend(h.server, owner, friends);
    expect((await create(h.server, owner, entries.join(','))).body).toEqual(OK);
    const g = await newest(h.server, owner);
    const full = people.map((_, i) => `第${i}位成员的昵称`).join('、');
    expect(g.name).toBe([...full].slice(0, 50).join(''));
    expect([...g.name]).toHaveLength(50);
    expect(g.avatar).toBe(
      people
        .slice(0, 9)
        .map((_, i) => `https://img.test/a${i}.png`)
        .join(','),
    );
    expect((await info(h.server, owner, g.id)).body.data.group_users).toHaveLength(11);
  });

  it('refuses contact entries that are not mine or are blacklisted; blacklisted ones are left out', async () => {
    const [me, other, a, b, c] = await users(h.server, 5);
    const [ea, eb] = await befriend(h.server, me, [a, b]);
    const [ec] = await befriend(h.server, other, [c]);
    expect(await create(h.server, me, [ec])).toMatchObject({ status: 400, body: fail('请选择加入群聊的用户') });
    expect(await create(h.server, other, [ea, eb])).toMatchObject({ status: 400, body: fail('请选择加入群聊的用户') });
    expect(await create(h.server, me, [999999999])).toMatchObject({ status: 400, body: fail('请选择加入群聊的用户') });
    expect((await h.server.client.post(`/api/chat/setblackgoodfriend/${b.id}`, {}, { token: me.token })).body).toEqual(OK);
    expect(await create(h.server, me, [eb])).toMatchObject({ status: 400, body: fail('请选择加入群聊的用户') });
    expect((await create(h.server, me, [ea, eb, ec])).body).toEqual(OK);
    const g = await newest(h.server, me);
    expect(g.name).toBe(`${me.username}、${a.username}`);
    const members = (await info(h.server, me, g.id)).body.data.group_users.map((m: Any) => m.user_id);
    expect(members.sort((x: number, y: number) => x - y)).toEqual([me.id, a.id]);
    expect((await h.server.client.get('/api/chat/grouplist/1', { token: c.token })).body).toEqual({ msg: 'ok', data: [] });
  });

  it('refuses friends who are disabled; userIds is required (422); visitors may not create', async () => {
    const [me, off] = await users(h.server, 2);
    const [e] = await befriend(h.server, me, [off]);
    await h.server.app.store.users.update(off.id, { status: 0 }, Date.now());
    expect(await create(h.server, me, [e])).toMatchObject({ status: 400, body: fail('用户不存在，无法加入群聊') });
    for (const body of [{}, { userIds: '' }]) {
      const res = await h.server.client.post('/api/chat/group/create', body, { token: me.token });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(fail('userIds不能为空'));
    }
    const v = await visitor(h.server);
    expect(await create(h.server, v, [e])).toMatchObject({ status: 400, body: fail('您没有权限访问，请先注册或登录') });
  });
});

describeEachDialect('groups: my groups (E23) and details (E24)', (h) => {
  const list = (u: Account, q = '1') => h.server.client.get(`/api/chat/grouplist/${q}`, { token: u.token });

  it('E23: active groups with an active membership of mine, newest first, my membership only, paged', async () => {
    const [me, a, b] = await users(h.server, 3);
    const g1 = await makeGroup(h.server, me, [a]);
    const g2 = await makeGroup(h.server, a, [b]);
    expect((await create(h.server, a, await befriend(h.server, a, [me]))).body).toEqual(OK);
    const g3 = (await newest(h.server, a)).id;
    expect((await h.server.client.post('/api/chat/groupnickname', { id: g3, nickname: '三群的我' }, { token: me.token })).body).toEqual(OK);
    // A group I am only pending in, and a dissolved one, are not listed.
    expect((await h.server.client.post('/api/chat/groupAddUserSet', { group_id: g2, addGroupSet: 1 }, { token: a.token })).body.data).toBe(
      '设置成功',
    );
    expect((await h.server.client.post('/api/chat/groupInviteUser', { group_id: g2, user_id: me.id }, { token: me.token })).body.data).toBe(
      '等待群主同意',
    );
    const g4 = await makeGroup(h.server, me, [b]);
    expect((await h.server.client.post('/api/chat/groupDeleteOrQuit', { id: g4 }, { token: me.token })).body).toEqual(OK);

    const res = await list(me);
    expect(res.status).toBe(200);
    expect(res.body.data.map((g: Any) => g.id)).toEqual([g3, g1]);
    const [first] = res.body.data;
    expect(Object.keys(first).sort()).toEqual(GROUP_KEYS);
    expect(first).toMatchObject({ id: g3, user_id: a.id, status: 1, invite_confirm: 0, remark: '' });
    expect(first.create_time).toMatch(LOCAL);
    expect(first.group_users).toEqual([{ group_id: g3, user_id: me.id, nickname: '三群的我', avatar: '' }]);
    expect((await list(me, '1?limit=1')).body.data.map((g: Any) => g.id)).toEqual([g3]);
    expect((await list(me, '2?limit=1')).body.data.map((g: Any) => g.id)).toEqual([g1]);
    expect((await list(me, '3?limit=1')).body.data).toEqual([]);
    expect((await list(me, '1?limit=abc')).body.data.map((g: Any) => g.id)).toEqual([g3, g1]);
    expect((await list(me, '0')).status).toBe(422);
  });

  it('E24: the group with its active members and their profiles; anyone signed in may read it', async () => {
    const [owner, a, pending, outsider] = await users(h.server, 4);
    await setProfile(h.server, a, 'nickname', '阿一');
    const gid = await makeGroup(h.server, owner, [a]);
    await h.server.client.post('/api/chat/groupnickname', { id: gid, nickname: '群里的阿一' }, { token: a.token });
    await h.server.client.post('/api/chat/groupremark', { id: gid, remark: '公告内容' }, { token: owner.token });
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    expect(
      (await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: pending.id }, { token: pending.token })).body.data,
    ).toBe('等待群主同意');
    const g = await newest(h.server, owner);
    const v = await visitor(h.server);
    for (const reader of [owner, outsider, v]) {
      const res = await info(h.server, reader, gid);
      expect(res.status).toBe(200);
      expect(res.body.msg).toBe('ok');
      const d = res.body.data;
      expect(Object.keys(d).sort()).toEqual(GROUP_KEYS);
      expect(d).toMatchObject({
        id: gid,
        uuid: g.uuid,
        user_id: owner.id,
        name: g.name,
        avatar: g.avatar,
        remark: '公告内容',
        invite_confirm: 1,
        status: 1,
      });
      expect(memberIds(d)).toEqual([owner.id, a.id]);
      const ma = d.group_users.find((m: Any) => m.user_id === a.id);
      expect(ma).toEqual({
        id: expect.any(Number),
        group_id: gid,
        groupId: gid,
        user_id: a.id,
        nickname: '群里的阿一',
        avatar: '',
        status: 1,
        order: expect.anything(),
        create_time: expect.stringMatching(LOCAL),
        user: { id: a.id, username: a.username, avatar: USER_AVATAR, nickname: '阿一', uuid: a.uuid, role: 'user' },
      });
    }
  });

  it('E24: 群不存在或被封禁 for a missing or dissolved group; id must be an int ≥ 1', async () => {
    const [owner, a] = await users(h.server, 2);
    const gid = await makeGroup(h.server, owner, [a]);
    expect(await info(h.server, a, 99999999)).toMatchObject({ status: 400, body: fail('群不存在或被封禁') });
    await h.server.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: owner.token });
    expect(await info(h.server, a, gid)).toMatchObject({ status: 400, body: fail('群不存在或被封禁') });
    expect((await info(h.server, a, 0)).status).toBe(422);
    expect((await info(h.server, a, 'x')).status).toBe(422);
  });
});
