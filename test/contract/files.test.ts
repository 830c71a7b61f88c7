import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFileStore } from '../../src/files/local.js';
import { FileRejected, HEAD_BYTES, type Accepted, type FileStore, type SaveOptions } from '../../src/files/port.js';
import { S3FileStore } from '../../src/files/s3.js';
import { tempDir } from '../helpers/databases.js';
import { listFiles, png, startS3rver, type S3Bucket } from '../helpers/media.js';

/**
 * The file-storage contract (src/files/port.ts, DESIGN §7): `save` streams a source, lets the
 * caller accept or refuse it from its first bytes, enforces the size limit, stores it under the
 * caller's key and answers where it is; when it fails (refused, too large, empty, or the source
 * breaks off) nothing is left behind. One suite, run against the local disk and against S3 (an
 * in-process s3rver).
 */
interface Opened {
  store: FileStore;
  /** What the url of a key starts with (the url is `<base>/<key>` for plain keys). */
  base: string;
  /** Everything the store holds, scratch files included, as sorted names. */
  contents(): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

interface Impl {
  name: string;
  open(): Promise<Opened>;
}

const impls: Impl[] = [
  {
    name: 'LocalFileStore',
    open: async () => {
      const dir = tempDir();
      const root = path.join(dir, 'uploads');
      const store = new LocalFileStore(root, '/public/uploads');
      return {
        store,
        base: '/public/uploads',
        contents: async () => listFiles(root),
        read: (key) => fs.promises.readFile(path.join(root, key)),
        close: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'S3FileStore',
    open: async () => {
      const s3: S3Bucket = await startS3rver();
      const store = new S3FileStore(s3.config);
      return {
        store,
        base: `${s3.endpoint}/${s3.bucket}`,
        contents: () => s3.keys(),
        read: async (key) => (await s3.object(key)).bytes,
        close: async () => {
          await store.close();
          await s3.close();
        },
      };
    },
  },
];

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG: Accepted = { ext: '.png', contentType: 'image/png' };

/** A source giving `data` in chunks of `chunk` bytes, each on a later turn of the event loop; `given` counts the bytes it gave. */
function chunked(data: Buffer, chunk: number, given = { bytes: 0 }): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < data.length; i += chunk) {
        await new Promise((r) => setImmediate(r));
        const part = data.subarray(i, i + chunk);
        given.bytes += part.length;
        yield part;
      }
    })(),
  );
}

/** A source that gives the first `bytes` of `data`, then fails with `error`. */
function breaking(data: Buffer, bytes: number, error: Error, chunk = 1000): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < bytes; i += chunk) {
        await new Promise((r) => setImmediate(r));
        yield data.subarray(i, Math.min(i + chunk, bytes));
      }
      throw error;
    })(),
  );
}

/** Save options that accept PNGs and record what the store asked. */
function options(maxBytes: number, key: (ext: string) => string) {
  const heads: Buffer[] = [];
  const exts: string[] = [];
  const opts: SaveOptions = {
    maxBytes,
    accept: async (head) => {
      heads.push(Buffer.from(head));
      return head.subarray(0, 8).equals(PNG_MAGIC) ? PNG : null;
    },
    key: (ext) => {
      exts.push(ext);
      return key(ext);
    },
  };
  return { opts, heads, exts };
}

/** The reason of a FileRejected rejection (fails for anything else). */
async function rejectedFor(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    (v) => {
      throw new Error(`expected FileRejected, got ${JSON.stringify(v)}`);
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FileRejected);
  return (e as FileRejected).reason;
}

/** A PNG of exactly `size` bytes whose bytes after the header are not all the same. */
async function pngOf(size: number): Promise<Buffer> {
  const head = await png();
  return Buffer.concat([head, randomBytes(size - head.length)]);
}

let n = 0;
const keyFor = (dir: string) => (ext: string) => `${dir}/${Date.now()}_${n++}${ext}`;

