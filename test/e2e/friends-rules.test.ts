import { expect, it } from 'vitest';
import { fail, ok, socketsPerTest, users, type Account as U } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';

/**
 * Contact flags (E10 black, E11 star, E12 visibility), E19, E33 delete, their effect on sending
 * (E20, spec §8.1), ownership (nobody touches another user's rows) and the visitor whitelist (§1.6).
 */
const MISSING_OR_BLACK = '好友不存在或者被拉黑，无法操作';
const VISITOR_REFUSED = '您没有权限访问，请先注册或登录';
const FEED_ME = '朋友是否可以看我的动态';
const FEED_FRIEND = '我的朋友圈是否出现朋友的信息（我是否看朋友的动态）';

describeEachDialect('friends: flags, deletion, sending, ownership, visitors (E10–E12, E19, E20, E33)', (h) => {
  const c = () => h.server.client;
  const connect = socketsPerTest(() => h.server);
  const post = (me: U, path: string, body: Record<string, unknown> = {}) => c().post(path, body, { token: me.token });
  const befriend = async (a: U, b: U) =>
    expect((await post(a, '/api/chat/autoAddFriendAndAgree', { friend_id: b.id })).body).toEqual(ok('ok'));
  const entry = (me: U, other: U | number) => post(me, `/api/chat/ismygoodfriend/${typeof other === 'number' ? other : other.id}`);
  const black = (me: U, other: U | number) => post(me, `/api/chat/setblackgoodfriend/${typeof other === 'number' ? other : other.id}`);
  const star = (me: U, other: U | number) => post(me, `/api/chat/setstargoodfriend/${typeof other === 'number' ? other : other.id}`);
  const see = (me: U, other: U | number, friendlookme?: unknown, melookfriend?: unknown) =>
    post(me, `/api/chat/setmeOrfriendCanSee/${typeof other === 'number' ? other : other.id}`, { friendlookme, melookfriend });
  const remove = (me: U, other: U | number) => post(me, `/api/chat/deletegoodfriend/${typeof other === 'number' ? other : other.id}`);
  const send = (me: U, to: U, data = 'hi') =>
    post(me, '/api/chat/socket/sendmessage', { sendto_id: to.id, chatType: 'single', type: 'text', data });
  const row = (me: U, other: U, flags: Record<string, number> = {}) => ({
    id: expect.any(Number),
    user_id: me.id,
    friend_id: other.id,
    nickname: '',
    friendlookme: 1,
    melookfriend: 1,
    ismystarfriend: 0,
    isblack: 0,
    status: 1,
    ...flags,
  });

  it('E19: my entry for a friend, exactly; 不是好友 when missing, blacklisted or unknown', async () => {
    const [a, b, x] = await users(h.server, 3);
    await befriend(a, b);
    expect((await entry(a, b)).body).toEqual(ok(row(a, b)));
    expect((await entry(b, a)).body).toEqual(ok(row(b, a)));
    for (const [me, id] of [
      [a, x.id],
      [a, 2_000_000],
      [x, a.id],
      [a, a.id],
    ] as const) {
      const res = await entry(me, id);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail('不是好友'));
    }
    await black(a, b);
    expect((await entry(a, b)).body).toEqual(fail('不是好友'));
    expect((await entry(b, a)).body).toEqual(ok(row(b, a)));
    const bad = await post(a, '/api/chat/ismygoodfriend/x');
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual(fail('朋友id 的值 `x` 的类型不是 `int`'));
  });

  it('E10: toggles my blacklist flag only; 好友不存在 for a non-friend', async () => {
    const [a, b, x] = await users(h.server, 3);
    await befriend(a, b);
    expect((await black(a, b)).body).toEqual(ok('ok'));
    expect((await entry(a, b)).body).toEqual(fail('不是好友'));
    expect((await entry(b, a)).body).toEqual(ok(row(b, a)));
    expect((await black(a, b)).body).toEqual(ok('ok'));
    expect((await entry(a, b)).body).toEqual(ok(row(a, b)));
    for (const id of [x.id, 2_000_000, a.id]) {
      const res = await black(a, id);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail('好友不存在'));
    }
    expect((await black(a, 0)).status).toBe(422);
  });

  it('E11: toggles the star; refused for blacklisted and non-friends', async () => {
    const [a, b, x] = await users(h.server, 3);
    await befriend(a, b);
    expect((await star(a, b)).body).toEqual(ok('ok'));
    expect((await entry(a, b)).body.data.ismystarfriend).toBe(1);
    expect((await entry(b, a)).body.data.ismystarfriend).toBe(0);
    expect((await star(a, b)).body).toEqual(ok('ok'));
    expect((await entry(a, b)).body.data.ismystarfriend).toBe(0);
    await black(a, b);
    for (const id of [b.id, x.id]) {
      const res = await star(a, id);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail(MISSING_OR_BLACK));
    }
    await black(a, b);
    expect((await entry(a, b)).body.data.ismystarfriend).toBe(0);
  });

  it('E12: sets both visibility flags; 422 outside [0,1]; refused for blacklisted and non-friends', async () => {
    const [a, b, x] = await users(h.server, 3);
    await befriend(a, b);
    expect((await see(a, b, 0, 0)).body).toEqual(ok('ok'));
    expect((await entry(a, b)).body).toEqual(ok(row(a, b, { friendlookme: 0, melookfriend: 0 })));
    expect(
      (await c().post(`/api/chat/setmeOrfriendCanSee/${b.id}`, { friendlookme: '1', melookfriend: '0' }, { token: a.token, form: true }))
        .body,
    ).toEqual(ok('ok'));
    expect((await entry(a, b)).body).toEqual(ok(row(a, b, { friendlookme: 1, melookfriend: 0 })));
    expect((await entry(b, a)).body).toEqual(ok(row(b, a)));
    const two = await see(a, b, 2, 1);
    expect(two.status).toBe(422);
    expect(two.body).toEqual(fail(`${FEED_ME} 的值 \`2\` 必须在 [\`0\`、\`1\`] 中`));
    const none = await see(a, b);
    expect(none.status).toBe(422);
    expect(none.body).toEqual(fail(`${FEED_ME}不能为空`));
    // Each flag is checked: leave out one at a time.
    const noMe = await see(a, b, undefined, 1);
    expect(noMe.status).toBe(422);
    expect(noMe.body).toEqual(fail(`${FEED_ME}不能为空`));
    const noFriend = await see(a, b, 1);
    expect(noFriend.status).toBe(422);
    expect(noFriend.body).toEqual(fail(`${FEED_FRIEND}不能为空`));
    const notInt = await see(a, b, 1, 'x');
    expect(notInt.status).toBe(422);
    expect(notInt.body).toEqual(fail(`${FEED_FRIEND} 的值 \`x\` 的类型不是 \`int\``));
    await black(a, b);
    for (const id of [b.id, x.id]) expect((await see(a, id, 1, 1)).body).toEqual(fail(MISSING_OR_BLACK));
  });

  it('E33: removes both entries and every application, so both sides can apply again', async () => {
    const [a, b, x] = await users(h.server, 3);
    await post(b, '/api/chat/applyfriend', { friend_id: a.id });
    await befriend(a, b);
    const res = await remove(x, a);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('不是好友关系，无权操作'));
    await black(a, b);
    expect((await remove(a, b)).body).toEqual(ok('删除好友成功'));
    expect((await entry(b, a)).body).toEqual(fail('不是好友'));
    expect((await black(a, b)).body).toEqual(fail('好友不存在'));
    for (const u of [a, b]) {
      expect((await c().get('/api/chat/goodfriendlist/1', { token: u.token })).body).toEqual(ok({ count: 0, rows: [] }));
      expect((await c().get('/api/chat/listapplyfriend/1', { token: u.token })).body).toEqual(ok({ alldata: [], pendingCount: 0 }));
    }
    expect((await remove(b, a)).body).toEqual(fail('不是好友关系，无权操作'));
    expect((await post(a, '/api/chat/applyfriend', { friend_id: b.id })).body).toEqual(ok('ok'));
    expect((await post(b, '/api/chat/applyfriend', { friend_id: a.id })).body).toEqual(ok('ok'));
    await befriend(x, b);
    expect((await remove(b, x)).body).toEqual(ok('删除好友成功'));
    await befriend(x, b);
    expect((await entry(x, b)).body).toEqual(ok(row(x, b)));
  });

  it('E20: one message before friendship, any number as friends, refused while blacklisted, one-message rule after deletion', async () => {
    const [a, b] = await users(h.server, 2);
    // Both online: in the seed the counter only grows for messages to an online recipient.
    await connect(a);
    const wb = await connect(b);
    expect((await send(a, b, 'first')).status).toBe(200);
    const second = await send(a, b, 'second');
    expect(second.status).toBe(400);
    expect(second.body).toEqual(fail('在成为好友之前，对方只允许向他发一条消息'));
    await befriend(a, b);
    for (let i = 0; i < 5; i++) expect((await send(a, b, `m${i}`)).body.msg).toBe('ok');
    for (let i = 0; i < 3; i++) expect((await send(b, a, `r${i}`)).body.msg).toBe('ok');
    expect((await black(b, a)).body).toEqual(ok('ok'));
    const refused = await send(a, b);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(fail('对方把你拉黑了，不能发送消息'));
    expect((await send(b, a)).status).toBe(200);
    // The blacklist check runs whatever the recipient's chatset allows.
    await post(b, '/api/chat/userset', {
      userset: '{"chatset":{"visitor":{"sendCount":2,"needFollow":false},"user":{"sendCount":2,"needFollow":false}}}',
    });
    expect((await send(a, b)).body).toEqual(fail('对方把你拉黑了，不能发送消息'));
    await post(b, '/api/chat/userset', {
      userset: '{"chatset":{"visitor":{"sendCount":1,"needFollow":false},"user":{"sendCount":1,"needFollow":false}}}',
    });
    expect((await black(b, a)).body).toEqual(ok('ok'));
    expect((await send(a, b, 'back again')).body.data).toMatchObject({ from_id: a.id, to_id: b.id, data: 'back again' });
    expect((await remove(a, b)).body).toEqual(ok('删除好友成功'));
    expect((await send(a, b)).body).toEqual(fail('在成为好友之前，对方只允许向他发一条消息'));
    // B never wrote to A before the friendship; whether B's messages as a friend count is left open, but a second one may not pass.
    await send(b, a, 'after 1');
    expect((await send(b, a, 'after 2')).body).toEqual(fail('在成为好友之前，对方只允许向他发一条消息'));
    await wb.waitChats(7, (m) => m.from_id === a.id);
  });

  it('ownership: a third user acts only on their own rows', async () => {
    const [a, b, x] = await users(h.server, 3);
    const y = await c().register();
    await befriend(a, b);
    await post(y, '/api/chat/applyfriend', { friend_id: b.id });
    const before = [(await entry(a, b)).body, (await entry(b, a)).body];
    for (const target of [a, b]) {
      expect((await c().get(`/api/chat/getgoodfriendinfo/${target.id}`, { token: x.token })).body).toEqual(fail('好友不存在'));
      expect((await black(x, target)).body).toEqual(fail('好友不存在'));
      expect((await star(x, target)).body).toEqual(fail(MISSING_OR_BLACK));
      expect((await see(x, target, 0, 0)).body).toEqual(fail(MISSING_OR_BLACK));
      expect((await entry(x, target)).body).toEqual(fail('不是好友'));
      expect((await remove(x, target)).body).toEqual(fail('不是好友关系，无权操作'));
    }
    // Contact entry ids (E08 `id`) are not user ids: using them reaches nobody's row.
    const rowIds = [before[0].data.id, before[1].data.id] as number[];
    for (const id of rowIds) expect((await black(x, id)).body).toEqual(fail('好友不存在'));
    expect([(await entry(a, b)).body, (await entry(b, a)).body]).toEqual(before);
    // A friend of A's changes only their own entry for A.
    await befriend(x, a);
    expect((await black(x, a)).body).toEqual(ok('ok'));
    expect((await send(a, x)).body).toEqual(fail('对方把你拉黑了，不能发送消息'));
    expect((await send(a, b)).body.msg).toBe('ok');
    expect((await remove(x, a)).body).toEqual(ok('删除好友成功'));
    expect([(await entry(a, b)).body, (await entry(b, a)).body]).toEqual(before);
    // Y's application to B is B's alone: X neither sees, checks nor settles it.
    const applyId = (await c().get('/api/chat/listapplyfriend/1', { token: b.token })).body.data.alldata[0].id;
    expect((await c().get('/api/chat/listapplyfriend/1', { token: x.token })).body).toEqual(ok({ alldata: [], pendingCount: 0 }));
    expect((await post(x, `/api/chat/isApplyfriend/${y.uuid}`)).body).toEqual(fail('用户申请信息不存在'));
    expect((await post(x, `/api/chat/handleapply/${applyId}`, { status: 'agree' })).body).toEqual(fail('申请不存在或已处理'));
    expect((await post(b, `/api/chat/isApplyfriend/${y.uuid}`)).body.data).toMatchObject({ id: applyId, status: 'pending' });
  });

  it('visitor tokens: allowed on the whitelisted friend routes', async () => {
    const [u, t] = await users(h.server, 2);
    const user = await h.server.app.store.users.findById(u.id);
    if (!user) throw new Error('no user');
    const v = { ...u, token: (await h.server.app.services.auth.startSession(user, 'visitor')).token };
    expect((await post(v, '/api/chat/applyfriend', { friend_id: t.id })).body).toEqual(ok('ok'));
    expect((await post(v, '/api/chat/getUserSetInfo', { userid: t.id })).body.data).toMatchObject({ id: t.id, isgoodfriend: false });
    expect((await post(v, `/api/chat/ismygoodfriend/${t.id}`)).body).toEqual(fail('不是好友'));
    expect((await post(v, '/api/chat/autoAddFriendAndAgree', { friend_id: t.id })).body).toEqual(fail('您已经申请过了，请勿重复申请'));
    expect((await post(v, `/api/chat/deletegoodfriend/${t.id}`)).body).toEqual(fail('不是好友关系，无权操作'));
    const t2 = await c().register();
    expect((await post(v, '/api/chat/autoAddFriendAndAgree', { friend_id: t2.id })).body).toEqual(ok('ok'));
    expect((await post(v, `/api/chat/ismygoodfriend/${t2.id}`)).body).toEqual(ok(row(v, t2)));
    expect((await post(v, `/api/chat/deletegoodfriend/${t2.id}`)).body).toEqual(ok('删除好友成功'));
  });

  it('visitor tokens: refused on every other friend route', async () => {
    const [u, t] = await users(h.server, 2);
    await h.server.app.store.users.update(u.id, { role: 'visitor' }, Date.now());
    const user = await h.server.app.store.users.findById(u.id);
    if (!user) throw new Error('no user');
    const token = (await h.server.app.services.auth.startSession(user, 'visitor')).token;
    const calls: [string, string][] = [
      ['POST', '/api/chat/searchUser'],
      ['GET', '/api/chat/listapplyfriend/1'],
      ['POST', '/api/chat/handleapply/1'],
      ['GET', '/api/chat/goodfriendlist/1'],
      ['GET', `/api/chat/getgoodfriendinfo/${t.id}`],
      ['POST', `/api/chat/setblackgoodfriend/${t.id}`],
      ['POST', `/api/chat/setstargoodfriend/${t.id}`],
      ['POST', `/api/chat/setmeOrfriendCanSee/${t.id}`],
      ['POST', `/api/chat/isApplyfriend/${t.uuid}`],
    ];
    for (const [method, path] of calls) {
      const res =
        method === 'GET'
          ? await c().get(path, { token })
          : await c().post(path, { keyword: 'u', status: 'agree', friendlookme: 1, melookfriend: 1 }, { token });
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual(fail(VISITOR_REFUSED));
    }
    // A visitor account (DB role) may still befriend a user at once (E40 does not check roles).
    expect((await c().post('/api/chat/autoAddFriendAndAgree', { friend_id: t.id }, { token })).body).toEqual(ok('ok'));
    expect((await c().post(`/api/chat/ismygoodfriend/${t.id}`, {}, { token })).body.data).toMatchObject({ user_id: u.id, friend_id: t.id });
    expect((await post(t, '/api/chat/getUserSetInfo', { userid: u.id })).body).toEqual(fail('用户不存在或者为游客，无法加为好友'));
  });
});

