import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { FfmpegFrameGrabber } from '../../src/files/ffmpeg.js';
import { LocalFileStore } from '../../src/files/local.js';
import { downloadPublic } from '../../src/files/url-guard.js';
import { MediaService } from '../../src/services/media.js';
import { fail, visitor, type Account } from '../helpers/chat.js';
import type { Answer } from '../helpers/client.js';
import { tempDir } from '../helpers/databases.js';
import { FFMPEG, isJpeg, isPng, itFfmpeg, jpegSize, pngSize, samples, upload, waitFor } from '../helpers/media.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** E31 getVideoScreenshot (spec §9, §11.13; DESIGN §7): ffmpeg on our own uploads or allow-listed public hosts only. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const ROUTE = '/api/chat/getVideoScreenshot';
const REFUSED = fail('不允许的视频地址');
const FAILED = fail('截图生成失败');
const NO_FFMPEG = fail('截图功能不可用：服务器未安装 ffmpeg');
const PUBLIC_URL = 'http://example.test';

const shot = (s: TestServer, token: string, body: Record<string, unknown>, form = false): Promise<Answer> =>
  s.client.post(ROUTE, body, { token, form });

async function uploadFile(s: TestServer, token: string, data: Buffer): Promise<string> {
  const res = await upload(s, '/api/chat/uploadStreamSingleToServerDiy/chatVideos', { token, file: { data, name: 'v.mp4' } });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.url;
}

/** Checks a successful answer and that its image is stored and served; returns the decoded image. */
async function checkShot(s: TestServer, res: Answer, format: string, time: number, width: number | string): Promise<Buffer> {
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  expect(res.body.msg).toBe('ok');
  const d = res.body.data as Any;
  expect(Object.keys(d)).toEqual(['base64', 'url', 'format', 'time', 'width']);
  expect({ format: d.format, time: d.time, width: d.width }).toEqual({ format, time, width });
  const prefix = `data:image/${format};base64,`;
  expect(d.base64.startsWith(prefix)).toBe(true);
  const image = Buffer.from(d.base64.slice(prefix.length), 'base64');
  expect(format === 'png' ? isPng(image) : isJpeg(image)).toBe(true);
  expect(d.url).toMatch(new RegExp(`^/public/uploads/Diy/VideoScreenshot/screenshot_\\d{13}_[0-9a-z]{6}\\.${format}$`));
  const got = await fetch(s.url + d.url);
  expect(got.status).toBe(200);
  expect(got.headers.get('content-type')).toBe(format === 'png' ? 'image/png' : 'image/jpeg');
  expect(Buffer.from(await got.arrayBuffer()).equals(image)).toBe(true);
  return image;
}

