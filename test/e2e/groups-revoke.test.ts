import { expect, it } from 'vitest';
import { drain, fail, OK, quiet, sendOk, setNickname, textOf, USER_AVATAR, users, type Account } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { befriend, makeGroup, sayOk } from '../helpers/groups.js';
import { ManualClock, type TestServer } from '../helpers/server.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/** Revoking a message (E32, spec §8.6, §11.11): single and group, checked against the stored message. */
const NOT_MINE = '消息不存在或者不是您发送的，无法撤回';
const TOO_OLD = '消息超过5分钟，不能撤回';
const isRevoke = (m: Frame) => m.actionType === 'revoke';
const clock = new ManualClock();

/** E32 for a message as the sender's client would send it (the peer or group as the message names it). */
const revoke = (s: TestServer, u: Account, m: Frame, over: Record<string, unknown> = {}) =>
  s.client.post(
    '/api/chat/revokeMessage',
    { to_id: m.to_id, to_name: m.to_name, to_avatar: m.to_avatar, id: m.id, chatType: m.chatType, create_time: m.create_time, ...over },
    { token: u.token },
  );

describeEachDialect(
  'groups: revoke (E32)',
  (h) => {
    it('single: the peer gets the revoke notice "<name>撤回了一条消息"; the answer is the notice', async () => {
      const [a, b] = await users(h.server, 2);
      await befriend(h.server, a, [b]);
      await setNickname(h.server, a, '阿甲');
      const cb = await WsClient.ready(h.server.url, b.token);
      const m = await sendOk(h.server, a.token, b.id, 'oops');
      clock.advance(60_000);
      const res = await revoke(h.server, a, m);
      expect(res.status).toBe(200);
      const notice = {
        id: m.id,
        from_avatar: USER_AVATAR,
        from_name: '阿甲',
        from_id: a.id,
        to_id: b.id,
        to_name: m.to_name,
        to_avatar: m.to_avatar,
        chatType: 'single',
        type: 'systemNotice',
        actionType: 'revoke',
        data: { data: '阿甲撤回了一条消息', dataType: false, otherData: null },
        options: {},
        create_time: clock.now(),
        isremove: 0,
        group: null,
      };
      expect(res.body).toEqual({ msg: 'ok', data: notice });
      expect((await cb.next((f) => f?.type === 'singleChat' && isRevoke(f.data))).data).toEqual(notice);
      cb.close();
    });

    it('group: every member, the revoker included, gets "<group nickname> 撤回了一条消息"', async () => {
      const [owner, a, b] = await users(h.server, 3);
      const gid = await makeGroup(h.server, owner, [a, b]);
      await h.server.client.post('/api/chat/groupnickname', { id: gid, nickname: '阿群' }, { token: a.token });
      const socks = await Promise.all([
        WsClient.ready(h.server.url, owner.token),
        WsClient.ready(h.server.url, a.token),
        WsClient.ready(h.server.url, b.token),
      ]);
      const [co, ca, cb] = socks;
      const m = await sayOk(h.server, a, gid, 'group oops');
      const res = await revoke(h.server, a, m);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        id: m.id,
        from_name: '阿群',
        from_id: a.id,
        to_id: gid,
        chatType: 'group',
        type: 'systemNotice',
        actionType: 'revoke',
        group: null,
        data: { data: '阿群 撤回了一条消息', dataType: false, otherData: null },
      });
      for (const c of socks) expect((await c.waitChats(1, isRevoke))[0]).toEqual(res.body.data);
      await quiet(h.server, [co, owner.id], [ca, a.id], [cb, b.id]);
      for (const c of socks) expect(c.chats(isRevoke)).toHaveLength(1);
      for (const c of socks) c.close();
    });

    it(`someone else's message, a made-up id or the wrong conversation: ${NOT_MINE}`, async () => {
      const [owner, a, b, outsider] = await users(h.server, 4);
      const gid = await makeGroup(h.server, owner, [a, b]);
      const single = await sendOk(h.server, owner.token, a.id, 'to a');
      const group = await sayOk(h.server, a, gid, 'in group');
      expect(await revoke(h.server, a, single, { to_id: owner.id })).toMatchObject({ status: 400, body: fail(NOT_MINE) });
      expect(await revoke(h.server, b, single, { to_id: owner.id })).toMatchObject({ status: 400, body: fail(NOT_MINE) });
      expect(await revoke(h.server, owner, single, { id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
        status: 400,
        body: fail(NOT_MINE),
      });
      expect(await revoke(h.server, owner, single, { to_id: b.id })).toMatchObject({ status: 400, body: fail(NOT_MINE) });
      expect(await revoke(h.server, b, group)).toMatchObject({ status: 400, body: fail(NOT_MINE) });
      expect(await revoke(h.server, owner, group)).toMatchObject({ status: 400, body: fail(NOT_MINE) });
      expect(await revoke(h.server, a, group, { chatType: 'single', to_id: owner.id })).toMatchObject({
        status: 400,
        body: fail(NOT_MINE),
      });
      expect(await revoke(h.server, outsider, group)).toMatchObject({ status: 400, body: fail('你不在该群聊中，操作失败') });
      expect(await revoke(h.server, a, group, { to_id: 99999999 })).toMatchObject({ status: 400, body: fail('群不存在') });
      // The real owner of each can still revoke.
      expect((await revoke(h.server, owner, single)).status).toBe(200);
      expect((await revoke(h.server, a, group)).status).toBe(200);
    });

    it(`older than 5 minutes, by the stored or the client's create_time: ${TOO_OLD}`, async () => {
      const [a, b] = await users(h.server, 2);
      await befriend(h.server, a, [b]);
      const fresh = await sendOk(h.server, a.token, b.id, 'fresh');
      expect(await revoke(h.server, a, fresh, { create_time: clock.now() - 5 * 60_000 - 1000 })).toMatchObject({
        status: 400,
        body: fail(TOO_OLD),
      });
      const edge = await sendOk(h.server, a.token, b.id, 'edge');
      const old = await sendOk(h.server, a.token, b.id, 'old');
      clock.advance(5 * 60_000);
      expect((await revoke(h.server, a, edge)).status).toBe(200);
      clock.advance(1000);
      expect(await revoke(h.server, a, old)).toMatchObject({ status: 400, body: fail(TOO_OLD) });
      // A client claiming a newer create_time does not help: the stored time counts.
      expect(await revoke(h.server, a, old, { create_time: clock.now() })).toMatchObject({ status: 400, body: fail(TOO_OLD) });
    });

    it('validation (422): create_time ≥ 10^12, to_avatar 10–1000 chars, chatType single|group, id required', async () => {
      const [a, b] = await users(h.server, 2);
      await befriend(h.server, a, [b]);
      const m = await sendOk(h.server, a.token, b.id, 'v');
      for (const [over, message] of [
        // the upper bound is now, as the original's validator words it
        [{ create_time: 999_999_999_999 }, `消息发送时间 的数值 必须 在 1000000000000 和 ${clock.now()} 之间`],
        [{ create_time: 'soon' }, '消息发送时间 的值 `soon` 的类型不是 `int`'],
        [{ to_avatar: 'short' }, '接收者或者群头像 的长度 必须 在 10 和 1000 之间'],
        [{ chatType: 'room' }, '聊天类型 的值 `room` 必须在 [`single`、`group`] 中'],
        [{ id: undefined }, '消息uuid不能为空'],
      ] as const) {
        const res = await revoke(h.server, a, m, over);
        expect(res.status, JSON.stringify(over)).toBe(422);
        expect(res.body, JSON.stringify(over)).toEqual(fail(message));
      }
    });

    it('validation (422): create_time after now is refused (spec E32, valparams §2.10: max = now)', async () => {
      const [a, b] = await users(h.server, 2);
      await befriend(h.server, a, [b]);
      const m = await sendOk(h.server, a.token, b.id, 'future');
      const res = await revoke(h.server, a, m, { create_time: clock.now() + 60_000 });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(fail(`消息发送时间 的数值 必须 在 1000000000000 和 ${clock.now()} 之间`));
    });

    it('group: the notice goes to every membership row, pending members included (spec E32)', async () => {
      const [owner, a, p] = await users(h.server, 3);
      const gid = await makeGroup(h.server, owner, [a]);
      await h.server.client.post('/api/chat/groupAddUserSet', { group_id: gid, addGroupSet: 1 }, { token: owner.token });
      expect(
        (await h.server.client.post('/api/chat/groupInviteUser', { group_id: gid, user_id: p.id }, { token: p.token })).body.data,
      ).toBe('等待群主同意');
      const cp = await WsClient.ready(h.server.url, p.token);
      const m = await sayOk(h.server, a, gid, 'pending sees the notice');
      expect((await revoke(h.server, a, m)).status).toBe(200);
      await drain(h.server, p.token);
      expect((await cp.waitChats(1, isRevoke, 3000))[0].id).toBe(m.id);
      cp.close();
    });

    it('a revoked message is no longer delivered to members who fetch offline messages later; the notice is', async () => {
      const [owner, a, b] = await users(h.server, 3);
      const gid = await makeGroup(h.server, owner, [a, b]);
      await sayOk(h.server, a, gid, 'keep-1');
      const gone = await sayOk(h.server, a, gid, 'revoked');
      await sayOk(h.server, a, gid, 'keep-2');
      const single = await sendOk(h.server, owner.token, b.id, 'single-revoked');
      expect((await revoke(h.server, a, gone)).status).toBe(200);
      expect((await revoke(h.server, owner, single)).status).toBe(200);
      const cb = await WsClient.ready(h.server.url, b.token);
      expect((await drain(h.server, b.token)).body).toEqual(OK);
      await cb.waitChats(2, isRevoke);
      await quiet(h.server, [cb, b.id]);
      const got = cb.chats((x) => x.chatType === 'group' && x.type !== 'systemNotice').map(textOf);
      expect(got).toEqual(['keep-1', 'keep-2']);
      expect(cb.chats((x) => textOf(x) === 'single-revoked' || textOf(x) === 'revoked')).toEqual([]);
      expect(
        cb
          .chats(isRevoke)
          .map((x) => x.id)
          .sort(),
      ).toEqual([gone.id, single.id].sort());
      cb.close();
    });
  },
  { clock },
);