/**
 * Two users befriending each other at the same moment (each accepts the other's application, or
 * each adds the other at once) are two valid requests: both must succeed with one entry per side.
 */
describeEachDialect('friends: mutual befriending at the same moment (E07, E40)', (h) => {
  const c = () => h.server.client;
  const okBoth = [
    [200, ok('ok')],
    [200, ok('ok')],
  ];
  const answers = (rs: { status: number; body: unknown }[]) => rs.map((r) => [r.status, r.body]);
  const entries = async (a: U, b: U) => [
    (await c().post(`/api/chat/ismygoodfriend/${b.id}`, {}, { token: a.token })).body.data?.friend_id,
    (await c().post(`/api/chat/ismygoodfriend/${a.id}`, {}, { token: b.token })).body.data?.friend_id,
  ];

  it('E40: both add each other at once', async () => {
    for (let i = 0; i < 6; i++) {
      const [a, b] = [await c().register(), await c().register()];
      const rs = await Promise.all([
        c().post('/api/chat/autoAddFriendAndAgree', { friend_id: b.id }, { token: a.token }),
        c().post('/api/chat/autoAddFriendAndAgree', { friend_id: a.id }, { token: b.token }),
      ]);
      expect(answers(rs), `round ${i}`).toEqual(okBoth);
      expect(await entries(a, b)).toEqual([b.id, a.id]);
    }
  });

  it("E07: both agree to the other's application at once", async () => {
    for (let i = 0; i < 6; i++) {
      const [a, b] = [await c().register(), await c().register()];
      await c().post('/api/chat/applyfriend', { friend_id: b.id }, { token: a.token });
      await c().post('/api/chat/applyfriend', { friend_id: a.id }, { token: b.token });
      const idFor = async (u: U) => (await c().get('/api/chat/listapplyfriend/1', { token: u.token })).body.data.alldata[0].id as number;
      const [ia, ib] = [await idFor(a), await idFor(b)];
      const rs = await Promise.all([
        c().post(`/api/chat/handleapply/${ia}`, { status: 'agree' }, { token: a.token }),
        c().post(`/api/chat/handleapply/${ib}`, { status: 'agree' }, { token: b.token }),
      ]);
      expect(answers(rs), `round ${i}`).toEqual(okBoth);
      expect(await entries(a, b)).toEqual([b.id, a.id]);
    }
  });
});
