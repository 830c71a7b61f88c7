import { expect, it } from 'vitest';
import { fail } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';

/** E41 POST /api/chat/setPassword. */

describeEachDialect('setPassword (E41)', (h) => {
  const change = (token: string, body: Record<string, unknown>) => h.server.client.post('/api/chat/setPassword', body, { token });
  const login = (username: string, password: string) => h.server.client.post('/api/loginChat', { username, password });

  it('refuses a confirmation that differs from the new password', async () => {
    const u = await h.server.client.register(undefined, 'old_pw_1');
    const res = await change(u.token, { oldpassword: 'old_pw_1', newpassword: 'new_pw_1', checknewpassword: 'new_pw_2' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('新密码与确认新密码不一致'));
    expect((await login(u.username, 'old_pw_1')).status).toBe(200);
  });

  it('checks the confirmation before the old password', async () => {
    const u = await h.server.client.register(undefined, 'old_pw_1');
    const res = await change(u.token, { oldpassword: 'not-the-old', newpassword: 'new_pw_1', checknewpassword: 'new_pw_2' });
    expect(res.body).toEqual(fail('新密码与确认新密码不一致'));
  });

  it('refuses a wrong old password', async () => {
    const u = await h.server.client.register(undefined, 'old_pw_1');
    const res = await change(u.token, { oldpassword: 'old_pw_2', newpassword: 'new_pw_1', checknewpassword: 'new_pw_1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('原始密码错误，无法修改密码'));
    expect((await login(u.username, 'new_pw_1')).body).toEqual(fail('账户或密码错误'));
  });

  it('answers 422 for missing fields and a new password outside 6–20 characters', async () => {
    const u = await h.server.client.register(undefined, 'old_pw_1');
    const missing = await change(u.token, { newpassword: '' });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual(fail('原始密码不能为空'));
    // Each field is checked: leave out one at a time.
    const fields: [string, string][] = [
      ['oldpassword', '原始密码不能为空'],
      ['newpassword', '新密码不能为空'],
      ['checknewpassword', '确认新密码不能为空'],
    ];
    for (const [key, message] of fields) {
      const body: Record<string, unknown> = { oldpassword: 'old_pw_1', newpassword: 'new_pw_1', checknewpassword: 'new_pw_1', [key]: '' };
      const res = await change(u.token, body);
      expect(res.status, key).toBe(422);
      expect(res.body, key).toEqual(fail(message));
    }
    for (const pw of ['12345', 'x'.repeat(21)]) {
      const res = await change(u.token, { oldpassword: 'old_pw_1', newpassword: pw, checknewpassword: pw });
      expect(res.status, pw).toBe(422);
      expect(res.body, pw).toEqual(fail('新密码 的长度 必须 在 6 和 20 之间'));
    }
    expect((await login(u.username, 'old_pw_1')).status).toBe(200);
  });

  it('changes the password: the new one logs in, the old one fails, the caller keeps its session', async () => {
    const c = h.server.client;
    const u = await c.register(undefined, 'old_pw_1');
    const res = await change(u.token, { oldpassword: 'old_pw_1', newpassword: 'new_pw_1', checknewpassword: 'new_pw_1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'ok', data: '修改密码成功' });

    const still = await c.post('/api/chat/userset', { userset: '{}' }, { token: u.token });
    expect(still.body).toEqual({ msg: 'ok', data: 'ok' });

    const old = await login(u.username, 'old_pw_1');
    expect(old.status).toBe(400);
    expect(old.body).toEqual(fail('账户或密码错误'));
    const fresh = await login(u.username, 'new_pw_1');
    expect(fresh.status).toBe(200);
    expect(fresh.body.data.username).toBe(u.username);
    expect(JSON.stringify(fresh.body)).not.toContain('new_pw_1');
  });

  it('answers "user not found" to a locked user (status 2), who passes auth', async () => {
    const u = await h.server.client.register(undefined, 'old_pw_1');
    await h.server.app.store.users.update(u.id, { status: 2 }, Date.now());
    const res = await change(u.token, { oldpassword: 'old_pw_1', newpassword: 'new_pw_1', checknewpassword: 'new_pw_1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(fail('用户不存在，无法修改密码'));
  });

  it('accepts new passwords of exactly 6 and 20 characters, sent as a form', async () => {
    const c = h.server.client;
    const u = await c.register(undefined, 'old_pw_1');
    let current = 'old_pw_1';
    for (const pw of ['six_6x', 'twenty_chars_pw_2020']) {
      const res = await c.post(
        '/api/chat/setPassword',
        { oldpassword: current, newpassword: pw, checknewpassword: pw },
        { token: u.token, form: true },
      );
      expect(res.body, pw).toEqual({ msg: 'ok', data: '修改密码成功' });
      current = pw;
    }
    expect((await login(u.username, 'twenty_chars_pw_2020')).status).toBe(200);
  });
});
