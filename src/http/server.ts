import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { HttpDeps } from './deps.js';
import type { HttpEntry } from './entry.js';
import { installErrorHandling } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { chatRoutes } from './routes/chat.js';
import { friendRoutes } from './routes/friends.js';
import { groupRoutes } from './routes/groups.js';
import { mediaRoutes } from './routes/media.js';
import { profileRoutes } from './routes/profile.js';
import { systemRoutes } from './routes/system.js';
import { visitorRoutes } from './routes/visitors.js';
import { failure, failureText } from '../domain/failures.js';

export interface HttpOptions {
  /** The HTTP server Fastify serves on (it may already be listening: see HttpEntry). */
  entry: HttpEntry;
  logger: FastifyBaseLogger;
  /** Which peers' X-Forwarded-For is believed (see client-address.ts). */
  trustProxy: (addr: string, hop: number) => boolean;
  bodyLimit: number;
  version: string;
  uploadMaxBytes: number;
  /** Folder served at /public/uploads/. */
  uploadsRoot: string;
  /** Origins a browser may call from: '*' for any (authentication is a header, never a cookie). */
  corsOrigins: '*' | string[];
  /** Serve `/docs` and `/openapi.json`. */
  docs: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** Told of every answered request (route pattern, not the raw URL). */
  observe?: (method: string, route: string, status: number, seconds: number) => void;
}

/** Extensions of uploaded images, audio and video, shown inline; anything else is sent as an attachment. */
const INLINE_MEDIA = /\.(png|jpe?g|gif|webp|bmp|ico|mp3|m4a|aac|wav|ogg|oga|amr|flac|mp4|m4v|mov|webm|3gp|mkv|avi)$/i;

/** Accepts JSON as the seed did: an empty body is `{}`, malformed JSON a 400 in the envelope. */
function lenientJson(app: FastifyInstance): void {
  const strict = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    strict(req, String(body), (err, value) => (err ? done(failure('badRequest')) : done(null, value)));
  });
}

/**
 * Parameters are validated by http/params.ts with the seed's rules: the schemas only document
 * them, so no validator is compiled. Response schemas whitelist the output; each route's
 * serialiser is compiled when it first answers rather than all at start-up (a third of the
 * time to healthy).
 */
const defaultSerializers = SerializerSelector();

const lazySerializers: typeof defaultSerializers = (externalSchemas, options) => {
  const compile = defaultSerializers(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data) => (serialize ??= compile(route))(data);
  };
};

export async function buildHttp(deps: HttpDeps, opts: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    loggerInstance: opts.logger,
    trustProxy: opts.trustProxy,
    bodyLimit: opts.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    serverFactory: opts.entry.factory,
    // Malformed URLs and the like fail before routing: answer them in the envelope too.
    frameworkErrors: (_err, _req, reply) => {
      void (reply as FastifyReply).status(400).send({ msg: 'fail', data: failureText('badRequest') });
    },
    clientErrorHandler: (err, socket) => {
      const code = (err as { code?: string }).code;
      const status = code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      const body = JSON.stringify({ msg: 'fail', data: failureText('badRequest') });
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        socket.destroy(err);
      }
    },
  });
  app.setValidatorCompiler(() => () => true);
  installErrorHandling(app);
  const observe = opts.observe;
  if (observe) {
    app.addHook('onResponse', async (req, reply) => {
      observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
  }
  lenientJson(app);
  // The original ran egg-cors with origin '*': its H5 client calls the API from another origin.
  await app.register(cors, {
    origin: opts.corsOrigins === '*' ? '*' : opts.corsOrigins,
    methods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'],
    credentials: false,
    maxAge: 86_400,
  });
  await app.register(formbody, { bodyLimit: opts.bodyLimit });
  await app.register(multipart, {
    // One byte more than allowed reaches the file store, which then refuses the file whole.
    limits: { fileSize: opts.uploadMaxBytes + 1, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 30, headerPairs: 200 },
  });
  await app.register(fastifyStatic, {
    root: opts.uploadsRoot,
    prefix: '/public/uploads/',
    dotfiles: 'deny',
    index: false,
    list: false,
    immutable: true,
    maxAge: '30d',
    // Uploads are the users' bytes on the API's origin: never run as a page, and only media
    // shown inline (a PDF with scripts or a polyglot file is downloaded, not opened).
    setHeaders: (reply, filePath) => {
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('content-security-policy', "default-src 'none'; sandbox");
      if (!INLINE_MEDIA.test(filePath)) void reply.header('content-disposition', 'attachment');
    },
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Natter IM API',
        version: opts.version,
        description:
          'HTTP API of Natter. Every JSON answer is `{"msg":"ok","data":…}` on success and `{"msg":"fail","data":…}` ' +
          'on failure (400 business error, 422 invalid parameters, 429 too many attempts). Parameters may be sent ' +
          'as JSON, as a form or in the query string.',
      },
      components: {
        securitySchemes: {
          token: { type: 'apiKey', in: 'header', name: 'token' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
  });
  if (opts.docs) {
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }

  systemRoutes(app, deps, { metricsToken: opts.metricsToken });
  accountRoutes(app, deps);
  profileRoutes(app, deps);
  chatRoutes(app, deps);
  friendRoutes(app, deps);
  visitorRoutes(app, deps);
  groupRoutes(app, deps);
  mediaRoutes(app, deps);
  return app;
}
