import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { fail, ok, USER_AVATAR } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';

/** E16 public profile, E18 userset, E34 updateUserinfo (spec §8.7). */

describeEachDialect('public profile (E16)', (h) => {
  it('answers the public profile without a token, in the seed shape', async () => {
    const u = await h.server.client.register('profile_user');
    const res = await h.server.client.get(`/api/userinfo/${u.uuid}`);
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    const data = res.body.data;
    expect(Object.keys(data).sort()).toEqual(['avatar', 'id', 'nickname', 'role', 'userinfo', 'username', 'userset', 'uuid']);
    expect(Object.keys(data.userinfo).sort()).toEqual(['bio', 'birthday', 'gender', 'id', 'location', 'website']);
    expect(data).toEqual({
      id: u.id,
      uuid: u.uuid,
      username: 'profile_user',
      nickname: '',
      avatar: USER_AVATAR,
      role: 'user',
      userset: '',
      userinfo: { id: expect.any(Number), gender: 'unknown', birthday: null, bio: null, location: null, website: null },
    });
  });

  it('ignores a token, even a bad one', async () => {
    const u = await h.server.client.register();
    const res = await h.server.client.get(`/api/userinfo/${u.uuid}`, { token: 'garbage' });
    expect(res.status).toBe(200);
    expect(res.body.data.uuid).toBe(u.uuid);
  });

  it('answers data null for an unknown uuid and for disabled or locked users', async () => {
    const unknown = await h.server.client.get(`/api/userinfo/${randomUUID()}`);
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(ok(null));
    for (const status of [0, 2]) {
      const u = await h.server.client.register();
      await h.server.app.store.users.update(u.id, { status }, Date.now());
      const res = await h.server.client.get(`/api/userinfo/${u.uuid}`);
      expect(res.status, `status ${status}`).toBe(200);
      expect(res.body, `status ${status}`).toEqual(ok(null));
    }
  });

  it('answers 422 for a uuid that is not 36 characters long', async () => {
    for (const uuid of ['x'.repeat(35), 'x'.repeat(37), 'abc']) {
      const res = await h.server.client.get(`/api/userinfo/${uuid}`);
      expect(res.status, uuid).toBe(422);
      expect(res.body, uuid).toEqual(fail('uuid值 的长度 必须 在 36 和 36 之间'));
    }
  });
});

