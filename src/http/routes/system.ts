import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.js';
import type { HttpDeps } from '../deps.js';
import { Envelope, Fail } from '../schemas/common.js';

export function systemRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and readiness: 200 once migrations ran and the server accepts work',
        tags: ['system'],
        response: { 200: Envelope(Type.Literal('ok')), 503: Fail },
      },
    },
    async (_req, reply) => {
      if (!(await d.healthy())) throw new AppError('unavailable', 'unavailable');
      return reply.send({ msg: 'ok', data: 'ok' });
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics of this node', tags: ['system'], produces: ['text/plain'] } },
    async (_req, reply) => reply.type(d.metrics.contentType).send(await d.metrics.text()),
  );
}
