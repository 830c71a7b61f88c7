import { randomBytes, randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../domain/clock.js';
import { failure } from '../domain/failures.js';
import { formatLocal } from '../domain/time.js';
import { FileRejected, type Accepted, type Downloader, type FileStore, type FrameGrabber } from '../files/port.js';

/** Types accepted for upload, decided from the content (magic bytes), never from the name. */
const ALLOWED = new Set([
  'jpg',
  'png',
  'gif',
  'webp',
  'bmp',
  'heic',
  'avif',
  'mp4',
  'mov',
  'm4v',
  'webm',
  'mkv',
  'avi',
  '3gp',
  'flv',
  'mp3',
  'm4a',
  'aac',
  'wav',
  'ogg',
  'oga',
  'opus',
  'amr',
  'flac',
  'pdf',
  'docx',
  'xlsx',
  'pptx',
]);

export async function acceptUpload(head: Buffer): Promise<Accepted | null> {
  // Loaded on first upload (start-up time).
  const { fileTypeFromBuffer } = await import('file-type');
  const t = await fileTypeFromBuffer(head);
  return t && ALLOWED.has(t.ext) ? { ext: `.${t.ext}`, contentType: t.mime } : null;
}

const DIR_SEGMENT = /^[A-Za-z0-9-]{1,64}$/;

export interface MediaDeps {
  /** Local disk under DATA_DIR/uploads, served at /public/uploads. */
  local: FileStore;
  /** Object storage for uploadAliyun (the local store when none is configured). */
  objects: FileStore;
  frames: FrameGrabber;
  /** The file behind a `/public/uploads/...` path, if it is one of ours. */
  localPath(urlPath: string): string | undefined;
  resolvesToPublic(host: string): Promise<boolean>;
  download: Downloader;
  /** A fresh path for a temporary file, and its removal. */
  tempFile(): { path: string; remove(): Promise<void> };
}

export interface MediaOptions {
  maxBytes: number;
  tzOffsetMinutes: number;
  publicUrl: string | undefined;
  screenshotHosts: string[];
}

/** E31 input, checked for type and range by the caller (the HTTP parameter layer). */
export interface ScreenshotInput {
  videoUrl: string;
  /** ms into the video, ≥ 0. */
  time: number;
  width: number | undefined;
  format: string;
}

/** Uploads (E30a, E30b) and video frames (E31). */
export class MediaService {
  constructor(
    private readonly d: MediaDeps,
    private readonly clock: Clock,
    private readonly opts: MediaOptions,
  ) {}

  private day(): string {
    return formatLocal(this.clock.now(), this.opts.tzOffsetMinutes, 'YYYYMMDD');
  }

  private async store(target: FileStore, source: Readable, key: (ext: string) => string) {
    try {
      return await target.save(source, { maxBytes: this.opts.maxBytes, accept: acceptUpload, key });
    } catch (e) {
      if (e instanceof FileRejected) {
        const key = ({ empty: 'emptyFile', type: 'fileTypeRefused', size: 'fileTooLarge' } as const)[e.reason];
        throw failure(key);
      }
      throw e;
    }
  }

  /** The folders of a `diydir` (`a_b` → a/b): letters, digits and `-` only, at most 5 levels. */
  diyDirs(diydir: string): string[] {
    const dirs = diydir.split('_');
    if (dirs.length > 5 || !dirs.every((s) => DIR_SEGMENT.test(s))) throw failure('badUploadDir');
    return dirs;
  }

  /** E30a: `diydir` `a_b` stores under `Diy/a/b/<YYYYMMDD>/<ms>_<random><ext>`. */
  async uploadDiy(source: Readable, diydir: string): Promise<{ url: string }> {
    const dirs = this.diyDirs(diydir);
    const saved = await this.store(
      this.d.local,
      source,
      (ext) => `Diy/${dirs.join('/')}/${this.day()}/${this.clock.now()}_${randomInt(0, 100_000_000)}${ext}`,
    );
    return { url: saved.url };
  }

  /** E30b: `images/<YYYYMMDD>/<ms>_<12 hex><ext>` in object storage. */
  async uploadImage(source: Readable, classId: number) {
    const saved = await this.store(
      this.d.objects,
      source,
      (ext) => `images/${this.day()}/${this.clock.now()}_${randomBytes(6).toString('hex')}${ext}`,
    );
    return [{ url: saved.url, path: saved.key, image_class_id: classId, create_time: Math.floor(this.clock.now() / 1000) }];
  }

  /** The input ffmpeg may read: one of our uploads, or a video on an allow-listed public host. */
  private async videoInput(videoUrl: string): Promise<string | URL> {
    const ours = (path: string) => {
      if (!path.startsWith('/public/uploads/')) return undefined;
      let rel: string;
      try {
        rel = decodeURIComponent(path.slice('/public/uploads/'.length));
      } catch {
        return undefined;
      }
      return rel.split('/').includes('..') ? undefined : this.d.localPath(rel);
    };
    if (videoUrl.startsWith('/')) {
      const file = ours(videoUrl.split('?')[0] ?? '');
      if (file) return file;
      throw failure('videoUrlRefused');
    }
    let url: URL;
    try {
      url = new URL(videoUrl);
    } catch {
      throw failure('videoUrlRefused');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw failure('videoUrlRefused');
    if (this.opts.publicUrl && videoUrl.startsWith(`${this.opts.publicUrl}/public/uploads/`)) {
      const file = ours(url.pathname);
      if (file) return file;
    }
    const host = url.host.toLowerCase();
    if (!this.opts.screenshotHosts.includes(host) && !this.opts.screenshotHosts.includes(url.hostname.toLowerCase())) {
      throw failure('videoUrlRefused');
    }
    if (url.username || url.password || !(await this.d.resolvesToPublic(url.hostname))) throw failure('videoUrlRefused');
    return url;
  }

  /** A frame of a local file, or of a remote one downloaded first (ffmpeg never touches the network). */
  private async frame(input: string | URL, atSeconds: number, width: number | undefined, format: 'png' | 'jpg'): Promise<Buffer> {
    if (typeof input === 'string') return this.d.frames.grab(input, atSeconds, width, format);
    const tmp = this.d.tempFile();
    try {
      await this.d.download(input, tmp.path, { maxBytes: this.opts.maxBytes, timeoutMs: 20_000 });
      return await this.d.frames.grab(tmp.path, atSeconds, width, format);
    } finally {
      await tmp.remove();
    }
  }

  /** E31: the frame at `time` ms, scaled to `width`, as png or jpg; stored and returned inline. */
  async screenshot(p: ScreenshotInput) {
    const videoUrl = p.videoUrl.trim();
    if (!videoUrl) throw failure('videoUrlMissing');
    const { time, width } = p;
    const format = p.format.toLowerCase();
    if (!['png', 'jpg', 'jpeg'].includes(format)) throw failure('badFormat');
    if (!(await this.d.frames.available())) throw failure('ffmpegMissing');
    const input = await this.videoInput(videoUrl);

    let image: Buffer;
    try {
      image = await this.frame(input, time / 1000, width, format === 'png' ? 'png' : 'jpg');
    } catch {
      throw failure('screenshotFailed');
    }
    const name = `screenshot_${this.clock.now()}_${randomInt(0, 36 ** 6)
      .toString(36)
      .padStart(6, '0')}.${format}`;
    const saved = await this.d.local.save(Readable.from([image]), {
      maxBytes: 64 * 1024 * 1024,
      accept: async () => ({ ext: `.${format}`, contentType: format === 'png' ? 'image/png' : 'image/jpeg' }),
      key: () => `Diy/VideoScreenshot/${name}`,
    });
    return {
      base64: `data:image/${format};base64,${image.toString('base64')}`,
      url: saved.url,
      format,
      time,
      width: width ?? '原始宽度',
    };
  }
}
