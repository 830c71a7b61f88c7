import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { defaultImages, NOTICE_ICONS } from '../../src/domain/images.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { WsClient, type Frame } from '../helpers/ws.js';

/** The default avatars and notice icons ship with Natter and are served by it (src/domain/images.ts). */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** Every address the defaults name, relative to their base. */
const names = () => {
  const i = defaultImages('');
  return [i.userAvatar, i.groupAvatar, i.systemAvatar, ...NOTICE_ICONS.map((n) => i.icon(n))];
};

/** The avatars seen by a new user: their own, and those of the connect-time notices. */
async function firstSight(s: TestServer): Promise<{ own: string; notices: string[] }> {
  const u = await s.client.register();
  const me = await s.client.get(`/api/userinfo/${u.uuid}`);
  const ws = await WsClient.ready(s.url, u.token);
  try {
    await ws.next((f: Frame) => f?.data?.from_name === '问答设置');
    const notices = ws.frames.filter((f: Frame) => f?.type === 'singleChat').map((f: Frame) => String(f.data.from_avatar));
    return { own: String((me.body as { data: { avatar: string } }).data.avatar), notices };
  } finally {
    ws.close();
  }
}

describe('default images', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('are served from /public/defaults/ with their type and a cache lifetime, each one the defaults name', async () => {
    for (const name of names()) {
      const res = await fetch(`${s.url}/public/defaults/${name}`);
      expect(res.status, name).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      const jpeg = name.endsWith('.jpg');
      expect(res.headers.get('content-type'), name).toBe(jpeg ? 'image/jpeg' : 'image/png');
      expect(body.subarray(0, jpeg ? 3 : 4).equals(jpeg ? JPEG : PNG), name).toBe(true);
      expect(res.headers.get('cache-control'), name).toBe('public, max-age=604800');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await fetch(`${s.url}/public/defaults/nothing.png`)).status).toBe(404);
    expect((await fetch(`${s.url}/public/defaults/../../package.json`)).status).toBe(404);
  });

  it('without PUBLIC_URL are paths on this server: a new account and its notices point here, nowhere else', async () => {
    const { own, notices } = await firstSight(s);
    expect(own).toBe('/public/defaults/user.jpg');
    expect(notices.length).toBeGreaterThan(5);
    for (const a of notices) if (a !== own) expect(a).toMatch(/^\/public\/defaults\/(kefu\.png|img\/\w+\.png)$/);
  });

  it('with PUBLIC_URL are absolute addresses under it (what app clients need); DEFAULTS_URL overrides both', async () => {
    const pub = await startServer({ env: { PUBLIC_URL: 'https://im.example.com' } });
    try {
      const { own, notices } = await firstSight(pub);
      expect(own).toBe('https://im.example.com/public/defaults/user.jpg');
      expect(notices).toContain('https://im.example.com/public/defaults/img/setPassword.png');
    } finally {
      await pub.close();
    }
    const cdn = await startServer({ env: { PUBLIC_URL: 'https://im.example.com', DEFAULTS_URL: 'https://cdn.example.net/im' } });
    try {
      const { own, notices } = await firstSight(cdn);
      expect(own).toBe('https://cdn.example.net/im/user.jpg');
      expect(notices).toContain('https://cdn.example.net/im/img/search.png');
    } finally {
      await cdn.close();
    }
  });

  it('DEFAULTS_URL takes an http(s) URL or a path, and refuses anything else', () => {
    expect(loadConfig({ DEFAULTS_URL: '/static/img' }).defaultsUrl).toBe('/static/img/');
    expect(loadConfig({}).defaultsUrl).toBe('/public/defaults/');
    expect(loadConfig({ DEFAULTS_URL: 'https://cdn.example.net/im//' }).defaultsUrl).toBe('https://cdn.example.net/im/');
    const refused = /DEFAULTS_URL: expected a URL starting with http:\/\/ or https:\/\/, or a path starting with \//;
    expect(() => loadConfig({ DEFAULTS_URL: 'ftp://x/' })).toThrow(refused);
    expect(() => loadConfig({ DEFAULTS_URL: '//evil.example/' })).toThrow(refused);
    expect(() => loadConfig({ DEFAULTS_URL: 'img' })).toThrow(refused);
  });

  it('ship in the package: every default names a file of assets/defaults', () => {
    for (const name of names()) expect(fs.existsSync(path.join(ROOT, 'assets', 'defaults', name)), name).toBe(true);
  });
});
