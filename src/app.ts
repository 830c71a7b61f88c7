import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import { MemoryBus } from './bus/memory-bus.js';
import type { Bus } from './bus/port.js';
import { userTopic } from './bus/topics.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { UserEvent } from './domain/events.js';
import { accountAnomalyNotice, avatarChangedNotice, entryNotices } from './domain/notices.js';
import { clientAddressOf, trustedProxies } from './http/client-address.js';
import { HttpEntry, someoneListens } from './http/entry.js';
import { Presenter } from './http/presenters.js';
import { buildHttp } from './http/server.js';
import { Gateway } from './realtime/gateway.js';
import { Metrics } from './metrics.js';
import { loadOrCreateSecret } from './secrets.js';
import { ApplyService } from './services/applies.js';
import { AuthService } from './services/auth.js';
import { FriendService } from './services/friends.js';
import { GroupJoinService } from './services/group-joins.js';
import { GroupService } from './services/groups.js';
import { MediaService } from './services/media.js';
import { FfmpegFrameGrabber } from './files/ffmpeg.js';
import { LocalFileStore } from './files/local.js';
import type { FileStore } from './files/port.js';
import { downloadPublic, resolvesToPublic } from './files/url-guard.js';
import path from 'node:path';
import { DeliveryService, type DeliveryFaults } from './services/delivery.js';
import { Housekeeping } from './services/housekeeping.js';
import { MessageService } from './services/messages.js';
import { TokenService } from './services/tokens.js';
import { UserService } from './services/users.js';
import { VisitorService } from './services/visitors.js';
import { openStore, type OpenedStore } from './store/kysely-store.js';

/**
 * The composition root: the only module that picks concrete adapters (database dialect, bus,
 * file store) and wires them into services, HTTP and realtime.
 */
export interface App {
  config: Readonly<Config>;
  http: FastifyInstance;
  store: OpenedStore;
  bus: Bus;
  gateway: Gateway;
  nodeId: string;
  services: {
    auth: AuthService;
    users: UserService;
    messages: MessageService;
    delivery: DeliveryService;
    friends: FriendService;
    applies: ApplyService;
    visitors: VisitorService;
    groups: GroupService;
    groupJoins: GroupJoinService;
    housekeeping: Housekeeping;
  };
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
}

/** Tokens travel in headers, in query strings (QR images, sockets) and in bodies: none is ever logged. */
const LOG_REDACT = { paths: ['req.headers.token', 'req.headers.authorization', 'token', '*.token'], censor: '[redacted]' };

/** The request line without secrets: a `token` in the query string is replaced. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

const logSerializers = {
  req: (req: { method?: string; url?: string; host?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) => ({
    method: req.method,
    url: redactUrl(req.url),
    host: req.host ?? req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

/** Clean-up passes (expired messages, ended rate-limit windows): at start, then hourly. */
const HOUSEKEEPING_INTERVAL_MS = 3_600_000;

