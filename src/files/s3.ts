import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { S3Config } from '../config.js';
import { FileRejected, HEAD_BYTES, type FileStore, type SaveOptions, type Saved } from './port.js';

/**
 * S3-compatible object storage (AWS S3, Aliyun OSS, MinIO). The first bytes are read to decide
 * the type and key; the rest streams through a multipart upload that is aborted (nothing left
 * behind) when the file is refused or the client goes away.
 */
export class S3FileStore implements FileStore {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly cfg: S3Config) {
    this.client = new S3Client({
      endpoint: cfg.endpoint,
      region: cfg.region,
      credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private urlOf(key: string): string {
    const base = this.cfg.publicUrl ?? `${this.cfg.endpoint}/${this.cfg.bucket}`;
    return `${base}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  async save(source: Readable, opts: SaveOptions): Promise<Saved> {
    const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first: Buffer[] = [];
    let seen = 0;
    let done = false;
    while (seen < HEAD_BYTES) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      first.push(r.value);
      seen += r.value.length;
    }
    if (seen === 0) throw new FileRejected('empty');
    if (seen > opts.maxBytes) throw new FileRejected('size');
    const accepted = await opts.accept(Buffer.concat(first).subarray(0, HEAD_BYTES));
    if (!accepted) throw new FileRejected('type');
    const key = opts.key(accepted.ext);

    let size = 0;
    let tooBig = false;
    async function* body(): AsyncGenerator<Buffer> {
      for (const c of first) {
        size += c.length;
        yield c;
      }
      while (!done) {
        const r = await it.next();
        if (r.done) break;
        size += r.value.length;
        if (size > opts.maxBytes) {
          tooBig = true;
          throw new FileRejected('size');
        }
        yield r.value;
      }
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.cfg.bucket, Key: key, Body: Readable.from(body()), ContentType: accepted.contentType },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      await upload.abort().catch(() => undefined);
      if (tooBig) throw new FileRejected('size');
      throw e;
    }
    return { key, url: this.urlOf(key), size, contentType: accepted.contentType };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