describeEachDialect('userset (E18)', (h) => {
  it('stores the text verbatim and answers "ok"', async () => {
    const u = await h.server.client.register();
    const texts = [
      '{"chatset":{"visitor":{"sendCount":0,"needFollow":false},"user":{"sendCount":2,"needFollow":false}}}',
      '{"chatset":{"visitor":0,"user":0}}',
      'not json at all, 中文 😀 "quotes" \\ backslash',
      'ab',
    ];
    for (const text of texts) {
      const res = await h.server.client.post('/api/chat/userset', { userset: text }, { token: u.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(ok('ok'));
      expect((await h.server.client.get(`/api/userinfo/${u.uuid}`)).body.data.userset).toBe(text);
    }
  });

  it('answers 422 for a text shorter than 2 characters or missing', async () => {
    const u = await h.server.client.register();
    const short = await h.server.client.post('/api/chat/userset', { userset: 'x' }, { token: u.token });
    expect(short.status).toBe(422);
    expect(short.body).toEqual(fail('用户设置 的长度 必须 在 2 和 10000 之间'));
    for (const body of [{}, { userset: '' }]) {
      const res = await h.server.client.post('/api/chat/userset', body, { token: u.token });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(fail('用户设置不能为空'));
    }
  });
});

describeEachDialect('updateUserinfo (E34)', (h) => {
  const update = (token: string, fieldname: unknown, fieldValue: unknown) =>
    h.server.client.post('/api/chat/updateUserinfo', { fieldname, fieldValue }, { token });
  const profile = async (uuid: string) => (await h.server.client.get(`/api/userinfo/${uuid}`)).body.data;

  it('refuses to change the username', async () => {
    const u = await h.server.client.register();
    const res = await update(u.token, 'username', 'new_name_1');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('账号不可修改'));
    expect((await profile(u.uuid)).username).toBe(u.username);
  });

  it('changes the nickname up to 30 characters, counting CJK and emoji as one each', async () => {
    const u = await h.server.client.register();
    const allowed = ['n'.repeat(30), '昵'.repeat(30), '😀'.repeat(30), '中😀a'.repeat(10)];
    for (const nickname of allowed) {
      const res = await update(u.token, 'nickname', nickname);
      expect(res.status, nickname).toBe(200);
      expect(res.body, nickname).toEqual(ok('修改昵称成功'));
      expect((await profile(u.uuid)).nickname).toBe(nickname);
    }
    for (const nickname of ['n'.repeat(31), '昵'.repeat(31), '😀'.repeat(31), '中😀a'.repeat(10) + 'b']) {
      const res = await update(u.token, 'nickname', nickname);
      expect(res.status, nickname).toBe(400);
      expect(res.body, nickname).toEqual(fail('昵称长度不能超过30个字符'));
    }
    expect((await profile(u.uuid)).nickname).toBe(allowed[3]);
  });

  it('changes the avatar up to 1000 characters', async () => {
    const u = await h.server.client.register();
    const url = (n: number) => `https://example.com/${'a'.repeat(n - 20)}`;
    expect(url(1000)).toHaveLength(1000);
    const res = await update(u.token, 'avatar', url(1000));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(ok('头像更新成功'));
    expect((await profile(u.uuid)).avatar).toBe(url(1000));
    const long = await update(u.token, 'avatar', url(1001));
    expect(long.status).toBe(400);
    expect(long.body).toEqual(fail('头像地址过长不能超过1000个字符'));
    expect((await profile(u.uuid)).avatar).toBe(url(1000));
  });

  it('sets invite_confirm to 0 or 1 only, from text or JSON numbers', async () => {
    const c = h.server.client;
    const u = await c.register(undefined, 'pw_12345');
    const inviteConfirm = async () => {
      const res = await c.post('/api/loginChat', { username: u.username, password: 'pw_12345' });
      u.token = res.body.data.token;
      return res.body.data.invite_confirm as number;
    };
    for (const [value, stored] of [
      ['1', 1],
      ['0', 0],
      [1, 1],
      [0, 0],
    ] as const) {
      const res = await update(u.token, 'invite_confirm', value);
      expect(res.status, String(value)).toBe(200);
      expect(res.body, String(value)).toEqual(ok('设置成功'));
      expect(await inviteConfirm()).toBe(stored);
    }
    for (const value of ['2', 2, '-1', 'yes', '01']) {
      const res = await update(u.token, 'invite_confirm', value);
      expect(res.status, String(value)).toBe(400);
      expect(res.body, String(value)).toEqual(fail('添加我为好友设置值错误'));
    }
    expect(await inviteConfirm()).toBe(0);
  });

  it('accepts numbers as fieldValue in JSON', async () => {
    const u = await h.server.client.register();
    const res = await update(u.token, 'nickname', 12345);
    expect(res.body).toEqual(ok('修改昵称成功'));
    expect((await profile(u.uuid)).nickname).toBe('12345');
  });

  it('answers "" for an unknown field and changes nothing', async () => {
    const u = await h.server.client.register();
    const before = await profile(u.uuid);
    for (const field of ['gender', 'password', 'status', 'role', 'Nickname']) {
      const res = await update(u.token, field, '1');
      expect(res.status, field).toBe(200);
      expect(res.body, field).toEqual(ok(''));
    }
    expect(await profile(u.uuid)).toEqual(before);
    const login = await h.server.client.post('/api/loginChat', { username: u.username, password: '123456' });
    expect(login.body.data).toMatchObject({ status: 1, role: 'user' });
  });

  it('answers 422 for a missing or too long fieldname and a missing fieldValue', async () => {
    const u = await h.server.client.register();
    const missing = await h.server.client.post('/api/chat/updateUserinfo', { fieldValue: '' }, { token: u.token });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual(fail('修改类型不能为空'));
    // Each field is checked: leave out one at a time.
    const noName = await h.server.client.post('/api/chat/updateUserinfo', { fieldValue: 'x' }, { token: u.token });
    expect(noName.status).toBe(422);
    expect(noName.body).toEqual(fail('修改类型不能为空'));
    const noValue = await h.server.client.post('/api/chat/updateUserinfo', { fieldname: 'nickname', fieldValue: '' }, { token: u.token });
    expect(noValue.status).toBe(422);
    expect(noValue.body).toEqual(fail('修改结果不能为空'));
    const long = await update(u.token, 'f'.repeat(31), 'x');
    expect(long.status).toBe(422);
    expect(long.body).toEqual(fail('修改类型 的长度 必须 在 1 和 30 之间'));
  });

  it('answers "user not found" to a locked user (status 2), who passes auth', async () => {
    const u = await h.server.client.register();
    await h.server.app.store.users.update(u.id, { status: 2 }, Date.now());
    const res = await update(u.token, 'nickname', 'locked');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('用户不存在，无法修改信息'));
  });

  it('accepts form bodies', async () => {
    const u = await h.server.client.register();
    const res = await h.server.client.post(
      '/api/chat/updateUserinfo',
      { fieldname: 'nickname', fieldValue: '表单昵称' },
      { token: u.token, form: true },
    );
    expect(res.body).toEqual(ok('修改昵称成功'));
    expect((await profile(u.uuid)).nickname).toBe('表单昵称');
  });
});
