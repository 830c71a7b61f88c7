import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, visitor, type Account } from '../helpers/chat.js';
import {
  abortedUpload,
  closesWithin,
  day8,
  itFfmpeg,
  listFiles,
  multipartBody,
  png,
  rawRequest,
  samples,
  upload,
  uploadsOf,
  waitFor,
  type FilePart,
} from '../helpers/media.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** E30a uploadStreamSingleToServerDiy (spec §9, §11.13; DESIGN §7): streamed, sanitised, typed on content, size-limited. */
const ROUTE = '/api/chat/uploadStreamSingleToServerDiy/';
const BAD_DIR = fail('上传目录不合法');
const BAD_TYPE = fail('不支持的文件类型');
const NO_FILE = fail('请选择要上传的文件');
const TOO_LARGE = fail('文件大小超过限制');

/** Uploads `file` under `dir`, expects success, checks the URL shape and that the bytes are served back. */
async function uploadOk(s: TestServer, token: string, dir: string, file: FilePart, ext: string, type: string | RegExp) {
  const before = Date.now();
  const res = await upload(s, ROUTE + dir, { token, file });
  const after = Date.now();
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Object.keys(res.body)).toEqual(['msg', 'data']);
  expect(res.body.msg).toBe('ok');
  expect(Object.keys(res.body.data)).toEqual(['url']);
  const url: string = res.body.data.url;
  const dirs = dir.split('_').join('/');
  const m = new RegExp(`^/public/uploads/Diy/${dirs}/(\\d{8})/(\\d{13})_(\\d{1,8})\\${ext}$`).exec(url);
  expect(m, url).not.toBeNull();
  const [, date, ms] = m as unknown as [string, string, string, string];
  expect(Number(ms)).toBeGreaterThanOrEqual(before);
  expect(Number(ms)).toBeLessThanOrEqual(after);
  expect([day8(before), day8(after)]).toContain(date);
  expect(fs.readFileSync(path.join(uploadsOf(s), url.slice('/public/uploads/'.length))).equals(file.data)).toBe(true);

  const got = await fetch(s.url + url);
  expect(got.status).toBe(200);
  expect(Buffer.from(await got.arrayBuffer()).equals(file.data)).toBe(true);
  if (typeof type === 'string') expect(got.headers.get('content-type')).toBe(type);
  else expect(got.headers.get('content-type')).toMatch(type);
  expect(got.headers.get('x-content-type-options')).toBe('nosniff');
  expect(got.headers.get('cache-control')).toMatch(/max-age=\d+/);
  expect(listFiles(path.join(uploadsOf(s), '.tmp'))).toEqual([]);
  return url;
}

