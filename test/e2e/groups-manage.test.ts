import { expect, it } from 'vitest';
import { fail, OK, quiet, textOf, USER_AVATAR, users, UUID, type Account, type Any } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { groupOf, makeGroup, memberIds } from '../helpers/groups.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/** Owner settings: rename (E25), announcement (E26), join policy (E37); my group nickname (E27). */
const isNotice = (m: Frame) => m.chatType === 'group' && m.type === 'systemNotice';

describeEachDialect('groups: rename and announcement (E25, E26)', (h) => {
  const post = (u: Account, path: string, body: unknown) => h.server.client.post(path, body, { token: u.token });

  /** A group of owner, a, b plus a pending member p (policy 1), the owner with a group nickname. */
  async function setup(): Promise<{ owner: Account; a: Account; b: Account; p: Account; gid: number }> {
    const [owner, a, b, p] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a, b]);
    expect((await post(owner, '/api/chat/groupnickname', { id: gid, nickname: '老大' })).body).toEqual(OK);
    await post(owner, '/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 });
    expect((await post(p, '/api/chat/groupInviteUser', { group_id: gid, user_id: p.id })).body.data).toBe('等待群主同意');
    return { owner, a, b, p, gid };
  }

  for (const [what, path, field, value, text, denied] of [
    ['E25 rename', '/api/chat/groupUpdateName', 'name', '新的群名', '群名称修改为：新的群名', '只有群主才能修改群名称'],
    ['E26 announcement', '/api/chat/groupremark', 'remark', '明天开会\n请准时', '[公告] \n\n 明天开会\n请准时', '只有群主才能修改群公告'],
  ] as const) {
    it(`${what}: owner only; saved; every member, pending ones included, is told`, async () => {
      const { owner, a, b, p, gid } = await setup();
      const [co, ca, cp] = await Promise.all([
        WsClient.ready(h.server.url, owner.token),
        WsClient.ready(h.server.url, a.token),
        WsClient.ready(h.server.url, p.token),
      ]);
      expect(await post(a, path, { id: gid, [field]: value })).toMatchObject({ status: 400, body: fail(denied) });
      expect(await post(p, path, { id: gid, [field]: value })).toMatchObject({ status: 400, body: fail(denied) });
      expect(await post(owner, path, { id: 99999999, [field]: value })).toMatchObject({ status: 400, body: fail(denied) });
      expect(await post(owner, path, { id: gid, [field]: value })).toMatchObject({ status: 200, body: OK });
      const g = await groupOf(h.server, gid, a);
      expect(g[field]).toBe(value);
      const expected = {
        id: expect.stringMatching(UUID),
        from_avatar: USER_AVATAR,
        from_name: '老大',
        from_id: owner.id,
        to_id: gid,
        to_name: g.name,
        to_avatar: g.avatar,
        chatType: 'group',
        type: 'systemNotice',
        data: { data: text, dataType: false, otherData: null },
        options: {},
        create_time: expect.any(Number),
        isremove: 0,
        group: expect.objectContaining({ id: gid, name: g.name, remark: g.remark, user_id: owner.id }),
      };
      const got: Frame[] = [];
      for (const c of [co, ca, cp]) {
        const [m] = await c.waitChats(1, (x) => isNotice(x) && textOf(x) === text);
        expect(m).toEqual(expected);
        got.push(m);
      }
      const users = got[0].group.group_users;
      expect(memberIds(got[0].group)).toEqual([owner.id, a.id, b.id, p.id]);
      expect(users.find((u: Any) => u.user_id === owner.id)).toEqual({ group_id: gid, user_id: owner.id, nickname: '老大', avatar: '' });
      // b was offline: the notice waits.
      const cb = await WsClient.ready(h.server.url, b.token);
      await h.server.client.post('/api/chat/chatGetmessageOffLine', {}, { token: b.token });
      expect((await cb.waitChats(1, (x) => isNotice(x) && textOf(x) === text))[0].id).toBe(got[0].id);
      await quiet(h.server, [co, owner.id], [ca, a.id], [cp, p.id], [cb, b.id]);
      for (const c of [co, ca, cp, cb]) expect(c.chats((x) => textOf(x) === text)).toHaveLength(1);
      for (const c of [co, ca, cp, cb]) c.close();
    });
  }

  it('E25/E26: validation (422) and dissolved groups', async () => {
    const { owner, gid } = await setup();
    expect(await post(owner, '/api/chat/groupUpdateName', { id: gid, name: 'x'.repeat(21) })).toMatchObject({
      status: 422,
      body: fail('群名称 的长度 必须 在 1 和 20 之间'),
    });
    expect(await post(owner, '/api/chat/groupUpdateName', { id: gid })).toMatchObject({ status: 422, body: fail('群名称不能为空') });
    expect(await post(owner, '/api/chat/groupremark', { id: gid, remark: '长'.repeat(501) })).toMatchObject({
      status: 422,
      body: fail('群公告 的长度 必须 在 1 和 500 之间'),
    });
    expect(await post(owner, '/api/chat/groupremark', { remark: 'r' })).toMatchObject({ status: 422, body: fail('群id不能为空') });
    expect((await post(owner, '/api/chat/groupUpdateName', { id: gid, name: '二'.repeat(20) })).body).toEqual(OK);
    expect((await post(owner, '/api/chat/groupDeleteOrQuit', { id: gid })).body).toEqual(OK);
    expect(await post(owner, '/api/chat/groupUpdateName', { id: gid, name: 'n' })).toMatchObject({
      status: 400,
      body: fail('只有群主才能修改群名称'),
    });
    expect(await post(owner, '/api/chat/groupremark', { id: gid, remark: 'r' })).toMatchObject({
      status: 400,
      body: fail('只有群主才能修改群公告'),
    });
  });
});

