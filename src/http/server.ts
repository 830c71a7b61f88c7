import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { failureText } from '../domain/failures.js';
import type { HttpDeps } from './deps.js';
import type { HttpEntry } from './entry.js';
import { installErrorHandling } from './errors.js';
import { bodies } from './plugins/bodies.js';
import { openapi } from './plugins/openapi.js';
import { defaultImages, uploads } from './plugins/uploads.js';
import { web } from './plugins/web.js';
import { accountRoutes } from './routes/accounts.js';
import { chatRoutes } from './routes/chat.js';
import { friendRoutes } from './routes/friends.js';
import { groupRoutes } from './routes/groups.js';
import { mediaRoutes } from './routes/media.js';
import { profileRoutes } from './routes/profile.js';
import { systemRoutes } from './routes/system.js';
import { visitorRoutes } from './routes/visitors.js';

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
  /** Folder of the built browser client served at `/`; undefined: not served. */
  webRoot: string | undefined;
  /** When set, `/metrics` answers only `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** Told of every answered request (route pattern, not the raw URL). */
  observe?: (method: string, route: string, status: number, seconds: number) => void;
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

/** Fastify's own settings: request ids, proxies, limits, and failures before routing in the envelope. */
function fastifyOptions(opts: HttpOptions): FastifyServerOptions & { serverFactory: HttpEntry['factory'] } {
  return {
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
        socket.end(
          `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy(err);
      }
    },
  };
}

/** The HTTP API: settings, error handling, request bodies, uploads and default images, the OpenAPI document, the routes, then the web client. */
export async function buildHttp(deps: HttpDeps, opts: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions(opts));
  app.setValidatorCompiler(() => () => true);
  installErrorHandling(app);
  const observe = opts.observe;
  if (observe) {
    app.addHook('onResponse', async (req, reply) => {
      observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
  }
  await bodies(app, opts);
  await uploads(app, opts.uploadsRoot);
  await defaultImages(app);
  await openapi(app, opts);

  systemRoutes(app, deps, { metricsToken: opts.metricsToken });
  accountRoutes(app, deps);
  profileRoutes(app, deps);
  chatRoutes(app, deps);
  friendRoutes(app, deps);
  visitorRoutes(app, deps);
  groupRoutes(app, deps);
  mediaRoutes(app, deps);
  if (opts.webRoot !== undefined) await web(app, opts.webRoot);
  return app;
}
