import { expect, it } from 'vitest';
import { fail } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';

/** The HTTP envelope around every route (spec §1.2–1.3, DESIGN §3): errors, bodies, health, docs. */

describeEachDialect('http: envelope, bodies, health and docs', (h) => {
  it('answers 404 in the envelope for unknown routes and methods', async () => {
    const c = h.server.client;
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/api/nope'],
      ['GET', '/api/regChat'],
      ['POST', '/api/chat/nope'],
      ['DELETE', '/api/chat/logout'],
    ]) {
      const res = await c.request(method as string, path as string);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body, `${method} ${path}`).toEqual(fail('404 错误'));
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('answers 400 in the envelope for malformed JSON, without a stack trace', async () => {
    for (const body of ['{bad', '{"username":', '[1,', 'nul']) {
      const res = await h.server.client.post('/api/regChat', body);
      expect(res.status, body).toBe(400);
      expect(res.body, body).toEqual(fail('请求格式错误'));
    }
    const authed = await h.server.client.post('/api/chat/logout', '{oops', { token: 'whatever' });
    expect(authed.status).toBe(400);
    expect(JSON.stringify(authed.body)).not.toMatch(/stack|at .*\.ts|Error:/);
  });

  // Malformed URLs fail before routing; they are answered in the envelope too.
  it('answers a path with broken percent-encoding in the envelope', async () => {
    for (const [method, path] of [
      ['GET', '/api/userinfo/%zz'],
      ['POST', '/api/chat/userset/%'],
      ['GET', '/%E0%A4%A'],
    ]) {
      const res = await h.server.client.request(method as string, path as string);
      expect(res.body, `${method} ${path}`).toEqual(fail('请求格式错误'));
      expect(res.status, `${method} ${path}`).toBe(400);
    }
  });

  it('treats an empty JSON body as {}', async () => {
    const c = h.server.client;
    const reg = await c.request('POST', '/api/regChat', undefined, { headers: { 'content-type': 'application/json' } });
    expect(reg.status).toBe(422);
    expect(reg.body).toEqual(fail('账号不能为空'));
    const u = await c.register();
    const out = await c.request('POST', '/api/chat/logout', '', { token: u.token, headers: { 'content-type': 'application/json' } });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ msg: 'ok', data: true });
  });

  it('accepts JSON with a charset parameter', async () => {
    const res = await h.server.client.request('POST', '/api/loginChat', JSON.stringify({ username: 'abc' }), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual(fail('账号 的长度 必须 在 4 和 20 之间'));
  });

  it('answers 413 in the envelope for a body over BODY_LIMIT (JSON and form)', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    for (const form of [false, true]) {
      const res = await h.server.client.post('/api/regChat', { username: big, password: '123456' }, { form });
      expect(res.status, form ? 'form' : 'json').toBe(413);
      expect(res.body, form ? 'form' : 'json').toEqual(fail('请求内容过大'));
    }
  });

  it('answers GET /healthz with {"msg":"ok","data":"ok"}', async () => {
    const res = await h.server.client.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'ok', data: 'ok' });
  });

  it('serves an OpenAPI 3 document listing the routes; LoginView has no password', async () => {
    const res = await h.server.client.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/regChat',
      '/api/loginChat',
      '/api/chat/logout',
      '/api/chat/setPassword',
      '/api/userinfo/{uuid}',
      '/api/chat/userset',
      '/api/chat/updateUserinfo',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    for (const path of ['/api/regChat', '/api/loginChat']) {
      const envelope = doc.paths[path].post.responses['200'].content['application/json'].schema;
      const view = envelope.properties.data;
      expect(view.properties, path).toHaveProperty('token');
      expect(view.properties, path).toHaveProperty('username');
      expect(view.properties, path).not.toHaveProperty('password');
      expect(view.required ?? [], path).not.toContain('password');
      expect(JSON.stringify(envelope), path).not.toContain('"password"');
    }
  });

  it('serves the API browser at /docs as HTML', async () => {
    const res = await fetch(`${h.server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<html/i);
  });
});

// PostgreSQL text cannot hold U+0000: every string parameter refuses it with a 422 on every dialect.
describeEachDialect(
  'http: text with a NUL character never ends in a 500',
  (h) => {
    it('refuses a NUL in the username with a 422 naming the field', async () => {
      const res = await h.server.client.post('/api/loginChat', { username: 'ab\u0000cd', password: '123456' });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(fail('账号 的值包含非法字符'));
    });

    it('answers userset and updateUserinfo with a NUL in the text without a 5xx', async () => {
      const u = await h.server.client.register();
      const set = await h.server.client.post('/api/chat/userset', { userset: '{"a":"\u0000"}' }, { token: u.token });
      expect.soft(set.status, `userset: ${JSON.stringify(set.body)}`).toBeLessThan(500);
      const nick = await h.server.client.post(
        '/api/chat/updateUserinfo',
        { fieldname: 'nickname', fieldValue: 'a\u0000b' },
        { token: u.token },
      );
      expect.soft(nick.status, `updateUserinfo: ${JSON.stringify(nick.body)}`).toBeLessThan(500);
    });
  },
  {},
);