const VERSION = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function createApp(config: Readonly<Config>, opts: AppOptions = {}): Promise<App> {
  const clock = opts.clock ?? systemClock;
  const nodeId = randomUUID();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir);

  let onStoreError = (err: Error): void => void err;
  const store = await openStore(config.database, (err) => onStoreError(err));
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }

  const log: Logger = pino({ level: config.logLevel, serializers: logSerializers, redact: LOG_REDACT }, opts.logStream);
  onStoreError = (err) => log.warn({ err }, 'database connection lost; the pool reconnects');
  const tokens = new TokenService(secret, config.tokenTtl, clock);
  const auth = new AuthService(store, tokens, clock, { scryptCost: config.scryptCost, login: config.login, accountsPerAddress: config.signup.accountsPerAddress });
  const users = new UserService(store, clock);
  const onBusError = (err: unknown, context: string) => log.warn({ err, context }, 'bus error');
  // Redis and the S3 SDK are loaded only when configured (start-up time of a single node).
  let bus: Bus = new MemoryBus(onBusError);
  if (config.redisUrl) {
    const { RedisBus } = await import('./bus/redis-bus.js');
    bus = new RedisBus(config.redisUrl, { onError: onBusError, onWarn: (msg) => log.warn(msg), prefix: config.redisPrefix, name: `natter-${nodeId}` });
  }
  const delivery = new DeliveryService(store, bus, clock, log, opts.faults);
  const tz = { tzOffsetMinutes: config.displayTzOffsetMinutes };
  const messages = new MessageService(store, delivery, clock, tz);
  const groups = new GroupService(store, delivery, clock, tz);
  const groupJoins = new GroupJoinService(store, delivery, clock, tz);
  const uploadsRoot = path.join(config.dataDir, 'uploads');
  const local = new LocalFileStore(uploadsRoot, '/public/uploads');
  const objects: FileStore = config.s3 ? new (await import('./files/s3.js')).S3FileStore(config.s3) : local;
  const frames = new FfmpegFrameGrabber(config.ffmpegPath);
  const media = new MediaService(
    { local, objects, frames, localPath: (rel) => local.pathOf(rel), resolvesToPublic, download: downloadPublic, tempFile: () => local.tempFile() },
    clock,
    { maxBytes: config.uploadMaxBytes, tzOffsetMinutes: config.displayTzOffsetMinutes, publicUrl: config.publicUrl, screenshotHosts: config.screenshotHosts },
  );
  const friends = new FriendService(store, clock);
  const applies = new ApplyService(store, delivery, clock);
  const visitors = new VisitorService(store, auth, clock, { salt: config.visitorSalt, scryptCost: config.scryptCost, visitorsPerAddress: config.signup.visitorsPerAddress });

  const metrics = new Metrics(() => delivery.countAllPending());
  delivery.listen({
    stored: (n) => metrics.stored.inc(n),
    delivered: (n, latencyMs) => {
      metrics.delivered.inc(n);
      metrics.pushLatency.observe(Math.max(0, latencyMs) / 1000);
    },
    publishFailed: () => metrics.busPublishErrors.inc(),
  });

  let closing = false;
  const entry = opts.entry ?? new HttpEntry();
  const trustProxy = trustedProxies(config.trustProxy);
  const clientAddress = clientAddressOf(trustProxy);
  const http = await buildHttp(
    {
      auth,
      users,
      messages,
      friends,
      applies,
      visitors,
      groups,
      groupJoins,
      media,
      metrics: { text: () => metrics.text(), contentType: metrics.contentType },
      present: new Presenter(config.displayTzOffsetMinutes),
      healthy: async () => {
        if (closing) return false;
        try {
          await store.ping();
          return true;
        } catch {
          return false;
        }
      },
    },
    {
      entry,
      logger: log,
      trustProxy,
      bodyLimit: config.bodyLimit,
      version: VERSION,
      uploadMaxBytes: config.uploadMaxBytes,
      uploadsRoot,
      corsOrigins: config.corsOrigins,
      docs: config.docsEnabled,
      metricsToken: config.metricsToken,
      observe: (method, route, status, seconds) => metrics.http.observe({ method, route, status: String(status) }, seconds),
    },
  );

  // Session changes reach every node: sockets of older sessions stop receiving wherever they are.
  const announce = (userId: number, ev: UserEvent) =>
    bus.publish(userTopic(userId), ev).catch((err: unknown) => log.warn({ err, userId }, 'could not announce session change'));
  auth.onSession({
    sessionStarted: (userId, sid, _role, quiet) => void announce(userId, { v: 1, type: 'session', action: 'started', sid, at: clock.now(), quiet }),
    sessionEnded: (userId, sid, quiet) => void announce(userId, { v: 1, type: 'session', action: 'ended', sid, at: clock.now(), quiet }),
    userDisabled: (userId) => void announce(userId, { v: 1, type: 'disabled' }),
  });

  const gateway = new Gateway(
    auth,
    delivery,
    bus,
    clock,
    log,
    {
      nodeId,
      maxPayloadBytes: config.ws.maxPayloadBytes,
      maxBufferedBytes: config.ws.maxBufferedBytes,
      drainHighWaterBytes: 256 * 1024,
      drainBatch: 500,
      connectsPerMinute: config.ws.connectsPerMinute,
      framesPerMinute: config.ws.framesPerMinute,
      pingIntervalMs: config.ws.pingIntervalMs,
      maxSocketsPerUser: config.ws.socketsPerUser,
    },
    {
      entryNotices: async (conn, reconnect) => {
        const user = (await users.findById(conn.user.id)) ?? conn.user;
        const notices = entryNotices(user, conn.role, await users.entryFacts(user.id), clock.now(), randomUUID);
        if (reconnect && conn.role === 'user' && (await users.avatarChangedRecently(user.id))) notices.push(avatarChangedNotice(user, clock.now(), randomUUID()));
        return notices;
      },
      kickNotice: (conn, at) => accountAnomalyNotice(conn.user, at, config.displayTzOffsetMinutes, randomUUID()),
      opened: () => metrics.sockets.inc(),
      closed: () => metrics.sockets.dec(),
    },
  );
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    gateway.handleUpgrade(req, socket, head, clientAddress(req));
  };

  if (config.jwtSecret === undefined && config.database.kind !== 'sqlite') {
    log.warn('JWT_SECRET is unset: tokens are signed with a secret of this node only; set it when running several nodes');
  }
  for (const key of config.unknownKeys) log.warn({ key }, 'unknown configuration key ignored');
  void frames.available().then((ok) => {
    if (!ok) log.warn({ ffmpeg: config.ffmpegPath }, 'ffmpeg not found: getVideoScreenshot answers an error until it is installed (FFMPEG_PATH)');
  });

  const housekeeping = new Housekeeping(store, clock, log, { retentionDays: config.messageRetentionDays });
  let closed: Promise<void> | undefined;
  let cutGrace = (): void => undefined;
  /** Waits up to `ms` for another process to listen on our port, while sockets stay open. */
  const handOver = async (ms: number): Promise<void> => {
    const until = Date.now() + ms;
    let cut = false;
    cutGrace = () => void (cut = true);
    while (!cut && gateway.size > 0 && Date.now() < until) {
      if (await someoneListens(entry.port, config.host)) {
        log.info('another process took the port: handing the sockets over');
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    config,
    http,
    store,
    bus,
    gateway,
    nodeId,
    services: { auth, users, messages, delivery, friends, applies, visitors, groups, groupJoins, housekeeping },
    async listen() {
      await http.ready();
      if (!entry.listening) await entry.listen(config.port, config.host);
      entry.serve(upgrade);
      housekeeping.start(HOUSEKEEPING_INTERVAL_MS);
      return entry.port;
    },
    close(graceMs = 0) {
      if (closed) {
        if (graceMs === 0) cutGrace();
        return closed;
      }
      closed = (async () => {
        closing = true;
        // The port is freed first, so that a new process can take it while our sockets stay
        // open; they are dropped (clients reconnect on 1006) once it listens or the grace ends.
        entry.stopListening();
        gateway.stopAccepting();
        if (graceMs > 0) await handOver(graceMs);
        await gateway.close();
        // In-flight requests finish; keep-alive connections are closed as soon as they are idle
        // (not only those idle at this moment), and anything left after 10 s is cut.
        await entry.close(10_000);
        await http.close();
        await delivery.flush();
        await housekeeping.stop();
        await bus.close();
        await objects.close?.();
        await store.close();
      })();
      return closed;
    },
  };
}
