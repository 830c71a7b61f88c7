import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import QRCode from 'qrcode';
import { it } from 'vitest';
import type { S3Config } from '../../src/config.js';
import type { Answer } from './client.js';
import { tempDir } from './databases.js';
import type { TestServer } from './server.js';

/** Helpers for the media suites (E30a, E30b, E31): sample files, multipart requests, disk listings. */

export const FFMPEG = spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0;

/**
 * `it` for cases that need the system ffmpeg: skipped with the reason when it is missing, or
 * failed when TEST_REQUIRE_FFMPEG is set (CI machines must have it).
 */
export function itFfmpeg(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (FFMPEG) it(name, fn, timeout);
  else if (process.env.TEST_REQUIRE_FFMPEG)
    it(name, () => {
      throw new Error('ffmpeg is not installed but TEST_REQUIRE_FFMPEG is set');
    });
  else it.skip(`${name} [skipped: ffmpeg is not installed]`, fn);
}

const made = new Map<string, Buffer>();

/** A file made by ffmpeg from a lavfi source, e.g. sample('mp4', 'testsrc=duration=1:size=64x64:rate=5'). */
export function sample(ext: string, lavfi: string, extra: string[] = []): Buffer {
  const key = `${ext}|${lavfi}|${extra.join(' ')}`;
  const hit = made.get(key);
  if (hit) return hit;
  const out = path.join(os.tmpdir(), `natter-media-${process.pid}-${randomBytes(4).toString('hex')}.${ext}`);
  let buf: Buffer;
  try {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', lavfi, ...extra, out], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`ffmpeg could not make ${ext}: ${r.stderr}`);
    buf = fs.readFileSync(out);
  } finally {
    fs.rmSync(out, { force: true });
  }
  made.set(key, buf);
  return buf;
}

export const samples = {
  jpeg: () => sample('jpg', 'testsrc=size=48x32', ['-frames:v', '1']),
  mp4: (seconds = 1, size = '64x64') => sample('mp4', `testsrc=duration=${seconds}:size=${size}:rate=5`, ['-pix_fmt', 'yuv420p']),
  m4a: () => sample('m4a', 'sine=duration=1'),
  mp3: () => sample('mp3', 'sine=duration=1'),
};

/** A real PNG (a QR code), optionally padded with zero bytes to exactly `size` bytes. */
export async function png(size?: number): Promise<Buffer> {
  const img = await QRCode.toBuffer(`natter ${randomBytes(4).toString('hex')}`, { margin: 1, scale: 2 });
  if (size === undefined) return img;
  if (img.length > size) throw new Error(`png is already ${img.length} bytes`);
  return Buffer.concat([img, Buffer.alloc(size - img.length)]);
}

export const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

/** Width and height from a JPEG's start-of-frame segment. */
export function jpegSize(b: Buffer): { width: number; height: number } {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) throw new Error('not a JPEG segment');
    const marker = b[i + 1] as number;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error('no SOF segment');
}

export const isPng = (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
export const isJpeg = (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** YYYYMMDD of an instant in +08:00. */
export function day8(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export interface FilePart {
  data: Buffer;
  name?: string;
  type?: string;
  field?: string;
}

/** A multipart upload with fetch (FormData + Blob); fields are sent before the file. */
export async function upload(
  s: TestServer,
  route: string,
  o: { token?: string; file?: FilePart; fields?: Record<string, string> } = {},
): Promise<Answer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(o.fields ?? {})) form.append(k, v);
  if (o.file)
    form.append(
      o.file.field ?? 'file',
      new Blob([new Uint8Array(o.file.data)], { type: o.file.type ?? 'application/octet-stream' }),
      o.file.name ?? 'upload.bin',
    );
  const res = await fetch(s.url + route, { method: 'POST', headers: o.token ? { token: o.token } : {}, body: form });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/** A multipart body built by hand (for raw paths and partial sends). */
export function multipartBody(file: FilePart, boundary = `----natter${randomBytes(8).toString('hex')}`) {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name ?? 'a.bin'}"\r\n` +
      `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { head, tail, body: Buffer.concat([head, file.data, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A request whose path is sent exactly as given (fetch would normalise `..`). */
export function rawRequest(
  s: TestServer,
  method: string,
  rawPath: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: s.port,
      method,
      path: rawPath,
      headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.end(body);
  });
}

/**
 * Stops the server and tells whether its graceful stop finished within `ms`; if it did not, its
 * connections are cut so that the test run itself can end.
 */
export async function closesWithin(s: TestServer, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closing = s.close();
  const ok = await Promise.race([closing.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  if (!ok) {
    s.app.http.server.closeAllConnections();
    await closing.catch(() => undefined);
  }
  return ok;
}

/** Every file (not folder) below `dir`, as paths relative to it, dotfiles included. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

export const uploadsOf = (s: TestServer) => path.join(s.app.config.dataDir, 'uploads');

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Sends the head of a multipart upload announcing `announced` bytes, then `sent` bytes of the file,
 * waits for `ready` (e.g. a temporary file on disk) and destroys the socket.
 */
export async function abortedUpload(
  s: TestServer,
  route: string,
  token: string,
  start: Buffer,
  ready: () => boolean | Promise<boolean>,
  field = 'file',
): Promise<void> {
  const mp = multipartBody({ data: Buffer.alloc(0), name: 'big.png', type: 'image/png', field });
  const req = http.request({
    host: '127.0.0.1',
    port: s.port,
    method: 'POST',
    path: route,
    headers: { token, 'content-type': mp.contentType, 'content-length': String(mp.head.length + 10 * 1024 * 1024) },
  });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  req.write(mp.head);
  req.write(start);
  try {
    await waitFor(ready, 'the server to start storing the upload');
  } finally {
    req.destroy();
  }
}

export const msWindow = (ms: number, before: number, after: number) => ms >= before && ms <= after;

interface S3rverLike {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (o: Record<string, unknown>) => S3rverLike;

/** An in-process S3-compatible server (s3rver) with one bucket, and a client to look into it. */
export interface S3Bucket {
  endpoint: string;
  bucket: string;
  /** The store settings for it (as `loadConfig` makes them from `env`). */
  config: S3Config;
  /** The S3_* settings of a server storing there. */
  env: Record<string, string>;
  client: S3Client;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  object(key: string): Promise<{ type: string | undefined; bytes: Buffer }>;
  close(): Promise<void>;
}

export async function startS3rver(bucket = 'natter-test'): Promise<S3Bucket> {
  const dir = tempDir();
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const config: S3Config = {
    endpoint,
    bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    publicUrl: undefined,
  };
  const client = new S3Client({
    endpoint,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    config,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: config.accessKeyId,
      S3_SECRET_ACCESS_KEY: config.secretAccessKey,
      S3_REGION: config.region,
    },
    client,
    keys: async () => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key as string).sort(),
    async object(key) {
      const o = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return {
        type: o.ContentType,
        bytes: Buffer.from(await (o.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      };
    },
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
