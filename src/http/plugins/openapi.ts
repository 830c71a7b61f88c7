import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** The OpenAPI document built from the route declarations; served at /openapi.json and /docs when `docs`. */
export async function openapi(app: FastifyInstance, o: { version: string; docs: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Natter IM API',
        version: o.version,
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
  if (o.docs) {
    await app.register(swaggerUi, { routePrefix: '/docs' });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }
}
