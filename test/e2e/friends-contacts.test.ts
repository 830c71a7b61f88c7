import { expect, it } from 'vitest';
import { fail, ok, setNickname, USER_AVATAR, users, type Any, type Account as U } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';

/** Finding users (E04), the contact list (E08), a friend's profile (E09), has X applied to me (E17), friend-add settings (E39). */
const NOT_ADDABLE = '用户不存在或者为游客，无法加为好友';

describeEachDialect('friends: search, contacts, profile, applied?, add settings (E04, E08, E09, E17, E39)', (h) => {
  const c = () => h.server.client;
  const store = () => h.server.app.store;
  const search = (me: U, keyword?: string) => c().post('/api/chat/searchUser', { keyword }, { token: me.token });
  const names = (res: Any): string[] => res.body.data.map((u: Any) => u.username);
  const contacts = (me: U, page: unknown = 1, query = '') =>
    c().get(`/api/chat/goodfriendlist/${String(page)}${query}`, { token: me.token });
  const flat = (res: Any) => (Array.isArray(res.body.data.rows) ? [] : res.body.data.rows.newList.flatMap((g: Any) => g.list));
  const autoAdd = (me: U, other: U) => c().post('/api/chat/autoAddFriendAndAgree', { friend_id: other.id }, { token: me.token });
  /** `other` applies to me and I agree, giving them `remark` (my entry for them). */
  const befriendWithRemark = async (me: U, other: U, remark: string) => {
    await c().post('/api/chat/applyfriend', { friend_id: me.id }, { token: other.token });
    const id = (await c().get('/api/chat/listapplyfriend/1', { token: me.token })).body.data.alldata[0].id;
    expect((await c().post(`/api/chat/handleapply/${id}`, { status: 'agree', nickname: remark }, { token: me.token })).body).toEqual(
      ok('ok'),
    );
  };
  const black = (me: U, other: U) => c().post(`/api/chat/setblackgoodfriend/${other.id}`, {}, { token: me.token });
  const setInfo = (me: U, userid: unknown) => c().post('/api/chat/getUserSetInfo', { userid }, { token: me.token });

  it('E04: matches usernames case-insensitively, without the caller, visitors, disabled or locked users', async () => {
    const [me, mixed, plain, vis, off, locked] = [
      await c().register('srchAlphaMe'),
      await c().register('SrchAlpha1'),
      await c().register('xsrchalpha2'),
      await c().register('srchalphaV'),
      await c().register('srchalphaD'),
      await c().register('srchalphaL'),
    ];
    await store().users.update(vis.id, { role: 'visitor' }, Date.now());
    await store().users.update(off.id, { status: 0 }, Date.now());
    await store().users.update(locked.id, { status: 2 }, Date.now());
    await setNickname(h.server, mixed, '混合');
    const res = await search(me, 'SRCHALPHA');
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    expect(names(res).sort()).toEqual(['SrchAlpha1', 'xsrchalpha2']);
    const item = res.body.data.find((u: Any) => u.id === mixed.id);
    expect(item).toEqual({ id: mixed.id, username: 'SrchAlpha1', avatar: USER_AVATAR, role: 'user', uuid: mixed.uuid, nickname: '混合' });
    expect(names(await search(plain, 'srchalpha')).sort()).toEqual(['SrchAlpha1', 'srchAlphaMe']);
    expect(names(await search(me, 'alpha1'))).toEqual(['SrchAlpha1']);
  });

  it('E04: an exact match comes first', async () => {
    const me = await c().register();
    for (const n of ['aqkexact', 'qkexact1', 'qkexact_zz']) await c().register(n);
    const exact = await c().register('qkexact');
    for (const kw of ['qkexact', 'QKEXACT', 'QkExAcT']) {
      const res = await search(me, kw);
      expect(names(res).sort(), kw).toEqual(['aqkexact', 'qkexact', 'qkexact1', 'qkexact_zz']);
      expect(res.body.data[0].id, kw).toBe(exact.id);
    }
  });

  it('E04: % and _ in the keyword are literal characters, not wildcards', async () => {
    const me = await c().register();
    await c().register('lit_x9q');
    await c().register('litYx9q');
    expect(names(await search(me, 't_x9q'))).toEqual(['lit_x9q']);
    expect(names(await search(me, '_'))).not.toContain('litYx9q');
    expect((await search(me, '%')).body).toEqual(ok([]));
    expect(await search(me, '%%')).toMatchObject({ status: 200, body: ok([]) });
    // Older accounts may hold any character; rename two to check the escaping itself.
    const [pct, bang, back] = [await c().register('legacy_p'), await c().register('legacy_b'), await c().register('legacy_s')];
    await store().users.update(pct.id, { username: 'pc%nt1' }, Date.now());
    await store().users.update(bang.id, { username: 'ba!ng1' }, Date.now());
    await store().users.update(back.id, { username: 'ba\\ck1' }, Date.now());
    await c().register('pcXXnt1');
    expect(names(await search(me, '%'))).toEqual(['pc%nt1']);
    expect(names(await search(me, 'c%n'))).toEqual(['pc%nt1']);
    expect(names(await search(me, '!'))).toEqual(['ba!ng1']);
    expect(names(await search(me, 'a!n'))).toEqual(['ba!ng1']);
    expect(names(await search(me, '\\'))).toEqual(['ba\\ck1']);
    expect(names(await search(me, 'a\\c'))).toEqual(['ba\\ck1']);
  });

  it('E04: answers at most 50 matches, the exact match first (the search is bounded)', async () => {
    const me = await c().register();
    for (let i = 0; i < 51; i++) await c().register(`many_kw_${i}`);
    await c().register('many_kw');
    const found = (await search(me, 'MANY_KW')).body.data;
    expect(found, 'bounded to 50').toHaveLength(50);
    expect(found[0].username).toBe('many_kw');
  });

  it('E04: nothing found is []; an empty or 51-character keyword is a 422', async () => {
    const me = await c().register();
    expect((await search(me, 'nobody_has_this_name')).body).toEqual(ok([]));
    expect((await search(me, 'z'.repeat(50))).body).toEqual(ok([]));
    for (const kw of ['张三', '😀', "'; drop table user; --"]) expect((await search(me, kw)).body, kw).toEqual(ok([]));
    for (const kw of [undefined, '']) {
      const res = await search(me, kw);
      expect(res.status).toBe(422);
      expect(res.body).toEqual(fail('搜索关键词不能为空'));
    }
    const long = await search(me, 'k'.repeat(51));
    expect(long.status).toBe(422);
    expect(long.body).toEqual(fail('搜索关键词 的长度 必须 在 1 和 50 之间'));
  });

  it('E08: no friends is {count: 0, rows: []}', async () => {
    const me = await c().register();
    const res = await contacts(me);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(ok({ count: 0, rows: [] }));
  });

  it('E08: groups by the initial of remark, else nickname, else username; # last', async () => {
    const me = await c().register();
    const spec: [nickname: string, remark?: string][] = [
      ['张三'],
      ['bob'],
      ['阿莉'],
      ['123'],
      ['Bill'],
      ['😀smile'],
      ['(paren'],
      ['Yolanda', '老李'],
      ['[sq'],
      ['*star'],
      ['\\back'],
      [''],
      ['尔'],
    ];
    const friends: U[] = [];
    for (const [nickname, remark] of spec) {
      const f = await c().register(nickname === '' ? 'zulu_nonick' : undefined);
      if (nickname) await setNickname(h.server, f, nickname);
      if (remark) await befriendWithRemark(me, f, remark);
      else expect((await autoAdd(me, f)).body).toEqual(ok('ok'));
      friends.push(f);
    }
    const res = await contacts(me);
    expect(res.status).toBe(200);
    const { count, rows } = res.body.data;
    expect(count).toBe(spec.length);
    // as the original: rows.total counts the letter groups, count the friends
    expect(rows.total).toBe(rows.indexList.length);
    expect(rows.indexList).toEqual(['A', 'B', 'E', 'L', 'Z', '#']);
    expect(rows.newList.map((g: Any) => g.title)).toEqual(rows.indexList);
    const byTitle = Object.fromEntries(rows.newList.map((g: Any) => [g.title, g.list.map((x: Any) => x.name)]));
    expect(byTitle).toEqual({
      A: ['阿莉'],
      B: ['bob', 'Bill'],
      E: ['尔'],
      L: ['老李'],
      Z: ['张三', 'zulu_nonick'],
      '#': ['123', '😀smile', '(paren', '[sq', '*star', '\\back'],
    });
    const li = rows.newList.find((g: Any) => g.title === 'L').list[0];
    const yolanda = friends[7] as U;
    const entry = (await c().post(`/api/chat/ismygoodfriend/${yolanda.id}`, {}, { token: me.token })).body.data;
    expect(li).toEqual({
      id: entry.id,
      beizhu: '老李',
      username: yolanda.username,
      avatar: USER_AVATAR,
      friend_nickname: 'Yolanda',
      friend_id: yolanda.id,
      name: '老李',
      uuid: yolanda.uuid,
    });
    const zulu = rows.newList.find((g: Any) => g.title === 'Z').list[1];
    expect(zulu).toMatchObject({ beizhu: '', friend_nickname: '', username: 'zulu_nonick', name: 'zulu_nonick' });
  });

  it('E08: lists blacklisted friends; count is the rows on the page; bad limits mean the default', async () => {
    const me = await c().register();
    const fs = await users(h.server, 3);
    for (const f of fs) await autoAdd(me, f);
    expect((await black(me, fs[1] as U)).body).toEqual(ok('ok'));
    expect((await black(fs[2] as U, me)).body).toEqual(ok('ok'));
    const ids = (res: Any) => flat(res).map((x: Any) => x.friend_id);
    expect(ids(await contacts(me)).sort()).toEqual(fs.map((f) => f.id).sort());
    const p1 = await contacts(me, 1, '?limit=2');
    const p2 = await contacts(me, 2, '?limit=2');
    expect([p1.body.data.count, p2.body.data.count]).toEqual([2, 1]);
    expect([...ids(p1), ...ids(p2)].sort()).toEqual(fs.map((f) => f.id).sort());
    expect((await contacts(me, 3, '?limit=2')).body).toEqual(ok({ count: 0, rows: [] }));
    for (const q of ['?limit=0', '?limit=x', '?limit=-1']) expect((await contacts(me, 1, q)).body.data.count, q).toBe(3);
    const zero = await contacts(me, 0);
    expect(zero.status).toBe(422);
    expect(zero.body).toEqual(fail('页码 的数值 必须 在 1 和 10000000000000000 之间'));
    const x = await contacts(me, 'x');
    expect(x.status).toBe(422);
    expect(x.body).toEqual(fail('页码 的值 `x` 的类型不是 `int`'));
  });

  it('E09: my entry and the friend profile, also when blacklisted; otherwise 好友不存在', async () => {
    const [me, f, x] = await users(h.server, 3);
    await setNickname(h.server, f, '朋友');
    await befriendWithRemark(me, f, '备注名');
    const info = (u: U, id: unknown) => c().get(`/api/chat/getgoodfriendinfo/${String(id)}`, { token: u.token });
    const entry = (await c().post(`/api/chat/ismygoodfriend/${f.id}`, {}, { token: me.token })).body.data;
    const expected = ok({
      id: entry.id,
      user_id: me.id,
      friend_id: f.id,
      nickname: '备注名',
      friendinfo: {
        id: f.id,
        username: f.username,
        avatar: USER_AVATAR,
        nickname: '朋友',
        role: 'user',
        status: 1,
        userinfo: { id: expect.any(Number), gender: 'unknown', birthday: null, bio: null, location: null, website: null },
      },
    });
    expect((await info(me, f.id)).body).toEqual(expected);
    await black(me, f);
    expect((await info(me, f.id)).body).toEqual(expected);
    await store().users.update(f.id, { status: 0 }, Date.now());
    expect((await info(me, f.id)).body.data.friendinfo.status).toBe(0);
    for (const [who, id] of [
      [me, x.id],
      [me, 2_000_000],
      [x, f.id],
      [x, me.id],
    ] as const) {
      const res = await info(who, id);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail('好友不存在'));
    }
    const bad = await info(me, 'x');
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual(fail('好友id 的值 `x` 的类型不是 `int`'));
  });

  it('E17: the pending application from a user, without order and times', async () => {
    const [a, b, x, off] = await users(h.server, 4);
    await c().post('/api/chat/applyfriend', { friend_id: b.id, nickname: '你好' }, { token: a.token });
    await c().post('/api/chat/applyfriend', { friend_id: b.id }, { token: off.token });
    const id = (await c().get('/api/chat/listapplyfriend/1', { token: b.token })).body.data.alldata.find((r: Any) => r.user_id === a.id).id;
    const is = (me: U, uuid: string) => c().post(`/api/chat/isApplyfriend/${uuid}`, {}, { token: me.token });
    expect((await is(b, a.uuid)).body).toEqual(
      ok({
        id,
        user_id: a.id,
        friend_id: b.id,
        nickname: '你好',
        friendlookme: 1,
        melookfriend: 1,
        ismystarfriend: 0,
        isblack: 0,
        status: 'pending',
        userId: a.id,
      }),
    );
    const unknown = await is(b, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(fail('用户不存在'));
    await store().users.update(off.id, { status: 0 }, Date.now());
    expect((await is(b, off.uuid)).body).toEqual(fail('用户不存在'));
    for (const [me, who] of [
      [b, x],
      [a, b],
      [x, a],
    ] as const)
      expect((await is(me, who.uuid)).body).toEqual(fail('用户申请信息不存在'));
    const short = await is(b, a.uuid.slice(1));
    expect(short.status).toBe(422);
    expect(short.body).toEqual(fail('uuid值 的长度 必须 在 36 和 36 之间'));
    await c().post(`/api/chat/handleapply/${id}`, { status: 'agree' }, { token: b.token });
    expect((await is(b, a.uuid)).body).toEqual(fail('用户申请信息不存在'));
  });

  it("E39: the target's settings and whether their entry for me exists and is usable", async () => {
    const [me, t] = await users(h.server, 2);
    const base = { id: t.id, userset: '', invite_confirm: 0, uuid: t.uuid };
    // no friendship: the status reads "normal", as the original answers
    expect((await setInfo(me, t.id)).body).toEqual(ok({ ...base, isgoodfriend: false, isgoodfriend_status: true }));
    const userset = '{"chatset":{"visitor":{"sendCount":0,"needFollow":false},"user":{"sendCount":2,"needFollow":false}}}';
    expect((await c().post('/api/chat/userset', { userset }, { token: t.token })).body).toEqual(ok('ok'));
    await c().post('/api/chat/updateUserinfo', { fieldname: 'invite_confirm', fieldValue: '1' }, { token: t.token });
    const set = { ...base, userset, invite_confirm: 1 };
    expect((await setInfo(me, t.id)).body).toEqual(ok({ ...set, isgoodfriend: false, isgoodfriend_status: true }));
    await befriendWithRemark(t, me, '');
    expect((await setInfo(me, t.id)).body).toEqual(ok({ ...set, isgoodfriend: true, isgoodfriend_status: true }));
    await black(me, t);
    expect((await setInfo(me, t.id)).body.data.isgoodfriend_status).toBe(true);
    await black(t, me);
    expect((await setInfo(me, t.id)).body).toEqual(ok({ ...set, isgoodfriend: true, isgoodfriend_status: false }));
  });

  it('E39: refuses visitors, unknown, disabled users; 422 without userid', async () => {
    const [me, vis, off] = await users(h.server, 3);
    await store().users.update(vis.id, { role: 'visitor' }, Date.now());
    await store().users.update(off.id, { status: 0 }, Date.now());
    for (const id of [vis.id, off.id, 2_000_000]) {
      const res = await setInfo(me, id);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(fail(NOT_ADDABLE));
    }
    expect((await setInfo(me, me.id)).body.data).toMatchObject({ id: me.id, isgoodfriend: false });
    const none = await setInfo(me, undefined);
    expect(none.status).toBe(422);
    expect(none.body).toEqual(fail('用户id不能为空'));
  });
});