for (const impl of impls) {
  describe(`file store contract [${impl.name}]`, () => {
    let o: Opened;
    beforeAll(async () => {
      o = await impl.open();
    });
    afterAll(async () => {
      await o?.close();
    });

    it('stores an accepted file under the key made for the accepted extension and answers key, url, size and type', async () => {
      const data = await pngOf(10_000);
      const { opts, heads, exts } = options(1024 * 1024, keyFor('images/20250101'));
      const before = await o.contents();
      const saved = await o.store.save(chunked(data, 700), opts);
      expect(saved).toEqual({
        key: expect.stringMatching(/^images\/20250101\/\d+_\d+\.png$/),
        url: `${o.base}/${saved.key}`,
        size: data.length,
        contentType: 'image/png',
      });
      // The first bytes, however the source cut them: up to HEAD_BYTES, asked once.
      expect(heads).toEqual([data.subarray(0, HEAD_BYTES)]);
      expect(exts).toEqual(['.png']);
      expect((await o.read(saved.key)).equals(data)).toBe(true);
      expect(await o.contents()).toEqual([...before, saved.key].sort());
    });

    it('a file smaller than the head is handed over whole, and stored byte for byte', async () => {
      const data = await png();
      const { opts, heads } = options(1024 * 1024, keyFor('small'));
      const saved = await o.store.save(Readable.from([data]), opts);
      expect(heads).toEqual([data]);
      expect(saved.size).toBe(data.length);
      expect((await o.read(saved.key)).equals(data)).toBe(true);
    });

    it('a file of exactly maxBytes is stored; one byte more is refused as size and leaves nothing', async () => {
      for (const [limit, chunk] of [
        [2048, 4096],
        [20_000, 1000],
      ] as const) {
        const exact = await pngOf(limit);
        const saved = await o.store.save(chunked(exact, chunk), options(limit, keyFor('limit')).opts);
        expect(saved.size).toBe(limit);
        const before = await o.contents();
        const over = await pngOf(limit + 1);
        expect(await rejectedFor(o.store.save(chunked(over, chunk), options(limit, keyFor('limit')).opts)), `limit ${limit}`).toBe('size');
        expect(await o.contents()).toEqual(before);
      }
    });

    it('a file far over the limit is refused as size without reading it all, and leaves nothing', async () => {
      const before = await o.contents();
      const big = await pngOf(3 * 1024 * 1024);
      const given = { bytes: 0 };
      expect(await rejectedFor(o.store.save(chunked(big, 64 * 1024, given), options(100_000, keyFor('big')).opts))).toBe('size');
      expect(given.bytes).toBeLessThan(big.length);
      expect(await o.contents()).toEqual(before);
    });

    it('an empty file is refused as empty before anything is asked, and leaves nothing', async () => {
      const before = await o.contents();
      const { opts, heads, exts } = options(1024, keyFor('empty'));
      expect(await rejectedFor(o.store.save(Readable.from([]), opts))).toBe('empty');
      expect(heads).toEqual([]);
      expect(exts).toEqual([]);
      expect(await o.contents()).toEqual(before);
    });

    it('a file the caller refuses is refused as type, no key is made, and nothing is left', async () => {
      const before = await o.contents();
      for (const data of [Buffer.from('plain text, no magic bytes\n'.repeat(400)), Buffer.from('<html>hello</html>')]) {
        const { opts, heads, exts } = options(1024 * 1024, keyFor('refused'));
        expect(await rejectedFor(o.store.save(chunked(data, 1000), opts))).toBe('type');
        expect(heads).toEqual([data.subarray(0, HEAD_BYTES)]);
        expect(exts).toEqual([]);
      }
      expect(await o.contents()).toEqual(before);
    });

    it('a source that fails midway makes save reject with its error and leaves nothing, within the head or after it', async () => {
      const data = await pngOf(200_000);
      for (const at of [1000, 50_000]) {
        const before = await o.contents();
        const broken = new Error(`connection reset after ${at} bytes`);
        const e = await o.store.save(breaking(data, at, broken), options(1024 * 1024, keyFor('broken')).opts).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e, `failing after ${at} bytes`).toBe(broken);
        expect(await o.contents()).toEqual(before);
      }
    });

    it('a 6 MB file streams through and reads back byte for byte', async () => {
      const data = await pngOf(6 * 1024 * 1024);
      const saved = await o.store.save(chunked(data, 256 * 1024), options(50 * 1024 * 1024, keyFor('video')).opts);
      expect(saved.size).toBe(data.length);
      expect((await o.read(saved.key)).equals(data)).toBe(true);
    });

    it('saves at the same time land each under its own key', async () => {
      const files = await Promise.all(Array.from({ length: 8 }, () => pngOf(5000 + Math.floor(Math.random() * 5000))));
      const saved = await Promise.all(
        files.map((f, i) => o.store.save(chunked(f, 999), options(1024 * 1024, (ext) => `many/${i}${ext}`).opts)),
      );
      expect(saved.map((s) => s.key)).toEqual(files.map((_, i) => `many/${i}.png`));
      for (const [i, f] of files.entries()) expect((await o.read(`many/${i}.png`)).equals(f)).toBe(true);
    });
  });
}

describe('LocalFileStore specifics', () => {
  it('a key that would leave the root is refused as type, and nothing is left', async () => {
    const dir = tempDir();
    try {
      const root = path.join(dir, 'uploads');
      const store = new LocalFileStore(root, '/public/uploads');
      for (const key of ['../escape.png', '/etc/escape.png', 'a/../../escape.png', '']) {
        expect(await rejectedFor(store.save(Readable.from([await png()]), options(1024 * 1024, () => key).opts)), key).toBe('type');
      }
      expect(listFiles(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('S3FileStore specifics', () => {
  let s3: S3Bucket;
  beforeAll(async () => {
    s3 = await startS3rver();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('url: S3_PUBLIC_URL (else endpoint/bucket) and the key, each path segment URL-encoded', async () => {
    const cdn = new S3FileStore({ ...s3.config, publicUrl: 'https://cdn.example.test/media' });
    const plain = new S3FileStore(s3.config);
    try {
      const key = 'dir with space/名字 #1.png';
      const a = await cdn.save(Readable.from([await png()]), options(1024 * 1024, () => key).opts);
      expect(a.url).toBe(`https://cdn.example.test/media/dir%20with%20space/${encodeURIComponent('名字 #1.png')}`);
      const b = await plain.save(Readable.from([await png()]), options(1024 * 1024, () => key).opts);
      expect(b.url).toBe(`${s3.endpoint}/${s3.bucket}/dir%20with%20space/${encodeURIComponent('名字 #1.png')}`);
      expect(await s3.keys()).toEqual([key]);
      expect((await s3.object(key)).type).toBe('image/png');
    } finally {
      await cdn.close();
      await plain.close();
    }
  });
});
