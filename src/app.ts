import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DestinationStream } from 'pino';
import type { Bus } from './bus/port.js';
import { createHttp, type Http } from './compose/http.js';
import { openInfrastructure, type Infrastructure } from './compose/infrastructure.js';
import { createRealtime } from './compose/realtime.js';
import { createMetrics, createServices, type Services } from './compose/services.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { HttpEntry, someoneListens } from './http/entry.js';
import type { Gateway } from './realtime/gateway.js';
import type { DeliveryFaults } from './services/delivery.js';
import type { OpenedStore } from './store/kysely-store.js';

export { redactUrl } from './compose/logging.js';

/**
 * The composition root: the only place that picks concrete adapters (database dialect, bus,
 * file stores) and wires them into services, HTTP and realtime, in named steps (src/compose/).
 */
export interface App {
  config: Readonly<Config>;
  http: FastifyInstance;
  store: OpenedStore;
  bus: Bus;
  gateway: Gateway;
  nodeId: string;
  services: Omit<Services, 'media'>;
  /** Serves (binding the port unless the entry given to createApp already listens); resolves to the bound port. */
  listen(): Promise<number>;
  /**
   * Graceful stop: stops accepting connections, keeps open sockets for up to `graceMs` or until
   * another process listens on the port, then drops them, finishes in-flight requests and closes
   * the database. Idempotent; a later call with a shorter grace cuts the wait.
   */
  close(graceMs?: number): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  /** Where log lines go (default stdout). */
  logStream?: DestinationStream;
  /** Fault injection for tests of the delivery guarantees. */
  faults?: DeliveryFaults;
  /** An HTTP server made (and maybe bound) before the application loaded; one is made otherwise. */
  entry?: HttpEntry;
  /** A bus shared with other apps in this process (several nodes in one test); it is not closed by this app. */
  bus?: Bus;
}

/** Clean-up passes (expired messages, ended rate-limit windows): at start, then hourly. */
const HOUSEKEEPING_INTERVAL_MS = 3_600_000;
/** On stop, keep-alive connections still open this long after the sockets dropped are cut. */
const CLOSE_CUT_MS = 10_000;
/** While handing over, how often to look for another process on our port. */
const HANDOVER_POLL_MS = 100;

export async function createApp(config: Readonly<Config>, opts: AppOptions = {}): Promise<App> {
  const clock = opts.clock ?? systemClock;
  const infra = await openInfrastructure(config, opts);
  try {
    const services = createServices(config, infra, clock, opts.faults);
    const metrics = createMetrics(services);
    const entry = opts.entry ?? new HttpEntry();
    const http = await createHttp(config, infra, services, metrics, entry);
    const gateway = createRealtime(config, infra, services, metrics, clock);
    warnAtStart(config, infra);
    return lifecycle({ config, infra, services, http, gateway, entry });
  } catch (e) {
    await infra.close();
    throw e;
  }
}

function warnAtStart(config: Readonly<Config>, infra: Infrastructure): void {
  const { log } = infra;
  if (config.jwtSecret === undefined && config.database.kind !== 'sqlite') {
    log.warn('JWT_SECRET is unset: tokens are signed with a secret of this node only; set it when running several nodes');
  }
  for (const { key, suggestion } of config.unknownKeys) log.warn({ key, suggestion }, 'unknown configuration key ignored');
  void infra.frames.available().then((ok) => {
    if (!ok)
      log.warn({ ffmpeg: config.ffmpegPath }, 'ffmpeg not found: getVideoScreenshot answers an error until it is installed (FFMPEG_PATH)');
  });
}

/** Parts `App.close` stops, in this order. */
interface Parts {
  config: Readonly<Config>;
  infra: Infrastructure;
  services: Services;
  http: Http;
  gateway: Gateway;
  entry: HttpEntry;
}

/** While sockets stay open, waits up to `ms` for another process to listen on our port, or until `cut.done`. */
async function awaitSuccessor(p: Parts, ms: number, cut: { done: boolean }): Promise<void> {
  const until = Date.now() + ms;
  while (!cut.done && p.gateway.size > 0 && Date.now() < until) {
    if (await someoneListens(p.entry.port, p.config.host))
      return p.infra.log.info('another process took the port: handing the sockets over');
    await new Promise((r) => setTimeout(r, HANDOVER_POLL_MS));
  }
}

/** The stop sequence of `App.close`. */
async function stop(p: Parts, graceMs: number, cut: { done: boolean }): Promise<void> {
  p.http.markClosing();
  // The port is freed first, so that a new process can take it while our sockets stay open;
  // they are dropped (clients reconnect on 1006) once it listens or the grace ends.
  p.entry.stopListening();
  p.gateway.stopAccepting();
  if (graceMs > 0) await awaitSuccessor(p, graceMs, cut);
  await p.gateway.close();
  // In-flight requests finish; keep-alive connections are closed as soon as they are idle.
  await p.entry.close(CLOSE_CUT_MS);
  await p.http.app.close();
  await p.services.delivery.flush();
  await p.services.housekeeping.stop();
  await p.infra.close();
}

/** Starting and stopping, in the order that loses nothing: see `App.close`. */
function lifecycle(p: Parts): App {
  const { config, infra, http, gateway, entry } = p;
  let closed: Promise<void> | undefined;
  const cut = { done: false };
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => gateway.handleUpgrade(req, socket, head, http.clientAddress(req));
  const { media: _media, ...services } = p.services;
  return {
    config,
    http: http.app,
    store: infra.store,
    bus: infra.bus,
    gateway,
    nodeId: infra.nodeId,
    services,
    async listen() {
      await http.app.ready();
      if (!entry.listening) await entry.listen(config.port, config.host);
      entry.serve(upgrade);
      p.services.housekeeping.start(HOUSEKEEPING_INTERVAL_MS);
      return entry.port;
    },
    close(graceMs = 0) {
      // A later call without grace cuts the wait of the first.
      if (graceMs === 0) cut.done = true;
      closed ??= stop(p, graceMs, cut);
      return closed;
    },
  };
}
