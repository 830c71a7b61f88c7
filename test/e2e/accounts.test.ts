import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { fail } from '../helpers/chat.js';
import { LOGIN_KEYS } from '../helpers/client.js';
import { describeEachDialect } from '../helpers/dialects.js';

/** The JSON claims of a JWT (its middle part). */
const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describeEachDialect('accounts: register and login (E01, E02)', (h) => {
  it('registers, answers every user column but the password, plus a token', async () => {
    const res = await h.server.client.post('/api/regChat', { username: 'reg_user1', password: '123456' });
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    const data = res.body.data;
    expect(data).not.toHaveProperty('password');
    expect(Object.keys(data).sort()).toEqual(LOGIN_KEYS);
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
    expect(res.body).toEqual({ msg: 'fail', data: '账号 的长度 必须 在 4 和 20 之间' });
    // The password is checked from a form body too, once the username is valid.
    const noPassword = await h.server.client.post('/api/loginChat', { username: 'abcd' }, { form: true });
    expect(noPassword.status).toBe(422);
    expect(noPassword.body).toEqual({ msg: 'fail', data: '密码不能为空' });
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

  it('registers from a form body and from the query string alone', async () => {
    const c = h.server.client;
    const form = await c.post('/api/regChat', { username: 'form_user', password: '123456' }, { form: true });
    expect(form.status).toBe(200);
    expect(form.body.data.username).toBe('form_user');
    const query = await c.post('/api/regChat?username=query_user&password=123456');
    expect(query.status).toBe(200);
    expect(query.body.data.username).toBe('query_user');
    const login = await c.post('/api/loginChat?username=query_user&password=123456');
    expect(login.status).toBe(200);
  });

  it('accepts the length bounds: username 4 and 20, password 6 and 20 characters', async () => {
    const c = h.server.client;
    for (const [username, password] of [
      ['b4_x', '123456'],
      ['b20_' + 'x'.repeat(16), 'p'.repeat(20)],
    ] as const) {
      const res = await c.post('/api/regChat', { username, password });
      expect(res.status, username).toBe(200);
      expect(res.body.data.username).toBe(username);
    }
  });

  it('answers 422 for each bad field of regChat', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ password: '123456' }, '账号不能为空'],
      [{ username: '', password: '123456' }, '账号不能为空'],
      [{ username: 'abc', password: '123456' }, '账号 的长度 必须 在 4 和 20 之间'],
      [{ username: 'u'.repeat(21), password: '123456' }, '账号 的长度 必须 在 4 和 20 之间'],
      [{ username: 'bad_pw_1' }, '密码不能为空'],
      [{ username: 'bad_pw_2', password: '' }, '密码不能为空'],
      [{ username: 'bad_pw_3', password: '12345' }, '密码 的长度 必须 在 6 和 20 之间'],
      [{ username: 'bad_pw_4', password: 'p'.repeat(21) }, '密码 的长度 必须 在 6 和 20 之间'],
      // Both missing: the first declared field's message.
      [{}, '账号不能为空'],
    ];
    for (const [body, message] of cases) {
      const res = await h.server.client.post('/api/regChat', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body, JSON.stringify(body)).toEqual(fail(message));
    }
  });

  it('accepts only letters, digits and underscore in a new username', async () => {
    for (const username of ['ab-cd', 'ab cd', 'abc.d', 'abcd!', '用户名字', 'naïve_1', 'emoji😀x']) {
      for (const form of [false, true]) {
        const res = await h.server.client.post('/api/regChat', { username, password: '123456' }, { form });
        expect(res.status, username).toBe(422);
        expect(res.body, username).toEqual(fail('账号 只能包含字母、数字和下划线'));
      }
    }
    const ok = await h.server.client.post('/api/regChat', { username: 'Az_09_zA', password: '123456' });
    expect(ok.status).toBe(200);
  });

  it('never answers the password or its hash', async () => {
    const c = h.server.client;
    const plain = 'Pw_never_shown';
    const reg = await c.post('/api/regChat', { username: 'secret_user', password: plain });
    const login = await c.post('/api/loginChat', { username: 'secret_user', password: plain });
    const stored = (await h.server.app.store.users.findByUsername('secret_user'))?.password ?? '';
    expect(stored).not.toBe('');
    for (const res of [reg, login]) {
      expect(res.status).toBe(200);
      expect(res.body.data).not.toHaveProperty('password');
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(plain);
      expect(text).not.toContain(stored);
      expect(text).not.toContain('scrypt$');
      const claims = claimsOf(res.body.data.token);
      expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'role', 'sid', 'sub', 'uuid']);
    }
  });

  it('logs in: answers the user and a token, and updates last_login', async () => {
    const c = h.server.client;
    const reg = await c.register('last_login_u', '123456');
    const before = Date.now();
    const res = await c.post('/api/loginChat', { username: 'last_login_u', password: '123456' });
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
    expect(res.body.data).toMatchObject({ id: reg.id, uuid: reg.uuid, username: 'last_login_u', role: 'user', status: 1 });
    expect(res.body.data.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(res.body.data.token).not.toBe(reg.token);
    const lastLogin = Date.parse(res.body.data.last_login);
    expect(res.body.data.last_login).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lastLogin).toBeGreaterThanOrEqual(before - 1000);
    expect(lastLogin).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await h.server.app.store.users.findById(reg.id))?.last_login).toBe(lastLogin);
  });

  it('refuses unknown, disabled (0) and locked (2) accounts alike, and a wrong password', async () => {
    const c = h.server.client;
    const unknown = await c.post('/api/loginChat', { username: 'nobody_here', password: '123456' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(fail('账号不存在或者被禁用'));

    for (const status of [0, 2]) {
      const u = await c.register(`status_${status}_user`, '123456');
      await h.server.app.store.users.update(u.id, { status }, Date.now());
      const res = await c.post('/api/loginChat', { username: `status_${status}_user`, password: '123456' });
      expect(res.status, `status ${status}`).toBe(400);
      expect(res.body, `status ${status}`).toEqual(fail('账号不存在或者被禁用'));
    }

    await c.register('wrong_pw_user', '123456');
    const wrong = await c.post('/api/loginChat', { username: 'wrong_pw_user', password: '1234567' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual(fail('账户或密码错误'));
  });

  it('checks only the length of a login username (older names may hold other characters)', async () => {
    const res = await h.server.client.post('/api/loginChat', { username: 'no-such.user', password: '123456' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('账号不存在或者被禁用'));
  });

  it('verifies a legacy SHA-256 password once and replaces it with a salted hash', async () => {
    const c = h.server.client;
    const u = await c.register('legacy_user', 'initial1');
    const legacy = createHash('sha256').update('legacy-pw').digest('hex');
    await h.server.app.store.users.update(u.id, { password: legacy }, Date.now());
    const res = await c.post('/api/loginChat', { username: 'legacy_user', password: 'legacy-pw' });
    expect(res.status).toBe(200);
    const stored = (await h.server.app.store.users.findById(u.id))?.password ?? '';
    expect(stored).toMatch(/^scrypt\$/);
    const again = await c.post('/api/loginChat', { username: 'legacy_user', password: 'legacy-pw' });
    expect(again.status).toBe(200);
  });

  // MySQL collations ignore trailing spaces in comparisons; the lookup insists on an exact match.
  it('does not log in to an account whose name is the given one without trailing spaces', async () => {
    const c = h.server.client;
    await c.register('pad_user', '123456');
    const res = await c.post('/api/loginChat', { username: 'pad_user  ', password: '123456' });
    expect(res.body.data?.username, 'logged in as another account').toBeUndefined();
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('账号不存在或者被禁用'));
  });
});

describeEachDialect(
  'accounts: per-address limit on registrations',
  (h) => {
    it('refuses registrations past REGISTER_MAX_PER_IP_HOUR from one address, visitor upgrades included (429)', async () => {
      expect((await h.server.client.post('/api/regChat', { username: 'limit_one', password: '123456' })).status).toBe(200);
      expect((await h.server.client.post('/api/regChat', { username: 'limit_two', password: '123456' })).status).toBe(200);
      const third = await h.server.client.post('/api/regChat', { username: 'limit_three', password: '123456' });
      expect(third.status).toBe(429);
      expect(third.body).toEqual(fail('注册过于频繁，请1个小时后再试'));
      expect(await h.server.app.store.users.findByUsername('limit_three')).toBeUndefined();
      // logging in is not registering
      expect((await h.server.client.post('/api/loginChat', { username: 'limit_one', password: '123456' })).status).toBe(200);
    });
  },
  { env: { REGISTER_MAX_PER_IP_HOUR: '2' } },
);
