import type { FastifyInstance } from 'fastify';
import fs from 'node:fs';
import type { Config } from '../config.js';
import { clientAddressOf, trustedProxies } from '../http/client-address.js';
import type { HttpEntry } from '../http/entry.js';
import { Presenter } from '../http/presenters.js';
import { buildHttp } from '../http/server.js';
import type { Metrics } from '../metrics.js';
import type { Infrastructure } from './infrastructure.js';
import type { Services } from './services.js';

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Http {
  app: FastifyInstance;
  /** The client's address of a raw request (for WebSocket upgrades), by the same rule as `req.ip`. */
  clientAddress: ReturnType<typeof clientAddressOf>;
  /** From now on /healthz and /readyz answer 503 (the node is stopping). */
  markClosing(): void;
}

/** The HTTP API on `entry`'s server: routes, the health check, metrics of every answer. */
export async function createHttp(
  config: Readonly<Config>,
  infra: Infrastructure,
  s: Services,
  metrics: Metrics,
  entry: HttpEntry,
): Promise<Http> {
  let closing = false;
  const trustProxy = trustedProxies(config.trustProxy);
  const healthy = async () => {
    if (closing) return false;
    return infra.store.ping().then(
      () => true,
      () => false,
    );
  };
  const ready = async () => {
    if (closing) return false;
    return answersWithin(READY_TIMEOUT_MS, Promise.all([infra.store.ping(), infra.bus.ping()]));
  };
  const app = await buildHttp(
    {
      ...s,
      metrics: { text: () => metrics.text(), contentType: metrics.contentType },
      present: new Presenter(config.displayTzOffsetMinutes),
      healthy,
      ready,
    },
    {
      entry,
      logger: infra.log,
      trustProxy,
      bodyLimit: config.bodyLimit,
      version: VERSION,
      uploadMaxBytes: config.uploadMaxBytes,
      uploadsRoot: infra.uploadsRoot,
      corsOrigins: config.corsOrigins,
      docs: config.docsEnabled,
      webRoot: config.web.enabled ? config.web.root : undefined,
      metricsToken: config.metricsToken,
      observe: (method, route, status, seconds) => metrics.http.observe({ method, route, status: String(status) }, seconds),
    },
  );
  return { app, clientAddress: clientAddressOf(trustProxy), markClosing: () => void (closing = true) };
}

/** A readiness probe answers within this time, even when Redis or the database hangs. */
const READY_TIMEOUT_MS = 2000;

async function answersWithin(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => false,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