describe('E30a upload to this server', () => {
  let s: TestServer;
  let me: Account;
  beforeAll(async () => {
    s = await startServer();
    me = await s.client.register();
  });
  afterAll(() => s.close());

  it('a PNG is stored under Diy/<dir>/<YYYYMMDD +08:00>/<ms>_<n>.png and served back with its type, caching and nosniff', async () => {
    // The name and declared type are ignored: the extension comes from the content.
    await uploadOk(s, me.token, 'chatImgs', { data: await png(), name: 'photo.JPG', type: 'image/jpeg' }, '.png', 'image/png');
  });

  it('`a_b` makes nested folders; up to five segments of letters, digits and hyphens', async () => {
    await uploadOk(s, me.token, 'chat_imgs', { data: await png(), name: 'x.png' }, '.png', 'image/png');
    await uploadOk(s, me.token, 'a_b-2_C3_d_e', { data: await png(), name: 'x.png' }, '.png', 'image/png');
  });

  it('the first file part is taken, whatever its field name; later parts are ignored', async () => {
    const [first, second] = [await png(), await png()];
    const form = new FormData();
    form.append('token', me.token);
    form.append('anything', new Blob([first]), 'a.png');
    form.append('file', new Blob([second]), 'b.png');
    const res = await fetch(`${s.url}${ROUTE}chatImgs`, { method: 'POST', headers: { token: me.token }, body: form });
    const url = ((await res.json()) as { data: { url: string } }).data.url;
    expect(Buffer.from(await (await fetch(s.url + url)).arrayBuffer()).equals(first)).toBe(true);
  });

  it('a visitor token may upload (whitelisted route)', async () => {
    const v = await visitor(s);
    await uploadOk(s, v.token, 'chatImgs', { data: await png(), name: 'v.png' }, '.png', 'image/png');
  });

  itFfmpeg('a JPEG, an MP4, an M4A and an MP3 are accepted on their content and served with their types', async () => {
    const cases: [Buffer, string, string | RegExp][] = [
      [samples.jpeg(), '.jpg', 'image/jpeg'],
      [samples.mp4(), '.mp4', 'video/mp4'],
      [samples.m4a(), '.m4a', /^audio\/(mp4|x-m4a)$/],
      [samples.mp3(), '.mp3', 'audio/mpeg'],
    ];
    for (const [data, ext, type] of cases) await uploadOk(s, me.token, 'chatVideos', { data, name: 'no-extension' }, ext, type);
  });

  it('no token → 400 您没有权限访问即时通讯接口; a bad token → 400 Token 令牌不合法！', async () => {
    const file = { data: await png(), name: 'a.png' };
    expect(await upload(s, `${ROUTE}chatImgs`, { file })).toMatchObject({ status: 400, body: fail('您没有权限访问即时通讯接口') });
    expect(await upload(s, `${ROUTE}chatImgs`, { file, token: 'nope' })).toMatchObject({ status: 400, body: fail('Token 令牌不合法！') });
  });

  it('diydir traversal and odd names are refused (400 上传目录不合法 or 404) and nothing is written anywhere', async () => {
    const data = Buffer.concat([await png(), Buffer.alloc(10)]);
    const mp = multipartBody({ data, name: 'a.png', type: 'image/png' });
    const dataDir = s.app.config.dataDir;
    const notDb = (f: string) => !/\.db(-wal|-shm|-journal)?$/.test(f);
    const before = listFiles(dataDir).filter(notDb);
    const tmpDay = path.join(os.tmpdir(), day8(Date.now()));
    const tmpDayExisted = fs.existsSync(tmpDay);
    const attempts = [
      '..',
      '%2e%2e',
      '%2E%2E',
      'a_..',
      '.._.._..',
      '%2e%2e_%2e%2e_%2e%2e',
      '..%2f..%2fetc',
      '..%2F..%2F..%2Ftmp',
      '%2fetc',
      '%2Fetc%2Fcron.d',
      '.',
      '_',
      'a__b',
      'a_',
      '_a',
      'a.b',
      '.hidden',
      'a%00b',
      'a%5c..%5c..',
      'a%20b',
      '~root',
      'a_b_c_d_e_f',
      `${'x'.repeat(65)}`,
      'a/../..',
      '../../../tmp',
      'a/b',
    ];
    for (const dir of attempts) {
      const res = await rawRequest(s, 'POST', ROUTE + dir, { token: me.token, 'content-type': mp.contentType }, mp.body);
      const body = JSON.parse(res.body.toString('utf8'));
      // A NUL character fails the parameter check first (422 with diydir's message): refused as well.
      const ok =
        (res.status === 400 && body.data === BAD_DIR.data) ||
        res.status === 404 ||
        (res.status === 422 && body.data === '上传目录 的值包含非法字符');
      expect(ok, `${dir} → ${res.status} ${JSON.stringify(body)}`).toBe(true);
    }
    expect(await upload(s, `${ROUTE}a_b_c_d_e_f`, { token: me.token, file: { data, name: 'a.png' } })).toMatchObject({
      status: 400,
      body: BAD_DIR,
    });
    expect(
      listFiles(dataDir)
        .filter(notDb)
        .filter((f) => !before.includes(f)),
    ).toEqual([]);
    expect(fs.existsSync(tmpDay)).toBe(tmpDayExisted);
  });

  it('content decides the type: text, HTML, SVG, ELF and ZIP named .png → 400 不支持的文件类型, nothing kept', async () => {
    const before = listFiles(uploadsOf(s));
    const refused = [
      Buffer.from('just some text, not an image\n'.repeat(20)),
      Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'),
      Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200)]),
      Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200)]),
    ];
    for (const data of refused) {
      expect(await upload(s, `${ROUTE}chatImgs`, { token: me.token, file: { data, name: 'evil.png', type: 'image/png' } })).toMatchObject({
        status: 400,
        body: BAD_TYPE,
      });
    }
    expect(listFiles(uploadsOf(s))).toEqual(before);
  });

  it('an empty file → 400 上传文件不能为空', async () => {
    const res = await upload(s, `${ROUTE}chatImgs`, { token: me.token, file: { data: Buffer.alloc(0), name: 'empty.png' } });
    expect(res).toMatchObject({ status: 400, body: fail('上传文件不能为空') });
    expect(listFiles(path.join(uploadsOf(s), '.tmp'))).toEqual([]);
  });

  it('no file part, a JSON body or no body → 400 请选择要上传的文件', async () => {
    expect(await upload(s, `${ROUTE}chatImgs`, { token: me.token, fields: { token: me.token, a: '1' } })).toMatchObject({
      status: 400,
      body: NO_FILE,
    });
    expect(await s.client.post(`${ROUTE}chatImgs`, { file: 'x' }, { token: me.token })).toMatchObject({ status: 400, body: NO_FILE });
    expect(await s.client.post(`${ROUTE}chatImgs`, undefined, { token: me.token })).toMatchObject({ status: 400, body: NO_FILE });
  });

  it('a client that aborts mid-upload leaves no file (the upload was being streamed to disk)', async () => {
    const tmp = path.join(uploadsOf(s), '.tmp');
    const before = listFiles(uploadsOf(s));
    const start = Buffer.concat([await png(), Buffer.alloc(256 * 1024, 1)]);
    // A temporary file with data in it before the body is complete: the upload streams.
    await abortedUpload(s, `${ROUTE}chatImgs`, me.token, start, () => listFiles(tmp).some((f) => fs.statSync(path.join(tmp, f)).size > 0));
    await waitFor(() => listFiles(tmp).length === 0, 'the temporary file to be removed');
    expect(listFiles(uploadsOf(s))).toEqual(before);
    await uploadOk(s, me.token, 'chatImgs', { data: await png(), name: 'after.png' }, '.png', 'image/png');
  });

  it('stored files only: no dotfiles, no folder listings, no way out of the uploads folder', async () => {
    const tmp = path.join(uploadsOf(s), '.tmp');
    fs.writeFileSync(path.join(tmp, 'secret.png'), 'x');
    try {
      for (const p of ['/public/uploads/.tmp/secret.png', '/public/uploads/%2etmp/secret.png']) {
        expect([403, 404], p).toContain((await rawRequest(s, 'GET', p)).status);
      }
    } finally {
      fs.rmSync(path.join(tmp, 'secret.png'));
    }
    const db = path.basename(listFiles(s.app.config.dataDir).find((f) => f.endsWith('.db')) ?? 'natter.db');
    for (const p of [
      `/public/uploads/../${db}`,
      `/public/uploads/%2e%2e/${db}`,
      `/public/uploads/..%2f${db}`,
      `/public/uploads/Diy/..%2f..%2f${db}`,
      '/public/uploads/',
      '/public/uploads/Diy/',
    ]) {
      const res = await rawRequest(s, 'GET', p);
      expect(res.status, p).not.toBe(200);
      expect(res.body.subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
    }
  });
});

