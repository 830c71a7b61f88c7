import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { fail, visitor, type Account, type Any } from '../helpers/chat.js';
import { tempDir } from '../helpers/databases.js';
import { abortedUpload, day8, listFiles, png, startS3rver, upload, uploadsOf, waitFor, type S3Bucket } from '../helpers/media.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** E30b uploadAliyun (spec §9; DESIGN §7): S3-compatible storage from env, local disk when none is configured. */
const ROUTE = '/api/chat/uploadAliyun';
const failed = (why: string) => fail(`上传失败: ${why}`);
const NEED_IMG = failed('请使用 img 字段上传文件');

/** Checks the one-element answer of E30b and returns it; `base` is what the url starts with. */
function checkAnswer(res: Any, base: string, classId: number, before: number, after: number, ext = '.png') {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.msg).toBe('ok');
  expect(res.body.data).toHaveLength(1);
  const item = res.body.data[0];
  expect(Object.keys(item).sort()).toEqual(['create_time', 'image_class_id', 'path', 'url']);
  const m = new RegExp(`^images/(\\d{8})/(\\d{13})_[0-9a-f]{12}\\${ext}$`).exec(item.path);
  expect(m, item.path).not.toBeNull();
  const ms = Number(m?.[2]);
  expect(ms >= before && ms <= after).toBe(true);
  expect([day8(before), day8(after)]).toContain(m?.[1]);
  expect(item.url).toBe(`${base}/${item.path}`);
  expect(item.image_class_id).toBe(classId);
  expect(item.create_time).toBeGreaterThanOrEqual(Math.floor(before / 1000));
  expect(item.create_time).toBeLessThanOrEqual(Math.floor(after / 1000));
  return item as { url: string; path: string };
}

async function send(
  s: TestServer,
  token: string,
  data: Buffer,
  o: { field?: string; query?: string; fields?: Record<string, string> } = {},
) {
  const before = Date.now();
  const res = await upload(s, ROUTE + (o.query ?? ''), {
    token,
    fields: o.fields,
    file: { data, name: 'pic.jpg', type: 'image/jpeg', field: o.field ?? 'img' },
  });
  return { res, before, after: Date.now() };
}