describeEachDialect('groups: my nickname (E27) and the join policy (E37)', (h) => {
  const post = (u: Account, path: string, body: unknown) => h.server.client.post(path, body, { token: u.token });
  const nick = (u: Account, id: unknown, nickname?: string) => post(u, '/api/chat/groupnickname', { id, nickname });
  const policy = (u: Account, group_id: unknown, addGroupSet: unknown) => post(u, '/api/chat/groupAddUserSet', { group_id, addGroupSet });

  it('E27: active members only; the nickname is stored and used as from_name', async () => {
    const [owner, a, outsider, p] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a]);
    expect(await nick(outsider, gid, '外人')).toMatchObject({ status: 400, body: fail('你不在该群聊中，无法修改昵称') });
    expect(await nick(a, 99999999, '无群')).toMatchObject({ status: 400, body: fail('你不在该群聊中，无法修改昵称') });
    await policy(owner, gid, 1);
    await post(p, '/api/chat/groupInviteUser', { group_id: gid, user_id: p.id });
    expect(await nick(p, gid, '待审')).toMatchObject({ status: 400, body: fail('你不在该群聊中，无法修改昵称') });
    expect(await nick(a, gid, 'n'.repeat(21))).toMatchObject({ status: 422, body: fail('群昵称 的长度 必须 在 1 和 20 之间') });
    expect(await nick(a, gid)).toMatchObject({ status: 422, body: fail('群昵称不能为空') });
    expect(await nick(a, gid, '小阿')).toMatchObject({ status: 200, body: OK });
    const members = (await groupOf(h.server, gid, owner)).group_users;
    expect(members.find((m: Any) => m.user_id === a.id).nickname).toBe('小阿');
    const co = await WsClient.ready(h.server.url, owner.token);
    const res = await post(a, '/api/chat/socket/sendmessage', { sendto_id: gid, chatType: 'group', type: 'text', data: '{"data":"hi"}' });
    expect(res.body.data.from_name).toBe('小阿');
    expect((await co.next((f) => f?.data?.id === res.body.data.id)).data.from_name).toBe('小阿');
    expect((await h.server.client.get('/api/chat/grouplist/1', { token: a.token })).body.data[0].group_users[0].nickname).toBe('小阿');
    co.close();
  });

  it('E37: owner only, 0–10, stored; no push', async () => {
    const [owner, a] = await users(h.server, 2);
    const gid = await makeGroup(h.server, owner, [a]);
    const ca = await WsClient.ready(h.server.url, a.token);
    const NO_RIGHT = '群不存在或者被封禁或者你无权操作';
    expect(await policy(a, gid, 1)).toMatchObject({ status: 400, body: fail(NO_RIGHT) });
    expect(await policy(owner, 99999999, 1)).toMatchObject({ status: 400, body: fail(NO_RIGHT) });
    for (const v of [10, 0, 3, 1]) {
      expect(await policy(owner, gid, v)).toMatchObject({ status: 200, body: { msg: 'ok', data: '设置成功' } });
      expect((await groupOf(h.server, gid, a)).invite_confirm).toBe(v);
    }
    const RANGE = '进群设置属性值 的数值 必须 大于等于 `0` 小于等于 `10`';
    for (const [v, message] of [
      [11, RANGE],
      [-1, RANGE],
      ['x', '进群设置属性值 的值 `x` 的类型不是 `int`'],
      [1.5, '进群设置属性值 的值 `1.5` 的类型不是 `int`'],
      [undefined, '进群设置属性值不能为空'],
    ] as const) {
      const res = await policy(owner, gid, v);
      expect(res.status, String(v)).toBe(422);
      expect(res.body, String(v)).toEqual(fail(message));
    }
    expect((await groupOf(h.server, gid, a)).invite_confirm).toBe(1);
    await quiet(h.server, [ca, a.id]);
    expect(ca.chats(isNotice)).toEqual([]);
    expect((await post(owner, '/api/chat/groupDeleteOrQuit', { id: gid })).body).toEqual(OK);
    expect(await policy(owner, gid, 0)).toMatchObject({ status: 400, body: fail(NO_RIGHT) });
    ca.close();
  });
});
