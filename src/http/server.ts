import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { MSG } from '../domain/messages.js';
import type { HttpDeps } from './deps.js';
import { installErrorHandling } from './errors.js';
import { accountRoutes } from './routes/accounts.js';
import { profileRoutes } from './routes/profile.js';
import { systemRoutes } from './routes/system.js';

export interface HttpOptions {
  logger: FastifyServerOptions['logger'];
  trustProxy: boolean;
  bodyLimit: number;
  version: string;
}

/** Accepts JSON as the seed did: an empty body is `{}`, malformed JSON a 400 in the envelope. */
function lenientJson(app: FastifyInstance): void {
  const strict = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    strict(req, String(body), (err, value) => (err ? done(new AppError('invalid', MSG.badRequest)) : done(null, value)));
  });
}

export async function buildHttp(deps: HttpDeps, opts: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger,
    trustProxy: opts.trustProxy,
    bodyLimit: opts.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
  });
  // Parameters are validated by http/params.ts with the seed's rules; the schemas document them.
  app.setValidatorCompiler(() => () => true);
  installErrorHandling(app);
  lenientJson(app);
  await app.register(formbody, { bodyLimit: opts.bodyLimit });

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
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  systemRoutes(app, deps);
  accountRoutes(app, deps);
  profileRoutes(app, deps);
  return app;
}