describe('E31 getVideoScreenshot', () => {
  let s: TestServer;
  let me: Account;
  let video = '';
  beforeAll(async () => {
    s = await startServer({ env: { PUBLIC_URL } });
    me = await s.client.register();
    if (FFMPEG) video = await uploadFile(s, me.token, samples.mp4(2, '320x240'));
  });
  afterAll(() => s.close());

  itFfmpeg('png at 500 ms, 100 wide: inline base64 and a stored copy under Diy/VideoScreenshot', async () => {
    const image = await checkShot(s, await shot(s, me.token, { videoUrl: video, time: 500, width: 100, format: 'png' }), 'png', 500, 100);
    expect(pngSize(image)).toEqual({ width: 100, height: 76 }); // ratio kept, height rounded to even
  });

  itFfmpeg('jpg and jpeg give JPEG images named after the format asked for', async () => {
    for (const format of ['jpg', 'jpeg']) {
      const image = await checkShot(s, await shot(s, me.token, { videoUrl: video, time: 500, width: 100, format }), format, 500, 100);
      expect(jpegSize(image).width).toBe(100);
    }
  });

  itFfmpeg('without width or format: a png of the original width, width "原始宽度"', async () => {
    const image = await checkShot(s, await shot(s, me.token, { videoUrl: video, time: 0 }), 'png', 0, '原始宽度');
    expect(pngSize(image)).toEqual({ width: 320, height: 240 });
  });

  itFfmpeg('the frame depends on time; a form body works too', async () => {
    const a = await checkShot(s, await shot(s, me.token, { videoUrl: video, time: '0', width: '64' }, true), 'png', 0, 64);
    const b = await checkShot(s, await shot(s, me.token, { videoUrl: video, time: '1500', width: '64' }, true), 'png', 1500, 64);
    expect(a.equals(b)).toBe(false);
  });

  itFfmpeg('PUBLIC_URL + an upload path is ours; a visitor may ask', async () => {
    const v = await visitor(s);
    await checkShot(s, await shot(s, v.token, { videoUrl: `${PUBLIC_URL}${video}`, time: 200, width: 50 }), 'png', 200, 50);
    await checkShot(s, await shot(s, me.token, { videoUrl: `${video}?v=1`, time: 200, width: 50 }), 'png', 200, 50);
  });

  it('validation: videoUrl, time, width, format', async () => {
    const base = { videoUrl: '/public/uploads/Diy/x/y.mp4', time: 500 };
    const cases: [Record<string, unknown>, string][] = [
      [{ time: 500 }, '视频地址不能为空'],
      [{ videoUrl: '', time: 500 }, '视频地址不能为空'],
      [{ videoUrl: '   ', time: 500 }, '视频地址不能为空'],
      // The address itself is checked once ffmpeg is known to be there (ffmpegMissing comes first).
      ...(FFMPEG ? [[{ videoUrl: 42, time: 500 }, '不允许的视频地址'] as [Record<string, unknown>, string]] : []),
      [{ videoUrl: base.videoUrl }, '时间点参数无效'],
      [{ ...base, time: -1 }, '时间点参数无效'],
      [{ ...base, time: 'abc' }, '时间点参数无效'],
      [{ ...base, time: '' }, '时间点参数无效'],
      [{ ...base, width: 0 }, '图片宽度应在1-3840之间'],
      [{ ...base, width: 3841 }, '图片宽度应在1-3840之间'],
      [{ ...base, width: 'x' }, '图片宽度应在1-3840之间'],
      [{ ...base, width: 1.5 }, '图片宽度应在1-3840之间'],
      [{ ...base, width: -5 }, '图片宽度应在1-3840之间'],
      [{ ...base, format: 'gif' }, '图片格式只能是 png 或 jpg'],
      [{ ...base, format: 'png/../../x' }, '图片格式只能是 png 或 jpg'],
      [{ ...base, format: 'webp' }, '图片格式只能是 png 或 jpg'],
    ];
    for (const [body, msg] of cases)
      expect(await shot(s, me.token, body), JSON.stringify(body)).toMatchObject({ status: 400, body: fail(msg) });
    expect(await s.client.post(ROUTE, base)).toMatchObject({ status: 400, body: fail('您没有权限访问即时通讯接口') });
  });

  itFfmpeg('refused: local paths outside our uploads, other schemes, loopback, private and unknown hosts', async () => {
    const own = `http://127.0.0.1:${s.port}${video}`;
    const urls = [
      'file:///etc/passwd',
      '/public/uploads/../../etc/passwd',
      '/public/uploads/%2e%2e/%2e%2e/etc/passwd',
      '/public/uploads/Diy/..%2f..%2f..%2fetc%2fpasswd',
      '/public/uploads/%2E%2E/natter.db',
      '/etc/passwd',
      '/public/uploadsX/y.mp4',
      own,
      `http://localhost:${s.port}${video}`,
      'http://127.0.0.1:1/x.mp4',
      'http://localhost/x.mp4',
      'http://10.0.0.1/x.mp4',
      'http://192.168.1.1/x.mp4',
      'http://[::1]/x.mp4',
      'http://169.254.169.254/latest',
      'http://unknown.example/x.mp4',
      'ftp://example.test/x.mp4',
      'concat:/etc/passwd|/etc/hosts',
      'subfile,,start,0,end,0,,:/etc/passwd',
      'pipe:0',
      'data:video/mp4;base64,AAAA',
      `${PUBLIC_URL}/etc/passwd`,
      `${PUBLIC_URL}/public/uploads/../../etc/passwd`,
      `${PUBLIC_URL}.evil.test${video}`,
      `${PUBLIC_URL}@127.0.0.1:${s.port}${video}`,
      `https://example.test${video}`,
      'not a url',
      'http://',
    ];
    for (const videoUrl of urls) {
      expect(await shot(s, me.token, { videoUrl, time: 0, width: 10 }), videoUrl).toMatchObject({ status: 400, body: REFUSED });
    }
  });

  itFfmpeg('an upload that is no video, a time past the end, or a missing file → 400 截图生成失败', async () => {
    const audio = await uploadFile(s, me.token, samples.m4a());
    expect(await shot(s, me.token, { videoUrl: audio, time: 0 })).toMatchObject({ status: 400, body: FAILED });
    expect(await shot(s, me.token, { videoUrl: video, time: 60_000 })).toMatchObject({ status: 400, body: FAILED });
    expect(await shot(s, me.token, { videoUrl: video.replace(/\d+\.mp4$/, '1.mp4'), time: 0 })).toMatchObject({
      status: 400,
      body: FAILED,
    });
  });

  itFfmpeg('no ffmpeg warning is logged when ffmpeg is there', async () => {
    await new Promise((r) => setTimeout(r, 100));
    expect(s.logs.filter((l) => /ffmpeg not found/.test(String(l.msg)))).toEqual([]);
  });
});

