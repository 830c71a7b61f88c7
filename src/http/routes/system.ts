import type { FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Type } from 'typebox';
import type { HttpDeps } from '../deps.js';
import { Envelope, Fail } from '../schemas/common.js';
import { failure } from '../../domain/failures.js';

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function systemRoutes(app: FastifyInstance, d: HttpDeps, opts: { metricsToken: string | undefined }): void {
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
      if (!(await d.healthy())) throw failure('notReady');
      return reply.send({ msg: 'ok', data: 'ok' });
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of this node',
        description: 'With METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`.',
        tags: ['system'],
        produces: ['text/plain'],
      },
    },
    async (req, reply) => {
      const token = opts.metricsToken;
      if (token !== undefined && !sameText(req.headers.authorization ?? '', `Bearer ${token}`)) throw failure('metricsForbidden');
      return reply.type(d.metrics.contentType).send(await d.metrics.text());
    },
  );
}
