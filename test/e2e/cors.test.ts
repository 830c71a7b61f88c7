import { expect, it } from 'vitest';
import { describeEachDialectWithServers } from '../helpers/dialects.js';
import type { TestServer } from '../helpers/server.js';

/**
 * CORS (the original ran egg-cors with origin '*'): the H5 build of the seed client calls the API
 * from another origin, with the `token` and `X-Security-Sign` headers, so it needs preflights
 * answered and `Access-Control-Allow-Origin` on every answer, errors included.
 */
const ORIGIN = 'http://localhost:8080';

function preflight(s: TestServer, path: string, origin = ORIGIN): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,token,x-security-sign' },
  });
}

const post = (s: TestServer, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describeEachDialectWithServers('cors', (startFor) => {
  const start = (env: Record<string, string> = {}) => startFor({ env });

  it('answers preflights of API routes from any origin by default, with the headers the client sends', async () => {
    const s = await start();
    for (const path of [
      '/api/loginChat',
      '/api/visitorRegister',
      '/api/chat/socket/sendmessage',
      '/api/chat/uploadStreamSingleToServerDiy/chatImgs',
    ]) {
      const res = await preflight(s, path);
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-allow-methods'), path).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase(), path).toBe('content-type,token,x-security-sign');
      expect(Number(res.headers.get('access-control-max-age')), path).toBeGreaterThan(0);
    }
  });

  it('allows the origin on answers of every kind: success, business failure, 422, 404, static files', async () => {
    const s = await start();
    const u = await s.client.register();
    const answers = [
      await post(s, '/api/loginChat', { username: u.username, password: '123456' }),
      await post(s, '/api/loginChat', { username: u.username, password: 'wrong-pw' }),
      await post(s, '/api/loginChat', {}),
      await post(s, '/api/chat/searchUser', { keyword: 'x' }),
      await fetch(`${s.url}/api/nothing-here`, { headers: { origin: ORIGIN } }),
      await fetch(`${s.url}/public/uploads/none.png`, { headers: { origin: ORIGIN } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 400, 422, 400, 404, 404]);
    for (const r of answers) expect(r.headers.get('access-control-allow-origin'), r.url).toBe('*');
    // cookies are never involved: no credentials
    for (const r of answers) expect(r.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('CORS_ORIGINS restricts browsers to the listed origins', async () => {
    const s = await start({ CORS_ORIGINS: 'https://app.example.com, https://im.example.com' });
    const allowed = await preflight(s, '/api/loginChat', 'https://im.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://im.example.com');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await preflight(s, '/api/loginChat', 'https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${s.url}/api/loginChat`, { method: 'POST', headers: { origin: 'https://evil.example.net' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
