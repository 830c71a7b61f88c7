import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP } from '../../src/http/plugins/web.js';
import { fail, OK } from '../helpers/chat.js';
import { tempDir } from '../helpers/databases.js';
import { rawRequest } from '../helpers/media.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** The built web client at `/` (src/http/plugins/web.ts): files, cache headers, security headers, what it must not shadow. */

const PAGE = '<!doctype html><title>Natter</title><div id="app"></div><script type="module" src="/assets/app-abc123.js"></script>';
const SCRIPT = 'document.getElementById("app").textContent = "hi";';
const SECRET = 'outside-the-web-root';

/** A fake build: index.html, favicon, one hashed asset, plus files named like the server's own paths, and a secret next to it. */
function fakeBuild(): { dir: string; root: string } {
  const dir = tempDir();
  const root = path.join(dir, 'web');
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  write('index.html', PAGE);
  write('favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  write('assets/app-abc123.js', SCRIPT);
  write('.env', SECRET);
  for (const shadow of ['healthz', 'metrics', 'openapi.json', 'api/regChat', 'public/uploads/x.txt', 'docs/index.html'])
    write(shadow, SECRET);
  fs.writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  return { dir, root };
}

const expectSecured = (headers: Headers) => {
  expect(headers.get('content-security-policy')).toBe(WEB_CSP);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
};

describe('web client at /', () => {
  let s: TestServer;
  let build: { dir: string; root: string };
  beforeAll(async () => {
    build = fakeBuild();
    s = await startServer({ env: { WEB_ROOT: build.root } });
  });
  afterAll(async () => {
    await s.close();
    fs.rmSync(build.dir, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache and the security headers', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectSecured(res.headers);
    expect(await res.text()).toBe(PAGE);
    expect(WEB_CSP).toBe(
      "default-src 'self'; img-src 'self' data: blob: http: https:; media-src 'self' blob: http: https:; " +
        "connect-src 'self' ws: wss: http: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });

  it('answers HEAD at / without a body', async () => {
    const res = await fetch(`${s.url}/`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toBe('');
  });

  it('serves hashed assets for a year, immutable, and other root files for an hour', async () => {
    const js = await fetch(`${s.url}/assets/app-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe(SCRIPT);
    const icon = await fetch(`${s.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).toBe('public, max-age=3600');
    expectSecured(icon.headers);
  });

  it('answers other methods, unknown files and dotfiles with the 404 envelope', async () => {
    for (const [method, url] of [
      ['POST', '/'],
      ['DELETE', '/'],
      ['GET', '/nope.html'],
      ['GET', '/assets/nope.js'],
      ['GET', '/.env'],
      ['GET', '/index.html/x'],
    ] as const) {
      const res = await s.client.request(method, url);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body, `${method} ${url}`).toEqual(fail('404 错误'));
    }
  });

  it('leaves the API, health, metrics, documentation and uploads to the server', async () => {
    expect((await s.client.get('/healthz')).body).toEqual(OK);
    expect((await s.client.get('/metrics')).body).toMatch(/^# HELP/m);
    expect((await s.client.get('/openapi.json')).body.openapi).toBe('3.0.3');
    expect((await s.client.get('/docs/')).body).not.toContain(SECRET);
    const reg = await s.client.post('/api/regChat', { username: 'webstatic1', password: '123456' });
    expect(reg.status).toBe(200);
    expect(reg.headers.get('content-security-policy')).toBeNull();
    for (const url of ['/api/regChat', '/public/uploads/x.txt', '/api/nope']) {
      const res = await s.client.get(url);
      expect(res.status, url).toBe(404);
      expect(res.body, url).toEqual(fail('404 错误'));
    }
  });

  it('never serves a file outside the web root, however the path is encoded', async () => {
    for (const p of [
      '/assets/../../secret.txt',
      '/assets/../../package.json',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/%252e%252e/%252e%252e/secret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/....//....//secret.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%00../secret.txt',
      '/assets/.env',
      '/assets/..%2f.env',
    ]) {
      const res = await rawRequest(s, 'GET', p);
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(res.status, p).toBeLessThan(500);
      expect(res.body.toString(), p).not.toContain(SECRET);
      expect(res.body.toString(), p).not.toContain('"name": "natter"');
    }
  });
});

describe('web client settings', () => {
  it('WEB_ENABLED=false answers 404 at /', async () => {
    const build = fakeBuild();
    const s = await startServer({ env: { WEB_ROOT: build.root, WEB_ENABLED: 'false' } });
    try {
      const res = await s.client.get('/');
      expect(res.status).toBe(404);
      expect(res.body).toEqual(fail('404 错误'));
      expect((await s.client.get('/assets/app-abc123.js')).status).toBe(404);
      expect(s.logs.some((l) => String(l.msg).includes('web client'))).toBe(false);
    } finally {
      await s.close();
      fs.rmSync(build.dir, { recursive: true, force: true });
    }
  });

  it('without a build starts, answers 404 at / and says once how to build the client', async () => {
    const dir = tempDir();
    const s = await startServer({ env: { WEB_ROOT: path.join(dir, 'missing') } });
    try {
      const res = await s.client.get('/');
      expect(res.status).toBe(404);
      expect(res.body).toEqual(fail('404 错误'));
      expect((await s.client.get('/healthz')).body).toEqual(OK);
      const notes = s.logs.filter((l) => String(l.msg).includes('web client is not built'));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ level: 30 });
      expect(String(notes[0]?.msg)).toContain('npm run build:web');
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
