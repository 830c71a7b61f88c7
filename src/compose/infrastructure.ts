import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { LocalBridge } from '../bus/local-bridge.js';
import { MemoryBus } from '../bus/memory-bus.js';
import type { Bus } from '../bus/port.js';
import type { Config } from '../config.js';
import type { Log } from '../domain/log.js';
import { FfmpegFrameGrabber } from '../files/ffmpeg.js';
import { LocalFileStore } from '../files/local.js';
import type { FileStore } from '../files/port.js';
import { REPLY_TOPIC_PREFIX } from '../realtime/census.js';
import { loadOrCreateSecret } from '../secrets.js';
import type { CacheControl } from '../store/cached-store.js';
import { openStore, type OpenedStore } from '../store/kysely-store.js';
import { cachingStore } from './cache.js';
import { LOG_REDACT, logSerializers } from './logging.js';

/** What the application runs on: logger, database, bus, file stores. */
export interface Infrastructure {
  nodeId: string;
  log: Logger;
  secret: string;
  /** The database, with hot reads served from memory (compose/cache.ts). */
  store: OpenedStore & CacheControl;
  bus: Bus;
  /** The local bridge to the in-process bus (`natter admin` on this host), when listening. */
  bridge: LocalBridge | undefined;
  uploadsRoot: string;
  local: LocalFileStore;
  objects: FileStore;
  frames: FfmpegFrameGrabber;
  /** Closes what was opened, last opened first. */
  close(): Promise<void>;
}

/**
 * Opens the infrastructure in order (logger, store and its migrations, bus, file stores). If a
 * step fails, what the earlier steps opened is closed before the error goes on.
 */
export async function openInfrastructure(
  config: Readonly<Config>,
  o: { logStream?: DestinationStream; bus?: Bus },
): Promise<Infrastructure> {
  const nodeId = randomUUID();
  const log = pino({ level: config.logLevel, serializers: logSerializers, redact: LOG_REDACT }, o.logStream);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = config.jwtSecret ?? loadOrCreateSecret(config.dataDir);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((err: unknown) => log.error({ err }, 'could not close'));
  };
  try {
    const opened = await openStore(config.database, (err) => log.warn({ err }, 'database connection lost; the pool reconnects'));
    closers.push(() => opened.close());
    await opened.migrate();
    const bus = o.bus ?? (await openBus(config, log, nodeId));
    if (!o.bus) closers.push(() => bus.close());
    const store = await cachingStore(opened, bus, config, log);
    const bridge = await openBridge(config, bus, log);
    if (bridge) closers.push(() => bridge.close());
    const uploadsRoot = path.join(config.dataDir, 'uploads');
    const local = new LocalFileStore(uploadsRoot, '/public/uploads');
    // The S3 SDK is loaded only when configured (start-up time of a single node).
    const objects: FileStore = config.s3 ? new (await import('../files/s3.js')).S3FileStore(config.s3) : local;
    closers.push(async () => objects.close?.());
    const frames = new FfmpegFrameGrabber(config.ffmpegPath);
    return { nodeId, log, secret, store, bus, bridge, uploadsRoot, local, objects, frames, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Without Redis, `natter admin` reaches this node's in-process bus through the local bridge on
 * ADMIN_SOCKET. A bridge that cannot listen is logged and skipped: the server runs without it
 * (sessions of disabled users still close at the next socket sweep).
 */
async function openBridge(config: Readonly<Config>, bus: Bus, log: Log): Promise<LocalBridge | undefined> {
  if (config.redisUrl || !config.adminSocket) return undefined;
  try {
    return await LocalBridge.open(config.adminSocket.path, bus, REPLY_TOPIC_PREFIX, log);
  } catch (err) {
    log.warn(
      { err, file: config.adminSocket.path },
      'the local admin socket could not be opened: natter admin cannot reach this node (ADMIN_SOCKET)',
    );
    return undefined;
  }
}

/** The in-process bus, or Redis (loaded only when configured) for several nodes. */
export async function openBus(config: Readonly<Config>, log: Log, nodeId: string): Promise<Bus> {
  const onError = (err: unknown, context: string) => log.warn({ err, context }, 'bus error');
  if (!config.redisUrl) return new MemoryBus(onError);
  const { RedisBus } = await import('../bus/redis-bus.js');
  return new RedisBus(config.redisUrl, {
    onError,
    onWarn: (msg) => log.warn({}, msg),
    prefix: config.redisPrefix,
    name: `natter-${nodeId}`,
  });
}