describe('E30b without object storage: local disk, same answer shape', () => {
  let s: TestServer;
  let me: Account;
  beforeAll(async () => {
    s = await startServer();
    me = await s.client.register();
  });
  afterAll(() => s.close());

  it('field img → [{url, path: images/<YYYYMMDD>/<ms>_<12 hex>.png, image_class_id, create_time}], served back', async () => {
    const data = await png();
    const { res, before, after } = await send(s, me.token, data, { query: '?imageClassId=7' });
    const item = checkAnswer(res, '/public/uploads', 7, before, after);
    const got = await fetch(s.url + item.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
  });

  it('image_class_id: query imageClassId, else the field image_class_id, else 0', async () => {
    let r = await send(s, me.token, await png(), { fields: { image_class_id: '5' } });
    checkAnswer(r.res, '/public/uploads', 5, r.before, r.after);
    r = await send(s, me.token, await png(), { query: '?imageClassId=9', fields: { image_class_id: '5' } });
    checkAnswer(r.res, '/public/uploads', 9, r.before, r.after);
    r = await send(s, me.token, await png());
    checkAnswer(r.res, '/public/uploads', 0, r.before, r.after);
    r = await send(s, me.token, await png(), { query: '?imageClassId=abc' });
    checkAnswer(r.res, '/public/uploads', 0, r.before, r.after);
  });

  it('a visitor token may upload', async () => {
    const v = await visitor(s);
    const r = await send(s, v.token, await png());
    checkAnswer(r.res, '/public/uploads', 0, r.before, r.after);
  });

  it('another field name, no file or no multipart → 400 上传失败: 请使用 img 字段上传文件', async () => {
    expect((await send(s, me.token, await png(), { field: 'file' })).res).toMatchObject({ status: 400, body: NEED_IMG });
    expect(await upload(s, ROUTE, { token: me.token, fields: { img: 'not a file' } })).toMatchObject({ status: 400, body: NEED_IMG });
    expect(await s.client.post(ROUTE, { img: 'x' }, { token: me.token })).toMatchObject({ status: 400, body: NEED_IMG });
  });

  it('wrong type → 上传失败: 不支持的文件类型; empty → 上传失败: 上传文件不能为空; nothing kept; no token → 400', async () => {
    const before = listFiles(uploadsOf(s));
    expect((await send(s, me.token, Buffer.from('<html>hello</html>'))).res).toMatchObject({
      status: 400,
      body: failed('不支持的文件类型'),
    });
    expect((await send(s, me.token, Buffer.alloc(0))).res).toMatchObject({ status: 400, body: failed('上传文件不能为空') });
    expect(listFiles(uploadsOf(s))).toEqual(before);
    expect(await upload(s, ROUTE, { file: { data: await png(), field: 'img' } })).toMatchObject({
      status: 400,
      body: fail('您没有权限访问即时通讯接口'),
    });
  });
});

describe('E30b with S3-compatible storage (s3rver in the test)', () => {
  let s3: S3Bucket;
  let endpoint: string;
  let BUCKET: string;
  let s: TestServer;
  let cdn: TestServer;
  let me: Account;
  let cdnUser: Account;
  const keys = () => s3.keys();
  const object = (key: string) => s3.object(key);

  beforeAll(async () => {
    s3 = await startS3rver();
    ({ endpoint, bucket: BUCKET } = s3);
    s = await startServer({ env: s3.env });
    cdn = await startServer({ env: { ...s3.env, S3_PUBLIC_URL: 'https://cdn.example.test/media/', UPLOAD_MAX_BYTES: '2048' } });
    me = await s.client.register();
    cdnUser = await cdn.client.register();
  });
  afterAll(async () => {
    await s?.close();
    await cdn?.close();
    await s3?.close();
  });

  it('the object lands in the bucket under the answered path, byte for byte, typed on content; url = endpoint/bucket/key', async () => {
    const data = await png();
    const { res, before, after } = await send(s, me.token, data, { query: '?imageClassId=3' });
    const item = checkAnswer(res, `${endpoint}/${BUCKET}`, 3, before, after);
    expect(await object(item.path)).toEqual({ type: 'image/png', bytes: data });
    const got = await fetch(item.url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
    expect(listFiles(uploadsOf(s)).filter((f) => f.startsWith('images'))).toEqual([]);
  });

  it('a 6 MB file streams through a multipart upload and reads back byte for byte', async () => {
    const data = Buffer.concat([await png(), Buffer.alloc(6 * 1024 * 1024 - 1000, 7), Buffer.from('tail')]);
    const { res, before, after } = await send(s, me.token, data);
    const item = checkAnswer(res, `${endpoint}/${BUCKET}`, 0, before, after);
    const o = await object(item.path);
    expect(o.bytes.length).toBe(data.length);
    expect(o.bytes.equals(data)).toBe(true);
  });

  it('a refused type, an empty file or a wrong field leaves no object', async () => {
    const before = await keys();
    expect((await send(s, me.token, Buffer.from('plain text, no magic bytes\n'.repeat(300)))).res).toMatchObject({
      status: 400,
      body: failed('不支持的文件类型'),
    });
    expect((await send(s, me.token, Buffer.alloc(0))).res).toMatchObject({ status: 400, body: failed('上传文件不能为空') });
    expect((await send(s, me.token, await png(), { field: 'file' })).res).toMatchObject({ status: 400, body: NEED_IMG });
    expect(await keys()).toEqual(before);
  });

  it('a client that aborts mid-upload leaves no object and the server goes on', async () => {
    const before = await keys();
    // No temporary file to watch here: give the server a moment with the partial body, then hang up.
    const until = Date.now() + 300;
    await abortedUpload(s, ROUTE, me.token, Buffer.concat([await png(), Buffer.alloc(512 * 1024, 1)]), () => Date.now() > until, 'img');
    await new Promise((r) => setTimeout(r, 300));
    await waitFor(async () => (await keys()).length === before.length, 'no new object');
    expect(await keys()).toEqual(before);
    const r = await send(s, me.token, await png());
    checkAnswer(r.res, `${endpoint}/${BUCKET}`, 0, r.before, r.after);
  });

  it('E30a still stores on this server when S3 is configured', async () => {
    const res = await upload(s, '/api/chat/uploadStreamSingleToServerDiy/chatImgs', {
      token: me.token,
      file: { data: await png(), name: 'a.png' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.url).toMatch(/^\/public\/uploads\/Diy\/chatImgs\//);
    expect((await fetch(s.url + res.body.data.url)).status).toBe(200);
  });

  it('S3_PUBLIC_URL: url = S3_PUBLIC_URL + key (trailing slash dropped), the object is still in the bucket', async () => {
    const data = await png();
    const { res, before, after } = await send(cdn, cdnUser.token, data);
    const item = checkAnswer(res, 'https://cdn.example.test/media', 0, before, after);
    expect((await object(item.path)).bytes.equals(data)).toBe(true);
  });

  it('UPLOAD_MAX_BYTES applies to object storage: over the limit → 上传失败: 文件大小超过限制, no object', async () => {
    const before = await keys();
    for (const size of [2049, 5000, 300 * 1024]) {
      const { res } = await send(cdn, cdnUser.token, await png(size));
      const stored = res.body.data?.[0]?.path ? (await object(res.body.data[0].path)).bytes.length : 0;
      expect(res.status, `${size} bytes sent → ${res.status} ${JSON.stringify(res.body)}, ${stored} bytes stored`).toBe(400);
      expect(res.body).toEqual(failed('文件大小超过限制'));
    }
    expect(await keys()).toEqual(before);
  });
});

describe('S3 configuration', () => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
  };

  it('only some of the S3 keys → ConfigError naming the missing ones', () => {
    const p = problems({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'b' }).join('\n');
    expect(p).toMatch(/S3_ACCESS_KEY_ID/);
    expect(p).toMatch(/S3_SECRET_ACCESS_KEY/);
    expect(p).toMatch(/missing: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/);
    expect(problems({ S3_BUCKET: 'b' }).join('\n')).toMatch(/missing: S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/);
    expect(problems({ S3_ENDPOINT: 'ftp://x', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 's' }).join('\n')).toMatch(
      /S3_ENDPOINT/,
    );
  });

  it('S3_PUBLIC_URL or S3_REGION without the other keys is a configuration error, not a silent fallback to disk', () => {
    expect(problems({ S3_PUBLIC_URL: 'https://cdn.example.test' }).join('\n')).toMatch(/S3_ENDPOINT/);
    expect(problems({ S3_REGION: 'us-east-1' }).join('\n')).toMatch(/S3_ENDPOINT/);
  });

  it('the server does not start with a partial S3 configuration; none at all is local disk', async () => {
    const partial = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(), S3_ENDPOINT: 'http://127.0.0.1:1', S3_ACCESS_KEY_ID: 'k' };
    expect(() => loadConfig(partial)).toThrow(ConfigError);
    fs.rmSync(partial.DATA_DIR, { recursive: true, force: true });
    expect(loadConfig({}).s3).toBeUndefined();
    expect(loadConfig({ S3_ENDPOINT: 'http://h:1/', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 's' }).s3).toEqual({
      endpoint: 'http://h:1',
      bucket: 'b',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 's',
      publicUrl: undefined,
    });
  });
});