describe('E31 with SCREENSHOT_ALLOWED_HOSTS=localhost,127.0.0.1', () => {
  let s: TestServer;
  let me: Account;
  beforeAll(async () => {
    s = await startServer({ env: { SCREENSHOT_ALLOWED_HOSTS: 'localhost,127.0.0.1' } });
    me = await s.client.register();
  });
  afterAll(() => s.close());

  itFfmpeg('an allow-listed host that is or resolves to a loopback address is still refused', async () => {
    const video = await uploadFile(s, me.token, samples.mp4(1));
    for (const host of ['localhost', '127.0.0.1', '0x7f000001', '2130706433', '127.1', 'LOCALHOST', 'user:pw@localhost']) {
      const videoUrl = `http://${host}:${s.port}${video}`;
      expect(await shot(s, me.token, { videoUrl, time: 0 }), videoUrl).toMatchObject({ status: 400, body: REFUSED });
    }
  });
});

describe('E31 without ffmpeg (FFMPEG_PATH=/nonexistent/ffmpeg)', () => {
  let s: TestServer;
  let me: Account;
  beforeAll(async () => {
    s = await startServer({ env: { FFMPEG_PATH: '/nonexistent/ffmpeg' }, allow5xx: true });
    me = await s.client.register();
  });
  afterAll(() => s.close());

  it('the route answers 截图功能不可用：服务器未安装 ffmpeg and the server warned at start', async () => {
    const res = await shot(s, me.token, { videoUrl: '/public/uploads/Diy/x/20250101/1_1.mp4', time: 500, width: 100 });
    expect([400, 503]).toContain(res.status);
    expect(res.body).toEqual(NO_FFMPEG);
    await waitFor(() => s.logs.some((l) => Number(l.level) === 40 && /ffmpeg/.test(String(l.msg))), 'the ffmpeg warning');
    const warning = s.logs.find((l) => Number(l.level) === 40 && /ffmpeg/.test(String(l.msg)));
    expect(warning).toMatchObject({ ffmpeg: '/nonexistent/ffmpeg' });
  });

  it('parameters are still checked first', async () => {
    expect(await shot(s, me.token, { time: 1 })).toMatchObject({ status: 400, body: fail('视频地址不能为空') });
  });
});

describe('E31 redirects from an allow-listed host (service level; the host is made "public" by a fake resolver)', () => {
  let server: http.Server;
  let dir: string;
  const hits: string[] = [];
  beforeAll(async () => {
    dir = tempDir();
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      const port = (server.address() as AddressInfo).port;
      if (req.url === '/start.mp4') res.writeHead(302, { location: `http://127.0.0.1:${port}/internal.mp4` }).end();
      else if (req.url === '/internal.mp4' && FFMPEG) res.writeHead(200, { 'content-type': 'video/mp4' }).end(samples.mp4(1));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A media service whose first download hop may reach this loopback test server ("localhost" is allow-listed). */
  const service = (folder: string) => {
    const local = new LocalFileStore(path.join(dir, folder), '/public/uploads');
    return new MediaService(
      {
        local,
        objects: local,
        frames: new FfmpegFrameGrabber('ffmpeg'),
        localPath: (rel) => local.pathOf(rel),
        resolvesToPublic: async (h) => h === 'localhost',
        download: (u, d, l) => downloadPublic(u, d, l, () => true),
        tempFile: () => local.tempFile(),
      },
      systemClock,
      { maxBytes: 1 << 20, tzOffsetMinutes: 480, publicUrl: undefined, screenshotHosts: ['localhost'] },
    );
  };

  itFfmpeg('a redirect from an allow-listed host is not followed (here to loopback)', async () => {
    const media = service('uploads');
    const port = (server.address() as AddressInfo).port;
    const outcome = await media.screenshot({ videoUrl: `http://localhost:${port}/start.mp4`, time: 0, width: 16, format: 'png' }).then(
      () => 'a screenshot of the redirect target',
      (e: Error) => e.message,
    );
    expect({ outcome, internalFetched: hits.includes('/internal.mp4') }).toEqual({
      outcome: expect.not.stringMatching(/^a screenshot/),
      internalFetched: false,
    });
  });

  itFfmpeg('a video on an allow-listed host is downloaded and its frame returned', async () => {
    const media = service('uploads-ok');
    const port = (server.address() as AddressInfo).port;
    const res = await media.screenshot({ videoUrl: `http://localhost:${port}/internal.mp4`, time: 0, width: 16, format: 'png' });
    expect(res.base64.startsWith('data:image/png;base64,')).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'uploads-ok', '.tmp'))).toEqual([]);
  });
});
