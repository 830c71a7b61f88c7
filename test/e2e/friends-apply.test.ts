import { expect, it } from 'vitest';
import { fail, GROUP_AVATAR, ok, setNickname, socketsPerTest, USER_AVATAR, users, UUID, type Account as U } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import type { Frame, WsClient } from '../helpers/ws.js';

/** Friend applications: apply (E05), list (E06), handle (E07), instant add (E40). E17 is in friends-contacts. */
const FRIENDS_NOW = '我们已经是好友了，可以开始聊天了';
const isApplyNotice = (from: U) => (m: Frame) => m.from_id === `redirect-applyFriend-${from.id}`;
const isFriendsNow = (m: Frame) => m.type === 'systemNotice' && m.data?.data === FRIENDS_NOW;
/** `create_time` text is local time at +08:00 (spec §1.5). */
const localMs = (t: string) => Date.parse(`${t.replace(' ', 'T')}+08:00`);

describeEachDialect('friends: applications (E05, E06, E07, E40)', (h) => {
  const c = () => h.server.client;
  const connect = socketsPerTest(() => h.server);
  const apply = (me: U, friend_id: unknown, nickname?: string) =>
    c().post('/api/chat/applyfriend', { friend_id, nickname }, { token: me.token });
  const list = (me: U, page: unknown = 1, query = '') => c().get(`/api/chat/listapplyfriend/${String(page)}${query}`, { token: me.token });
  const handle = (me: U, id: unknown, status?: string, nickname?: string) =>
    c().post(`/api/chat/handleapply/${String(id)}`, { status, nickname }, { token: me.token });
  const row = (me: U, other: U) => c().post(`/api/chat/ismygoodfriend/${other.id}`, {}, { token: me.token });
  const autoAdd = (me: U, friend_id: number) => c().post('/api/chat/autoAddFriendAndAgree', { friend_id }, { token: me.token });
  /** Id of the newest application addressed to `target`. */
  const lastApplyId = async (target: U): Promise<number> => (await list(target)).body.data.alldata[0].id;
  /** Everything pushed to `ws` before this returns has arrived: a fresh user's application is pushed after it. */
  const barrier = async (ws: WsClient, owner: U) => {
    const x = await c().register();
    await apply(x, owner.id);
    await ws.next((f) => f?.type === 'singleChat' && isApplyNotice(x)(f.data));
  };

  it('E05: refuses self, unknown, disabled and locked targets, and a pending duplicate', async () => {
    const [a, b, off, locked] = await users(h.server, 4);
    await h.server.app.store.users.update(off.id, { status: 0 }, Date.now());
    await h.server.app.store.users.update(locked.id, { status: 2 }, Date.now());
    expect((await apply(a, a.id)).body).toEqual(fail('不能添加自己为好友'));
    for (const id of [2_000_000, off.id, locked.id]) {
      const res = await apply(a, id);
      expect(res.status, String(id)).toBe(400);
      expect(res.body).toEqual(fail('添加的好友不存在'));
    }
    expect((await apply(a, b.id)).body).toEqual(ok('ok'));
    await h.server.app.store.users.update(off.id, { status: 1, role: 'visitor' }, Date.now());
    expect((await apply(a, off.id)).body).toEqual(ok('ok'));
    const dup = await apply(a, b.id, 'again');
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual(fail('您已经申请过了，请勿重复申请'));
    expect((await list(b)).body.data.pendingCount).toBe(1);
  });

  it('E05: 422 for a missing or non-integer friend_id; a nickname over 50 characters silently becomes ""', async () => {
    const [a, b, d] = await users(h.server, 3);
    const missing = await apply(a, undefined);
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual(fail('我申请添加的好友id不能为空'));
    const bad = await apply(a, 'abc');
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual(fail('我申请添加的好友id 的值 `abc` 的类型不是 `int`'));
    expect((await apply(a, b.id, '长'.repeat(51))).body).toEqual(ok('ok'));
    expect((await list(b)).body.data.alldata[0].nickname).toBe('');
    const fifty = '长'.repeat(25) + '😀'.repeat(25);
    expect((await apply(a, d.id, fifty)).body).toEqual(ok('ok'));
    expect((await list(d)).body.data.alldata[0].nickname).toBe(fifty);
  });

  it('E05: five concurrent applications make one row and one notice', async () => {
    const [a, b] = await users(h.server, 2);
    const ws = await connect(b);
    const answers = await Promise.all(Array.from({ length: 5 }, () => apply(a, b.id)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
    for (const r of answers.filter((x) => x.status === 400)) expect(r.body).toEqual(fail('您已经申请过了，请勿重复申请'));
    const { alldata, pendingCount } = (await list(b)).body.data;
    expect(alldata.map((x: Frame) => x.user_id)).toEqual([a.id]);
    expect(pendingCount).toBe(1);
    await barrier(ws, b);
    expect(ws.chats(isApplyNotice(a))).toHaveLength(1);
  });

  it('E05: the target is notified live, with the seed notice', async () => {
    const [a, b] = await users(h.server, 2);
    await setNickname(h.server, a, '小明');
    const ws = await connect(b);
    expect((await apply(a, b.id, 'hi')).body).toEqual(ok('ok'));
    const frame = await ws.next((f) => f?.type === 'singleChat' && isApplyNotice(a)(f.data));
    expect(frame.timestamp).toEqual(expect.any(Number));
    expect(frame.data).toMatchObject({
      id: expect.stringMatching(UUID),
      from_avatar: GROUP_AVATAR,
      from_name: '好友申请提醒',
      from_id: `redirect-applyFriend-${a.id}`,
      to_id: b.id,
      to_name: b.username,
      to_avatar: USER_AVATAR,
      chatType: 'single',
      type: 'text',
      data: { data: '用户[小明]申请添加您为好友，请尽快处理', dataType: false, otherData: null },
      redirect: { url: '/pages/applyMyfriend/applyMyfriend', type: 'navigateTo' },
      options: {},
      create_time: expect.any(Number),
      isremove: 0,
      msgidKey: `redirect-applyFriend-${a.id}`,
    });
    // exactly the original's fields: no `group` on this notice
    expect(Object.keys(frame.data).sort()).toEqual([
      'chatType',
      'create_time',
      'data',
      'from_avatar',
      'from_id',
      'from_name',
      'id',
      'isremove',
      'msgidKey',
      'options',
      'redirect',
      'to_avatar',
      'to_id',
      'to_name',
      'type',
    ]);
  });

  it('E05: an offline target receives the notice (once) through chatGetmessageOffLine', async () => {
    const [a, b] = await users(h.server, 2);
    expect((await apply(a, b.id)).body).toEqual(ok('ok'));
    const ws = await connect(b);
    expect((await c().post('/api/chat/chatGetmessageOffLine', {}, { token: b.token })).body).toEqual(ok('ok'));
    const [m] = await ws.waitChats(1, isApplyNotice(a));
    expect(m.data).toEqual({ data: `用户[${a.username}]申请添加您为好友，请尽快处理`, dataType: false, otherData: null });
    await barrier(ws, b);
    expect(ws.chats(isApplyNotice(a))).toHaveLength(1);
  });

  it('E06: newest first, every column with userId and the applicant, and the pending count', async () => {
    const [t, a1, a2, a3] = await users(h.server, 4);
    await setNickname(h.server, a2, '二号');
    for (const [u, n] of [
      [a1, 'one'],
      [a2, 'two'],
      [a3, undefined],
    ] as const)
      await apply(u, t.id, n);
    const res = await list(t);
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    const { alldata, pendingCount } = res.body.data;
    expect(pendingCount).toBe(3);
    expect(alldata.map((x: Frame) => x.user_id)).toEqual([a3.id, a2.id, a1.id]);
    const second = alldata[1];
    expect(Object.keys(second).sort()).toEqual(
      [
        'id',
        'user_id',
        'friend_id',
        'nickname',
        'friendlookme',
        'melookfriend',
        'ismystarfriend',
        'isblack',
        'status',
        'order',
        'create_time',
        'update_time',
        'userId',
        'user',
      ].sort(),
    );
    expect(second).toMatchObject({
      user_id: a2.id,
      userId: a2.id,
      friend_id: t.id,
      nickname: 'two',
      friendlookme: 1,
      melookfriend: 1,
      ismystarfriend: 0,
      isblack: 0,
      status: 'pending',
      order: 50,
    });
    expect(second.user).toEqual({ id: a2.id, username: a2.username, avatar: USER_AVATAR, nickname: '二号', uuid: a2.uuid });
    expect(alldata[0].nickname).toBe('');
    expect(second.create_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(Math.abs(localMs(second.create_time) - Date.now())).toBeLessThan(60_000);
    expect(second.update_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await handle(t, alldata[2].id, 'refuse')).body).toEqual(ok('ok'));
    const after = (await list(t)).body.data;
    expect(after.pendingCount).toBe(2);
    expect(after.alldata.map((x: Frame) => x.status)).toEqual(['pending', 'pending', 'refuse']);
  });

  it('E06: pages by limit; a bad or zero limit means 10; page 0 or "x" is a 422', async () => {
    const [t, ...applicants] = await users(h.server, 12);
    for (const a of applicants) await apply(a, t.id);
    const ids = (r: Frame) => r.body.data.alldata.map((x: Frame) => x.user_id);
    const newest = applicants.map((a) => a.id).reverse();
    expect(ids(await list(t, 1, '?limit=4'))).toEqual(newest.slice(0, 4));
    expect(ids(await list(t, 3, '?limit=4'))).toEqual(newest.slice(8, 11));
    expect((await list(t, 4, '?limit=4')).body).toEqual(ok({ alldata: [], pendingCount: 11 }));
    for (const q of ['', '?limit=0', '?limit=x', '?limit=', '?limit=1.5']) expect(ids(await list(t, 1, q)), q).toEqual(newest.slice(0, 10));
    expect(ids(await list(t, 2))).toEqual(newest.slice(10));
    const zero = await list(t, 0);
    expect(zero.status).toBe(422);
    expect(zero.body).toEqual(fail('页码 的数值 必须 在 1 和 10000000000000000 之间'));
    const x = await list(t, 'x');
    expect(x.status).toBe(422);
    expect(x.body).toEqual(fail('页码 的值 `x` 的类型不是 `int`'));
  });

  it('E06: a limit above 100 is capped at 100, not refused', async () => {
    const [t, ...applicants] = await users(h.server, 12);
    for (const a of applicants) await apply(a, t.id);
    const res = await list(t, 1, '?limit=101');
    expect(res.body.data.alldata.map((x: Frame) => x.user_id)).toEqual(applicants.map((a) => a.id).reverse());
  });

  it('E07: agreeing creates both entries with their remarks and one shared notice pair', async () => {
    const [a, b] = await users(h.server, 2);
    await setNickname(h.server, a, '阿明');
    await setNickname(h.server, b, '小红');
    const [wa, wb] = [await connect(a), await connect(b)];
    await apply(a, b.id, 'let us chat');
    const id = await lastApplyId(b);
    expect((await handle(b, id, 'agree', '老同学')).body).toEqual(ok('ok'));
    expect((await row(b, a)).body.data).toMatchObject({ user_id: b.id, friend_id: a.id, nickname: '老同学', isblack: 0, status: 1 });
    expect((await row(a, b)).body.data).toMatchObject({ user_id: a.id, friend_id: b.id, nickname: '小红', isblack: 0, status: 1 });
    const [toA] = await wa.waitChats(1, isFriendsNow);
    const [toB] = await wb.waitChats(1, isFriendsNow);
    const base = {
      chatType: 'single',
      type: 'systemNotice',
      data: { data: FRIENDS_NOW, dataType: false, otherData: null },
      options: {},
      isremove: 0,
    };
    expect(toA).toMatchObject({
      ...base,
      from_id: b.id,
      from_name: '小红',
      from_avatar: USER_AVATAR,
      to_id: a.id,
      to_name: '老同学',
      to_avatar: USER_AVATAR,
    });
    expect(toB).toMatchObject({ ...base, from_id: a.id, from_name: '老同学', to_id: b.id, to_name: '小红' });
    expect(toA.id).toMatch(UUID);
    expect(toB.id).toBe(toA.id);
    const listed = (await list(b)).body.data;
    expect([listed.alldata[0].status, listed.pendingCount]).toEqual(['agree', 0]);
    expect((await handle(b, id, 'agree')).body).toEqual(fail('申请不存在或已处理'));
    expect((await apply(a, b.id)).body).toEqual(fail('您已经申请过了，请勿重复申请'));
  });

  it('E07: only the target handles; others, the applicant and unknown ids get 申请不存在或已处理', async () => {
    const [a, b, x] = await users(h.server, 3);
    await apply(a, b.id);
    const id = await lastApplyId(b);
    for (const [who, status] of [
      [x, 'agree'],
      [x, 'refuse'],
      [a, 'agree'],
      [a, 'ignore'],
    ] as const) {
      const res = await handle(who, id, status);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail('申请不存在或已处理'));
    }
    expect((await handle(b, 2_000_000, 'agree')).body).toEqual(fail('申请不存在或已处理'));
    expect((await list(b)).body.data.alldata[0]).toMatchObject({ id, status: 'pending' });
    expect((await row(x, b)).body).toEqual(fail('不是好友'));
    expect((await row(a, b)).body).toEqual(fail('不是好友'));
  });

  it('E07: refuse and ignore notify nobody and allow a new application; "pending" changes nothing', async () => {
    const [a, b] = await users(h.server, 2);
    const [wa, wb] = [await connect(a), await connect(b)];
    for (const status of ['refuse', 'ignore']) {
      await apply(a, b.id);
      const id = await lastApplyId(b);
      expect((await handle(b, id, 'pending')).body).toEqual(ok('ok'));
      const listed = (await list(b)).body.data;
      expect([listed.pendingCount, listed.alldata[0].id, listed.alldata[0].status]).toEqual([1, id, 'pending']);
      expect((await handle(b, id, status)).body).toEqual(ok('ok'));
      expect((await handle(b, id, 'agree')).body).toEqual(fail('申请不存在或已处理'));
      expect((await row(b, a)).body).toEqual(fail('不是好友'));
    }
    expect((await apply(a, b.id)).body).toEqual(ok('ok'));
    expect((await list(b)).body.data.alldata.map((x: Frame) => x.status)).toEqual(['pending', 'ignore', 'refuse']);
    expect((await handle(b, await lastApplyId(b), 'agree')).body).toEqual(ok('ok'));
    await wa.waitChats(1, isFriendsNow);
    await wb.waitChats(1, isFriendsNow);
    await barrier(wa, a);
    await barrier(wb, b);
    expect([wa.chats(isFriendsNow).length, wb.chats(isFriendsNow).length]).toEqual([1, 1]);
  });

  it('E07: 422 for a missing or unknown status; an over-long remark silently becomes ""', async () => {
    const [a, b] = await users(h.server, 2);
    await apply(a, b.id);
    const id = await lastApplyId(b);
    const none = await handle(b, id);
    expect(none.status).toBe(422);
    expect(none.body).toEqual(fail('处理状态不能为空'));
    const bad = await handle(b, id, 'accept');
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual(fail('处理状态 的值 `accept` 必须在 [`pending`、`refuse`、`agree`、`ignore`] 中'));
    expect((await handle(b, 0, 'agree')).status).toBe(422);
    expect((await handle(b, id, 'agree', 'r'.repeat(51))).body).toEqual(ok('ok'));
    expect((await row(b, a)).body.data.nickname).toBe('');
  });

  it('E07: concurrent agreements of one application make one pair of entries and one notice pair', async () => {
    const [a, b] = await users(h.server, 2);
    const [wa, wb] = [await connect(a), await connect(b)];
    await apply(a, b.id);
    const id = await lastApplyId(b);
    const answers = await Promise.all(Array.from({ length: 4 }, () => handle(b, id, 'agree')));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400]);
    for (const r of answers.filter((x) => x.status === 400)) expect(r.body).toEqual(fail('申请不存在或已处理'));
    for (const [me, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const contacts = (await c().get('/api/chat/goodfriendlist/1', { token: me.token })).body.data;
      expect(contacts.count).toBe(1);
      expect(contacts.rows.newList.flatMap((g: Frame) => g.list).map((x: Frame) => x.friend_id)).toEqual([other.id]);
    }
    await wa.waitChats(1, isFriendsNow);
    await barrier(wa, a);
    await barrier(wb, b);
    expect([wa.chats(isFriendsNow).length, wb.chats(isFriendsNow).length]).toEqual([1, 1]);
  });

  it('E40: checks self, target, approval setting and duplicates, in that order', async () => {
    const [a, t, off] = await users(h.server, 3);
    await h.server.app.store.users.update(off.id, { status: 0 }, Date.now());
    expect((await autoAdd(a, a.id)).body).toEqual(fail('不能添加自己为好友'));
    expect((await autoAdd(a, off.id)).body).toEqual(fail('添加的好友不存在'));
    expect((await autoAdd(a, 2_000_000)).body).toEqual(fail('添加的好友不存在'));
    await apply(a, t.id);
    const set = await c().post('/api/chat/updateUserinfo', { fieldname: 'invite_confirm', fieldValue: 1 }, { token: t.token });
    expect(set.body).toEqual(ok('设置成功'));
    const needs = await autoAdd(a, t.id);
    expect(needs.status).toBe(400);
    expect(needs.body).toEqual(fail('需要对方审核，不能自动加对方为好友'));
    await c().post('/api/chat/updateUserinfo', { fieldname: 'invite_confirm', fieldValue: 0 }, { token: t.token });
    expect((await autoAdd(a, t.id)).body).toEqual(fail('您已经申请过了，请勿重复申请'));
    expect((await row(a, t)).body).toEqual(fail('不是好友'));
  });

  it('E40: befriends at once, with both entries, an agreed application and the notice pair', async () => {
    const [a, t] = await users(h.server, 2);
    await setNickname(h.server, a, '甲');
    const [wa, wt] = [await connect(a), await connect(t)];
    expect((await autoAdd(a, t.id)).body).toEqual(ok('ok'));
    expect((await row(a, t)).body.data).toMatchObject({ user_id: a.id, friend_id: t.id, nickname: '', isblack: 0, status: 1 });
    expect((await row(t, a)).body.data).toMatchObject({ user_id: t.id, friend_id: a.id, nickname: '甲', isblack: 0, status: 1 });
    expect((await list(t)).body.data).toMatchObject({ pendingCount: 0, alldata: [{ user_id: a.id, status: 'agree' }] });
    const [toT] = await wt.waitChats(1, isFriendsNow);
    const [toA] = await wa.waitChats(1, isFriendsNow);
    expect(toT).toMatchObject({
      from_id: a.id,
      from_name: '甲',
      to_id: t.id,
      to_name: t.username,
      type: 'systemNotice',
      chatType: 'single',
    });
    expect(toA).toMatchObject({
      from_id: t.id,
      from_name: t.username,
      to_id: a.id,
      to_name: '甲',
      type: 'systemNotice',
      chatType: 'single',
    });
    expect(toA.id).toBe(toT.id);
    expect((await autoAdd(a, t.id)).body).toEqual(fail('您已经申请过了，请勿重复申请'));
    await barrier(wa, a);
    await barrier(wt, t);
    expect([wa.chats(isFriendsNow).length, wt.chats(isFriendsNow).length]).toEqual([1, 1]);
  });
});
