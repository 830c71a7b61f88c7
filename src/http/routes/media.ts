import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import { authenticate } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { docSchemas, p, readInput } from '../params.js';
import { Envelope, Fail, failResponses } from '../schemas/common.js';
import { failure, failureText } from '../../domain/failures.js';

const tooLarge = (e: unknown): boolean => (e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE';

/**
 * Whether an error is the request body's fault rather than ours: the multipart parser's (no
 * boundary, a part cut short, a malformed header) or the client going away mid-upload.
 */
function badBody(e: unknown): boolean {
  if (!(e instanceof Error) || e instanceof AppError) return false;
  const code = (e as { code?: string }).code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || e.message === 'aborted') return true;
  return (e as { statusCode?: number }).statusCode === undefined && /multipart|part header|boundary|unexpected end of form/i.test(e.message);
}

/**
 * When a request is answered before its file was read, the rest of the body is discarded and the
 * connection closed, so that neither a slow nor a vanished client can hold it.
 */
function discard(req: FastifyRequest, reply: FastifyReply, file: NodeJS.ReadableStream & { readableEnded?: boolean }): void {
  if (file.readableEnded) return;
  void reply.header('connection', 'close');
  file.resume();
  req.raw.once('close', () => req.raw.destroy());
}

/** The first file part of a multipart request, with the fields sent before it; undefined when there is none. */
async function firstFile(req: FastifyRequest) {
  if (!req.isMultipart()) return undefined;
  try {
    return await req.file();
  } catch (e) {
    if (badBody(e)) throw failure('badRequest');
    throw e;
  }
}

const multipartBody = {
  consumes: ['multipart/form-data'],
  body: Type.Object({ file: Type.String({ format: 'binary', description: 'the file (the first file part is taken)' }) }),
};

/** E30a uploadStreamSingleToServerDiy, E30b uploadAliyun, E31 getVideoScreenshot. */
export function mediaRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['media'];
  const security: Record<string, string[]>[] = [{ token: [] }, { bearer: [] }];
  const diyParams = { diydir: p.str('上传目录', { required: true, min: 1, max: 200, path: true }) };

  app.post(
    '/api/chat/uploadStreamSingleToServerDiy/:diydir',
    {
      schema: {
        summary: 'Upload a file to this server (E30a)',
        description: '`diydir` `a_b` stores under `/public/uploads/Diy/a/b/<YYYYMMDD>/`. Images, audio, video and PDF/Office files, checked on content.',
        tags, security, ...docSchemas(diyParams, 'POST'), ...multipartBody,
        response: { 200: Envelope(Type.Object({ url: Type.String() })), ...failResponses },
      },
    },
    async (req, reply) => {
      await authenticate(d.auth, req);
      const { diydir } = readInput(diyParams, { params: req.params, body: undefined, query: req.query });
      d.media.diyDirs(diydir);
      const part = await firstFile(req);
      if (!part) throw failure('noFile');
      try {
        return reply.send({ msg: 'ok', data: await d.media.uploadDiy(part.file, diydir) });
      } catch (e) {
        discard(req, reply, part.file);
        if (tooLarge(e)) throw failure('fileTooLarge');
        if (badBody(e)) throw failure('badRequest');
        throw e;
      }
    },
  );

  app.post(
    '/api/chat/uploadAliyun',
    {
      schema: {
        summary: 'Upload an image to object storage (E30b)',
        description: 'The file field must be named `img`; `imageClassId` (query) or `image_class_id` (field) is echoed back.',
        tags, security, consumes: ['multipart/form-data'],
        querystring: Type.Object({ imageClassId: Type.Optional(Type.Integer()) }),
        body: Type.Object({ img: Type.String({ format: 'binary' }), image_class_id: Type.Optional(Type.Integer()) }),
        response: {
          200: Envelope(Type.Array(Type.Object({ url: Type.String(), path: Type.String(), image_class_id: Type.Integer(), create_time: Type.Integer() }))),
          ...failResponses,
        },
      },
    },
    async (req, reply) => {
      await authenticate(d.auth, req);
      const failed = (why: string) => failure('uploadFailed', { detail: why });
      const part = await firstFile(req).catch((e: unknown) => {
        throw e instanceof AppError ? failed(e.message) : e;
      });
      if (!part) throw failed(failureText('imgFieldRequired'));
      if (part.fieldname !== 'img') {
        discard(req, reply, part.file);
        throw failed(failureText('imgFieldRequired'));
      }
      const field = part.fields.image_class_id as { value?: unknown } | undefined;
      const raw = (req.query as { imageClassId?: unknown }).imageClassId ?? field?.value;
      const classId = /^\d{1,9}$/.test(String(raw ?? '')) ? Number(raw) : 0;
      try {
        return reply.send({ msg: 'ok', data: await d.media.uploadImage(part.file, classId) });
      } catch (e) {
        discard(req, reply, part.file);
        if (tooLarge(e)) throw failed(failureText('fileTooLarge'));
        if (e instanceof AppError) throw failed(e.message);
        if (badBody(e)) throw failed(failureText('badRequest'));
        throw e;
      }
    },
  );

  // E31 is checked by hand in the original: its failures are 400s with their own messages.
  const shotParams = {
    videoUrl: p.str('视频地址', { required: true, max: 2000, invalid: 'videoUrlMissing' }),
    time: p.num('时间点（毫秒）', { required: true, min: 0, invalid: 'badTime' }),
    width: p.int('图片宽度', { min: 1, max: 3840, invalid: 'badWidth' }),
    format: p.str('图片格式', { def: 'png', max: 10, invalid: 'badFormat', doc: 'png, jpg or jpeg' }),
  };
  app.post(
    '/api/chat/getVideoScreenshot',
    {
      schema: {
        summary: 'A frame of a video as an image (E31)',
        description: 'Reads only videos uploaded here (`/public/uploads/...`) or on hosts in SCREENSHOT_ALLOWED_HOSTS. Needs ffmpeg.',
        tags, security, consumes: ['application/json', 'application/x-www-form-urlencoded'],
        ...docSchemas(shotParams, 'POST'),
        response: {
          200: Envelope(
            Type.Object({
              base64: Type.String(),
              url: Type.String(),
              format: Type.String(),
              time: Type.Number(),
              width: Type.Union([Type.Integer(), Type.String()]),
            }),
          ),
          ...failResponses,
          503: Fail,
        },
      },
    },
    async (req, reply) => {
      await authenticate(d.auth, req);
      const input = readInput(shotParams, { params: req.params, body: req.body, query: req.query });
      return reply.send({ msg: 'ok', data: await d.media.screenshot(input) });
    },
  );
}
