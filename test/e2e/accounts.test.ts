import { expect, it } from 'vitest';
import { describeEachDialect } from '../helpers/dialects.js';

describeEachDialect('accounts: register and login (E01, E02)', (h) => {
  it('registers, answers every user column but the password, plus a token', async () => {
    const res = await h.server.client.post('/api/regChat', { username: 'reg_user1', password: '123456' });
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    const data = res.body.data;
    expect(data).not.toHaveProperty('password');
    expect(Object.keys(data).sort()).toEqual(
      [
        'id', 'uuid', 'username', 'nickname', 'avatar', 'devicefingeruuid', 'uniplatform', 'devicemodel', 'deviceos',
        'devicebrand', 'userset', 'invite_confirm', 'mobile', 'email', 'status', 'last_login', 'last_login_ip',
        'register_time', 'register_ip', 'is_deleted', 'wechat_openid', 'qq_openid', 'weibo_uid', 'role',
        'is_email_verified', 'is_mobile_verified', 'order', 'create_time', 'update_time', 'token',
      ].sort(),
    );
    expect(data).toMatchObject({ username: 'reg_user1', role: 'user', status: 1, nickname: '', order: 50, invite_confirm: 0 });
    expect(data.create_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(data.update_time).toMatch(/Z$/);
    expect(data.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a taken username with the seed message', async () => {
    await h.server.client.post('/api/regChat', { username: 'dupe_user', password: '123456' });
    const res = await h.server.client.post('/api/regChat', { username: 'dupe_user', password: '654321' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'fail', data: '该账号已存在，请换一个账号注册' });
  });

  it('accepts form bodies and answers 422 in the seed shape', async () => {
    const res = await h.server.client.post('/api/loginChat', { username: 'abc' }, { form: true });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      msg: 'fail',
      data: [
        { key: 'username', desc: '账号', type: 'string', value: 'abc', err: ['账号 的长度 必须 在 4 和 20 之间'] },
        { key: 'password', desc: '密码', type: 'string', err: ['密码不能为空'] },
      ],
    });
  });

  it('logs in and a newer login ends the older session', async () => {
    const c = h.server.client;
    await c.register('login_user', 'secret1');
    const first = await c.post('/api/loginChat', { username: 'login_user', password: 'secret1' });
    expect(first.status).toBe(200);
    const second = await c.post('/api/loginChat', { username: 'login_user', password: 'secret1' });
    expect(second.status).toBe(200);
    const old = await c.post('/api/chat/userset', { userset: '{}' }, { token: first.body.data.token });
    expect(old.body).toEqual({ msg: 'fail', data: 'Token 令牌不合法！' });
    const cur = await c.post('/api/chat/userset', { userset: '{}' }, { token: second.body.data.token });
    expect(cur.body).toEqual({ msg: 'ok', data: 'ok' });
  });
});
