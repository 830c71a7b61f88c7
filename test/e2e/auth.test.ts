import { SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { fail, OK } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { TEST_SECRET } from '../helpers/server.js';

/** Token and session rules of the auth middleware (spec §1.6, §2), E03 logout, the visitor whitelist. */
const MISSING = fail('您没有权限访问即时通讯接口');
const INVALID = fail('Token 令牌不合法！');
const DISABLED = fail('当前用户不存在或者已被禁用');
const VISITOR = fail('您没有权限访问，请先注册或登录');

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

const sign = (claims: Record<string, unknown>, secret: string, sub: string) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));

describeEachDialect('auth: tokens and sessions (§1.6, §2, E03)', (h) => {
  const userset = (
    token: string | undefined,
    extra: { form?: boolean; headers?: Record<string, string>; path?: string; body?: object } = {},
  ) =>
    h.server.client.post(
      extra.path ?? '/api/chat/userset',
      { userset: '{"a":1}', ...extra.body },
      {
        ...(token === undefined ? {} : { token }),
        ...(extra.form ? { form: true } : {}),
        ...(extra.headers ? { headers: extra.headers } : {}),
      },
    );

  it('takes the token from the header, the query, the body (JSON or form) and Authorization: Bearer', async () => {
    const { token } = await h.server.client.register();
    const ways = [
      ['header token', userset(token)],
      ['query token', userset(undefined, { path: `/api/chat/userset?token=${encodeURIComponent(token)}` })],
      ['JSON body token', userset(undefined, { body: { token } })],
      ['form body token', userset(undefined, { form: true, body: { token } })],
      ['Bearer', userset(undefined, { headers: { authorization: `Bearer ${token}` } })],
      ['bearer (lower case)', userset(undefined, { headers: { authorization: `bearer ${token}` } })],
    ] as const;
    for (const [name, pending] of ways) {
      const res = await pending;
      expect(res.status, name).toBe(200);
      expect(res.body, name).toEqual(OK);
    }
  });

  it('prefers the header token to the query and body tokens', async () => {
    const { token } = await h.server.client.register();
    const path = `/api/chat/userset?token=${encodeURIComponent(token)}`;
    expect((await userset('garbage', { path })).body).toEqual(INVALID);
    expect((await userset('garbage', { body: { token } })).body).toEqual(INVALID);
    expect((await userset(token, { body: { token: 'garbage' } })).body).toEqual(OK);
    expect((await userset(undefined, { path, body: { token: 'garbage' } })).body).toEqual(OK);
  });

  it('answers "no right" without a token, before checking parameters', async () => {
    for (const body of [{ userset: '{}' }, {}, { userset: 'x', token: '' }]) {
      const res = await h.server.client.post('/api/chat/userset', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, JSON.stringify(body)).toEqual(MISSING);
    }
    const empty = await h.server.client.post('/api/chat/userset', { userset: '{}' }, { headers: { token: '' } });
    expect(empty.body).toEqual(MISSING);
    const logout = await h.server.client.post('/api/chat/logout');
    expect(logout.status).toBe(400);
    expect(logout.body).toEqual(MISSING);
  });

  it('refuses garbage, unsigned and foreign-signed tokens as invalid', async () => {
    const u = await h.server.client.register();
    const claims = claimsOf(u.token);
    const payload = { uuid: claims.uuid, role: claims.role, sid: claims.sid };
    const [head, body] = u.token.split('.');
    const tokens = {
      garbage: 'not-a-token',
      'three parts': 'a.b.c',
      'alg none': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`,
      'signature cut': `${head}.${body}.`,
      'payload swapped': `${head}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${u.token.split('.')[2]}`,
      'other secret': await sign(payload, 'another-secret-another-secret-0123456789', String(claims.sub)),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await userset(token);
      expect(res.status, name).toBe(400);
      expect(res.body, name).toEqual(INVALID);
    }
    expect((await userset(u.token)).body).toEqual(OK);
  });

  it('refuses a token signed with our secret that is not the current session', async () => {
    const u = await h.server.client.register();
    const claims = claimsOf(u.token);
    const forged = await sign(
      { uuid: claims.uuid, role: 'user', sid: '00000000-0000-4000-8000-000000000000' },
      TEST_SECRET,
      String(claims.sub),
    );
    expect((await userset(forged)).body).toEqual(INVALID);
  });

  it('puts only sub, uuid, role, sid, iat and exp in a token', async () => {
    const u = await h.server.client.register();
    const claims = claimsOf(u.token);
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'role', 'sid', 'sub', 'uuid']);
    expect(claims).toMatchObject({ sub: String(u.id), uuid: u.uuid, role: 'user' });
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(30 * 86400);
    expect(JSON.parse(Buffer.from(u.token.split('.')[0] ?? '', 'base64url').toString('utf8'))).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('ends a session with a newer login', async () => {
    const c = h.server.client;
    const u = await c.register(undefined, 'pw_12345');
    const again = await c.post('/api/loginChat', { username: u.username, password: 'pw_12345' });
    expect((await userset(u.token)).body).toEqual(INVALID);
    expect((await userset(again.body.data.token)).body).toEqual(OK);
  });

  it('logs out (E03): answers true, then the token is invalid; a new login works', async () => {
    const c = h.server.client;
    const u = await c.register(undefined, 'pw_12345');
    const res = await c.post('/api/chat/logout', {}, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'ok', data: true });
    expect((await userset(u.token)).body).toEqual(INVALID);
    const twice = await c.post('/api/chat/logout', {}, { token: u.token });
    expect(twice.status).toBe(400);
    expect(twice.body).toEqual(INVALID);
    const again = await c.post('/api/loginChat', { username: u.username, password: 'pw_12345' });
    expect((await userset(again.body.data.token)).body).toEqual(OK);
  });

  it('refuses a disabled user (status 0) and lets a locked one (status 2) through', async () => {
    const c = h.server.client;
    const off = await c.register();
    await h.server.app.store.users.update(off.id, { status: 0 }, Date.now());
    for (const res of [await userset(off.token), await c.post('/api/chat/logout', {}, { token: off.token })]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(DISABLED);
    }
    await h.server.app.store.users.update(off.id, { status: 1 }, Date.now());
    expect((await userset(off.token)).body).toEqual(OK);

    const locked = await c.register();
    await h.server.app.store.users.update(locked.id, { status: 2 }, Date.now());
    const res = await c.post('/api/chat/logout', {}, { token: locked.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'ok', data: true });
  });
});

describeEachDialect('auth: visitor-mode tokens (§1.6 whitelist)', (h) => {
  const visitorToken = async () => {
    const u = await h.server.client.register();
    const user = await h.server.app.store.users.findById(u.id);
    if (!user) throw new Error('user vanished');
    const session = await h.server.app.services.auth.startSession(user, 'visitor');
    return { ...u, userToken: u.token, token: session.token };
  };

  it('carries role "visitor" in the token and ends the user session it replaces', async () => {
    const v = await visitorToken();
    expect(claimsOf(v.token)).toMatchObject({ role: 'visitor', sub: String(v.id), uuid: v.uuid });
    const res = await h.server.client.post('/api/chat/userset', { userset: '{}' }, { token: v.userToken });
    expect(res.body).toEqual(INVALID);
  });

  it('refuses logout and setPassword to a visitor token', async () => {
    const v = await visitorToken();
    const calls = [
      ['/api/chat/logout', {}],
      ['/api/chat/setPassword', { oldpassword: '123456', newpassword: 'abcdef', checknewpassword: 'abcdef' }],
      ['/api/chat/setPassword', {}],
    ] as const;
    for (const [path, body] of calls) {
      const res = await h.server.client.post(path, body, { token: v.token });
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual(VISITOR);
    }
    const still = await h.server.client.post('/api/chat/userset', { userset: '{}' }, { token: v.token });
    expect(still.body).toEqual(OK);
  });

  it('lets a visitor token save settings and update its profile', async () => {
    const v = await visitorToken();
    const set = await h.server.client.post('/api/chat/userset', { userset: '{"chatset":{}}' }, { token: v.token });
    expect(set.status).toBe(200);
    expect(set.body).toEqual(OK);
    const nick = await h.server.client.post(
      '/api/chat/updateUserinfo',
      { fieldname: 'nickname', fieldValue: '游客昵称' },
      { token: v.token },
    );
    expect(nick.status).toBe(200);
    expect(nick.body).toEqual({ msg: 'ok', data: '修改昵称成功' });
    const profile = await h.server.client.get(`/api/userinfo/${v.uuid}`);
    expect(profile.body.data).toMatchObject({ nickname: '游客昵称', userset: '{"chatset":{}}' });
  });

  it('answers 404, not a permission error, for a method the route does not have', async () => {
    const v = await visitorToken();
    const res = await h.server.client.get('/api/chat/userset', { token: v.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(fail('404 错误'));
  });
});
