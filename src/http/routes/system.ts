import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { failure } from '../../domain/failures.js';
import type { HttpDeps } from '../deps.js';
import { routes } from '../route.js';
import { Fail } from '../schemas/common.js';

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** /healthz, /readyz and /metrics: public, for probes and scrapers. */
export function systemRoutes(app: FastifyInstance, d: HttpDeps, opts: { metricsToken: string | undefined }): void {
  const route = routes(app, d.auth, { tags: ['system'], auth: 'public' });

  /** With METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>` may read the metrics. */
  const requireMetricsToken = (req: FastifyRequest): void => {
    const token = opts.metricsToken;
    if (token !== undefined && !sameText(req.headers.authorization ?? '', `Bearer ${token}`)) throw failure('metricsForbidden');
  };

  /** A probe: 200 while `check` holds, 503 in the envelope otherwise. */
  const probe = (url: string, summary: string, check: () => Promise<boolean>) =>
    route.get(url, {
      summary,
      params: {},
      responses: { 503: Fail },
      ok: async () => {
        if (!(await check())) throw failure('notReady');
      },
    });
  probe('/healthz', 'Liveness and readiness: 200 once migrations ran and the server accepts work', d.healthy);
  probe('/readyz', 'Readiness: 200 while the database answers, and Redis when configured (for load balancers)', d.ready);

  route.get('/metrics', {
    summary: 'Prometheus metrics of this node',
    description: 'With METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`.',
    params: {},
    pre: requireMetricsToken,
    responses: { 403: Fail },
    file: { type: d.metrics.contentType, description: 'The metrics, in the Prometheus text format' },
    send: () => d.metrics.text(),
  });
}
