import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileRejected, HEAD_BYTES, type FileStore, type SaveOptions, type Saved } from './port.js';

/**
 * Files under `<root>` (DATA_DIR/uploads), served at `<urlPrefix>/<key>`. A file is written to a
 * temporary name first and renamed into place only once it is complete and accepted.
 */
export class LocalFileStore implements FileStore {
  readonly kind = 'local';

  constructor(
    readonly root: string,
    private readonly urlPrefix: string,
  ) {
    fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  }

  /** The absolute path of a key, or undefined if the key would leave the root. */
  pathOf(key: string): string | undefined {
    const full = path.resolve(this.root, key);
    return full.startsWith(this.root + path.sep) ? full : undefined;
  }

  /** A path for a temporary file inside the store's scratch folder. */
  tempFile(): { path: string; remove(): Promise<void> } {
    const p = path.join(this.root, '.tmp', `${Date.now()}_${randomBytes(8).toString('hex')}`);
    return { path: p, remove: () => fs.promises.rm(p, { force: true }) };
  }

  async save(source: Readable, opts: SaveOptions): Promise<Saved> {
    const tmp = path.join(this.root, '.tmp', `${Date.now()}_${randomBytes(8).toString('hex')}`);
    const chunks: Buffer[] = [];
    let headLen = 0;
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > opts.maxBytes) return cb(new FileRejected('size'));
        if (headLen < HEAD_BYTES) {
          chunks.push(chunk);
          headLen += chunk.length;
        }
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, fs.createWriteStream(tmp, { mode: 0o640 }));
      if (size === 0) throw new FileRejected('empty');
      const accepted = await opts.accept(Buffer.concat(chunks).subarray(0, HEAD_BYTES));
      if (!accepted) throw new FileRejected('type');
      const key = opts.key(accepted.ext);
      const dest = this.pathOf(key);
      if (!dest) throw new FileRejected('type');
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      await fs.promises.rename(tmp, dest);
      return { key, url: `${this.urlPrefix}/${key}`, size, contentType: accepted.contentType };
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }
}