describe('E30a size limit (UPLOAD_MAX_BYTES=2048)', () => {
  let s: TestServer;
  let me: Account;
  beforeAll(async () => {
    s = await startServer({ env: { UPLOAD_MAX_BYTES: '2048' } });
    me = await s.client.register();
  });
  afterAll(() => s.close());

  it('a file of exactly the limit is accepted', async () => {
    await uploadOk(s, me.token, 'chatImgs', { data: await png(2048), name: 'max.png' }, '.png', 'image/png');
  });

  it('one byte over, or a megabyte over, → 4xx 文件大小超过限制 and nothing is left, not even in .tmp', async () => {
    const before = listFiles(uploadsOf(s));
    for (const size of [2049, 4100, 1024 * 1024]) {
      const res = await upload(s, `${ROUTE}chatImgs`, { token: me.token, file: { data: await png(size), name: 'big.png' } });
      const stored = typeof res.body.data?.url === 'string' ? fs.statSync(path.join(uploadsOf(s), res.body.data.url.slice(16))).size : 0;
      expect(res.status, `${size} bytes sent → ${res.status} ${JSON.stringify(res.body)}, ${stored} bytes stored`).toBeGreaterThanOrEqual(
        400,
      );
      expect(res.status).toBeLessThan(500);
      expect(res.body, String(size)).toEqual(TOO_LARGE);
      // Answered before the body was read to its end: the rest is not waited for.
      if (size === 1024 * 1024) expect(res.headers.get('connection')).toBe('close');
    }
    expect(listFiles(uploadsOf(s))).toEqual(before);
  });

  it('the server still answers after refusing a large upload', async () => {
    await uploadOk(s, me.token, 'chatImgs', { data: await png(), name: 'ok.png' }, '.png', 'image/png');
  });
});

describe('a multipart request refused before its file is read, whose client then hangs up', () => {
  const cases: [string, string][] = [
    ['E30a with a bad diydir', `${ROUTE}a_..`],
    ['E30b with a wrong field name', '/api/chat/uploadAliyun'],
  ];
  for (const [what, route] of cases) {
    it(`${what}: the connection is released and the server still stops gracefully`, async () => {
      const s = await startServer();
      const me = await s.client.register();
      const until = Date.now() + 300;
      await abortedUpload(s, route, me.token, Buffer.concat([await png(), Buffer.alloc(512 * 1024, 1)]), () => Date.now() > until);
      await new Promise((r) => setTimeout(r, 200));
      expect(await closesWithin(s, 5000), 'app.close() finished').toBe(true);
    });
  }
});
