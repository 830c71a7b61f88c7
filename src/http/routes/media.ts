import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { finished } from 'node:stream/promises';
import { setTimeout as wait } from 'node:timers/promises';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import { failure } from '../../domain/failures.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import { Fail } from '../schemas/common.js';

type FilePart = NonNullable<Awaited<ReturnType<FastifyRequest['file']>>>;

const tooLarge = (e: unknown): boolean => (e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE';

/**
 * Whether an error is the request body's fault rather than ours: the multipart parser's (no
 * boundary, a part cut short, a malformed header) or the client going away mid-upload.
 */
function badBody(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof AppError) return false;
  const code = (e as { code?: string }).code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || e.message === 'aborted') return true;
  return (
    (e as { statusCode?: number }).statusCode === undefined && /multipart|part header|boundary|unexpected end of form/i.test(e.message)
  );
}

/** How long an answer given before its file was read waits for the client to finish sending it. */
const DISCARD_WAIT_MS = 5_000;

/**
 * When a request is answered before its file was read, the rest of the body is read and thrown
 * away first (at most the upload limit, for at most DISCARD_WAIT_MS), so that a client still
 * sending gets the answer instead of a connection closed under its write. A client slower than
 * that gets the answer with `connection: close`, and the connection is closed after it, so that
 * neither a slow nor a vanished client can hold it.
 */
async function discard(req: FastifyRequest, reply: FastifyReply, file: FilePart['file']): Promise<void> {
  if (file.readableEnded) return;
  file.resume();
  const timer = new AbortController();
  await Promise.race([
    finished(req.raw).catch(() => undefined),
    wait(DISCARD_WAIT_MS, undefined, { signal: timer.signal }).catch(() => undefined),
  ]);
  timer.abort();
  if (req.raw.readableEnded) return;
  void reply.header('connection', 'close');
  req.raw.once('close', () => req.raw.destroy());
}

/** The first file part of a multipart request, with the fields sent before it; undefined when there is none. */
async function firstFile(req: FastifyRequest): Promise<FilePart | undefined> {
  if (!req.isMultipart()) return undefined;
  try {
    return await req.file();
  } catch (e) {
    if (badBody(e)) throw failure('badRequest');
    throw e;
  }
}

/** Stores an uploaded file; when that fails, the rest of the body is discarded and the failure worded. */
async function storing<T>(req: FastifyRequest, reply: FastifyReply, file: FilePart['file'], save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (e) {
    await discard(req, reply, file);
    if (tooLarge(e)) throw failure('fileTooLarge');
    if (badBody(e)) throw failure('badRequest');
    throw e;
  }
}

/** E30b words each of its failures as `上传失败: <reason>`. */
async function uploadFailed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof AppError ? failure('uploadFailed', { detail: e.message }) : e;
  }
}

/**
 * E30b's category: the query's `imageClassId` when there is one (even an invalid one), else the
 * field `image_class_id` sent before the file; anything but 1–9 digits is 0. Read by hand, as the
 * validator cannot tell an absent value (which falls back to the field) from an invalid one.
 */
function imageClassId(req: FastifyRequest, part: FilePart): number {
  const field = part.fields.image_class_id as { value?: unknown } | undefined;
  const raw = (req.query as { imageClassId?: unknown }).imageClassId ?? field?.value;
  return /^\d{1,9}$/.test(String(raw ?? '')) ? Number(raw) : 0;
}

/** E30a uploadStreamSingleToServerDiy, E30b uploadAliyun, E31 getVideoScreenshot. */
export function mediaRoutes(app: FastifyInstance, d: HttpDeps): void {
  const route = routes(app, d.auth, { tags: ['media'], auth: 'token' });

  route.post('/api/chat/uploadStreamSingleToServerDiy/:diydir', {
    summary: 'Upload a file to this server (E30a)',
    description:
      '`diydir` `a_b` stores under `/public/uploads/Diy/a/b/<YYYYMMDD>/`. Images, audio, video and PDF/Office files, checked on content.',
    params: { diydir: p.str('上传目录', { required: true, min: 1, max: 200, path: true }) },
    multipart: { file: Type.String({ format: 'binary', description: 'the file (the first file part is taken)' }) },
    data: Type.Object({ url: Type.String() }),
    handler: async ({ diydir }, _c, req, reply) => {
      d.media.diyDirs(diydir);
      const part = await firstFile(req);
      if (!part) throw failure('noFile');
      return storing(req, reply, part.file, () => d.media.uploadDiy(part.file, diydir));
    },
  });

  route.post('/api/chat/uploadAliyun', {
    summary: 'Upload an image to object storage (E30b)',
    description: 'The file field must be named `img`; `imageClassId` (query) or `image_class_id` (field) is echoed back.',
    // Documentation only: read by `imageClassId` above.
    params: { imageClassId: p.int('图片或者文件分类id', { def: 0, min: 0, max: 999_999_999 }) },
    multipart: { img: Type.String({ format: 'binary' }), image_class_id: Type.Optional(Type.Integer()) },
    data: Type.Array(Type.Object({ url: Type.String(), path: Type.String(), image_class_id: Type.Integer(), create_time: Type.Integer() })),
    handler: (_i, _c, req, reply) =>
      uploadFailed(async () => {
        const part = await firstFile(req);
        if (part?.fieldname !== 'img') {
          if (part) await discard(req, reply, part.file);
          throw failure('imgFieldRequired');
        }
        return storing(req, reply, part.file, () => d.media.uploadImage(part.file, imageClassId(req, part)));
      }),
  });

  // Checked by hand in the original: its failures are 400s with their own messages (`invalid`).
  route.post('/api/chat/getVideoScreenshot', {
    summary: 'A frame of a video as an image (E31)',
    description: 'Reads only videos uploaded here (`/public/uploads/...`) or on hosts in SCREENSHOT_ALLOWED_HOSTS. Needs ffmpeg.',
    params: {
      videoUrl: p.str('视频地址', { required: true, max: 2000, invalid: 'videoUrlMissing' }),
      time: p.num('时间点（毫秒）', { required: true, min: 0, invalid: 'badTime' }),
      width: p.int('图片宽度', { min: 1, max: 3840, invalid: 'badWidth' }),
      format: p.str('图片格式', { def: 'png', max: 10, invalid: 'badFormat', doc: 'png, jpg or jpeg' }),
    },
    data: Type.Object({
      base64: Type.String(),
      url: Type.String(),
      format: Type.String(),
      time: Type.Number(),
      width: Type.Union([Type.Integer(), Type.String()]),
    }),
    responses: { 503: Fail },
    handler: (input) => d.media.screenshot(input),
  });
}
