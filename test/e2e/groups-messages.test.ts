import { expect, it } from 'vitest';
import { drain, fail, ISO, LOCAL, OK, quiet, setNickname, textOf, USER_AVATAR, users, UUID, type Any } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { groupBarrier, isGroup, isText, makeGroup, memberIds, say, sayOk } from '../helpers/groups.js';
import { WsClient } from '../helpers/ws.js';

/** Group chat (E20 group part, spec §5.5, §6.2): who receives, the envelope, offline delivery, joins and removals. */
const texts = (c: WsClient) => c.chats(isText).map(textOf);

describeEachDialect('groups: messages (E20 group)', (h) => {
  it('pushes the message to every other active member in the singleChat envelope; the sender gets nothing', async () => {
    const [owner, a, b] = await users(h.server, 3);
    await setNickname(h.server, a, '阿A');
    const gid = await makeGroup(h.server, owner, [a, b]);
    const [co, ca, cb] = [
      await WsClient.ready(h.server.url, owner.token),
      await WsClient.ready(h.server.url, a.token),
      await WsClient.ready(h.server.url, b.token),
    ];
    const g = (await h.server.client.get('/api/chat/grouplist/1', { token: owner.token })).body.data[0];
    const data = JSON.stringify({ data: '大家好', dataType: false, otherData: null });
    const options = { k: '值', n: [1] };
    const res = await h.server.client.post(
      '/api/chat/socket/sendmessage',
      { sendto_id: gid, chatType: 'group', type: 'text', data, options: encodeURIComponent(JSON.stringify(options)) },
      { token: a.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    const m = res.body.data;
    expect(m).toEqual({
      id: expect.stringMatching(UUID),
      from_avatar: USER_AVATAR,
      from_name: '阿A',
      from_id: a.id,
      to_id: gid,
      to_name: g.name,
      to_avatar: g.avatar,
      chatType: 'group',
      type: 'text',
      data,
      options,
      create_time: expect.any(Number),
      isremove: 0,
      group: expect.objectContaining({
        id: gid,
        uuid: g.uuid,
        user_id: owner.id,
        name: g.name,
        avatar: g.avatar,
        status: 1,
        invite_confirm: 0,
      }),
      sendUUid: a.uuid,
    });
    expect(m.group.create_time).toMatch(LOCAL);
    expect(m.group.update_time).toMatch(ISO);
    expect(memberIds(m.group)).toEqual([owner.id, a.id, b.id]);
    expect(m.group.group_users.find((u: Any) => u.user_id === a.id)).toEqual({
      id: expect.any(Number),
      group_id: gid,
      user_id: a.id,
      nickname: '',
      avatar: '',
      status: 1,
      order: expect.anything(),
    });
    for (const c of [co, cb]) {
      const frame = await c.next((f) => f?.type === 'singleChat' && f.data.id === m.id);
      expect(frame).toEqual({ type: 'singleChat', data: m, timestamp: expect.any(Number) });
    }
    await groupBarrier(h.server, b, gid, ca);
    expect(ca.chats((x) => x.id === m.id)).toEqual([]);
    // A group nickname wins over the profile nickname in later messages.
    expect((await h.server.client.post('/api/chat/groupnickname', { id: gid, nickname: '群里阿A' }, { token: a.token })).body).toEqual(OK);
    const m2 = await sayOk(h.server, a, gid, 'second');
    expect(m2.from_name).toBe('群里阿A');
    expect((await cb.next((f) => f?.data?.id === m2.id)).data.from_name).toBe('群里阿A');
    for (const c of [co, ca, cb]) c.close();
  });

  it('refuses non-members, pending members, missing and dissolved groups', async () => {
    const [owner, a, outsider, pending] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a]);
    expect(await say(h.server, outsider, gid, 'x')).toMatchObject({ status: 400, body: fail('您不在群里，无法发消息') });
    await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
    expect(
      (await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: pending.id }, { token: pending.token })).body.data,
    ).toBe('等待群主同意');
    expect(await say(h.server, pending, gid, 'x')).toMatchObject({ status: 400, body: fail('您不在群里，无法发消息') });
    expect(await say(h.server, a, 99999999, 'x')).toMatchObject({ status: 400, body: fail('群不存在或者已解散或者被封禁，无法发消息') });
    expect((await h.server.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: owner.token })).body).toEqual(OK);
    expect(await say(h.server, a, gid, 'x')).toMatchObject({ status: 400, body: fail('群不存在或者已解散或者被封禁，无法发消息') });
    expect(await say(h.server, owner, gid, 'x')).toMatchObject({ status: 400, body: fail('群不存在或者已解散或者被封禁，无法发消息') });
  });

  it('an offline member gets everything through chatGetmessageOffLine, in order, exactly once', async () => {
    const [owner, a, b] = await users(h.server, 3);
    const gid = await makeGroup(h.server, owner, [a, b]);
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const who = i % 2 === 0 ? b : owner;
      sent.push(`m${i}`);
      await sayOk(h.server, who, gid, `m${i}`);
    }
    const ca = await WsClient.ready(h.server.url, a.token);
    await quiet(h.server, [ca, a.id]);
    expect(ca.chats(isGroup)).toEqual([]);
    expect((await drain(h.server, a.token)).body).toEqual(OK);
    await ca.waitChats(7, isGroup);
    expect(ca.chats(isGroup)[0].type).toBe('systemNotice');
    expect(texts(ca)).toEqual(sent);
    expect((await drain(h.server, a.token)).body).toEqual(OK);
    await groupBarrier(h.server, b, gid, ca);
    expect(texts(ca).slice(0, 6)).toEqual(sent);
    expect(ca.chats(isGroup)).toHaveLength(8);
    ca.close();
    await ca.closed();
    const again = await WsClient.ready(h.server.url, a.token);
    await drain(h.server, a.token);
    await groupBarrier(h.server, owner, gid, again);
    expect(
      again
        .chats(isGroup)
        .map(textOf)
        .filter((t) => !t.startsWith('barrier-')),
    ).toEqual([]);
    again.close();
  });

  it('a member who joins later gets only what was sent after joining', async () => {
    const [owner, a, late, later] = await users(h.server, 4);
    const gid = await makeGroup(h.server, owner, [a]);
    await sayOk(h.server, a, gid, 'before-1');
    await sayOk(h.server, owner, gid, 'before-2');
    const cl = await WsClient.ready(h.server.url, late.token);
    expect(
      (await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: late.id }, { token: late.token })).body,
    ).toEqual({ msg: 'ok', data: '加群成功' });
    await sayOk(h.server, a, gid, 'after-1');
    await cl.waitChats(1, (m) => textOf(m) === 'after-1');
    await drain(h.server, late.token);
    await groupBarrier(h.server, owner, gid, cl);
    expect(texts(cl).filter((t) => !t.startsWith('barrier-'))).toEqual(['after-1']);
    expect(cl.chats((m) => m.type === 'systemNotice').map(textOf)).toEqual([`[${late.username}] 加入了群聊`]);
    // Joining while offline: the history before the join stays out of the drain too.
    expect(
      (await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: later.id }, { token: owner.token })).body.data,
    ).toBe('加群成功');
    await sayOk(h.server, a, gid, 'after-2');
    const c2 = await WsClient.ready(h.server.url, later.token);
    await drain(h.server, later.token);
    await c2.waitChats(2, isGroup);
    await quiet(h.server, [c2, later.id]);
    expect(c2.chats(isGroup).map(textOf)).toEqual([`[${owner.username}]邀请 [${later.username}] 加入了群聊`, 'after-2']);
    cl.close();
    c2.close();
  });

  it('a removed member and a member who left receive nothing more', async () => {
    const [owner, a, b] = await users(h.server, 3);
    const gid = await makeGroup(h.server, owner, [a, b]);
    const [ca, cb] = [await WsClient.ready(h.server.url, a.token), await WsClient.ready(h.server.url, b.token)];
    await sayOk(h.server, owner, gid, 'before-removal');
    expect(
      (await h.server.client.post('/api/chat/groupDeleteUser', { group_id: gid, user_id: a.id }, { token: owner.token })).body,
    ).toEqual({ msg: 'ok', data: '删除群成员成功' });
    expect((await h.server.client.post('/api/chat/groupDeleteOrQuit', { id: gid }, { token: b.token })).body).toEqual(OK);
    await sayOk(h.server, owner, gid, 'after-removal');
    expect(await say(h.server, a, gid, 'x')).toMatchObject({ status: 400, body: fail('您不在群里，无法发消息') });
    expect(await say(h.server, b, gid, 'x')).toMatchObject({ status: 400, body: fail('您不在群里，无法发消息') });
    for (const [u, sock] of [
      [a, ca],
      [b, cb],
    ] as const) {
      await drain(h.server, u.token);
      const marker = `single-${u.id}`;
      await h.server.client.post(
        '/api/chat/socket/sendmessage',
        { sendto_id: u.id, chatType: 'single', type: 'text', data: JSON.stringify({ data: marker }) },
        { token: owner.token },
      );
      await sock.waitChats(1, (m) => textOf(m) === marker);
      expect(texts(sock).filter((t) => t !== 'before-removal')).toEqual([]);
    }
    for (const s of [ca, cb]) s.close();
  });

  it('a member removed while offline still gets what was sent while they were a member (§5.6), nothing after', async () => {
    const [owner, a, c] = await users(h.server, 3);
    const gid = await makeGroup(h.server, owner, [a, c]);
    await sayOk(h.server, a, gid, 'before-removal');
    expect(
      (await h.server.client.post('/api/chat/groupDeleteUser', { group_id: gid, user_id: c.id }, { token: owner.token })).body.data,
    ).toBe('删除群成员成功');
    await sayOk(h.server, a, gid, 'after-removal');
    const cc = await WsClient.ready(h.server.url, c.token);
    await drain(h.server, c.token);
    await cc.waitChats(2, isGroup);
    await quiet(h.server, [cc, c.id]);
    expect(cc.chats(isGroup).map(textOf)).toEqual([`${owner.username}创建了一个群，大家可以开始聊天了`, 'before-removal']);
    cc.close();
  });
});
