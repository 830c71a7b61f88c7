import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/port.js';
import { userTopic } from '../bus/topics.js';
import type { Config } from '../config.js';
import type { Clock } from '../domain/clock.js';
import type { UserEvent } from '../domain/events.js';
import { defaultImages } from '../domain/images.js';
import type { Log } from '../domain/log.js';
import { accountAnomalyNotice, avatarChangedNotice, entryNotices } from '../domain/notices.js';
import type { Metrics } from '../metrics.js';
import { ClientSends } from '../realtime/client-sends.js';
import { Gateway } from '../realtime/gateway.js';
import type { AuthService } from '../services/auth.js';
import type { Infrastructure } from './infrastructure.js';
import type { Services } from './services.js';

/** While draining, a socket waits for its writes to flush above this many buffered bytes. */
const DRAIN_HIGH_WATER_BYTES = 256 * 1024;
/** Stored messages read per page when a socket catches up. */
const DRAIN_BATCH = 500;
/** Sends of one socket awaiting their ack at once (docs/protocol.md). */
const SENDS_IN_FLIGHT = 64;

/**
 * Session changes reach every node over the bus: sockets of older sessions stop receiving wherever
 * they are. The admin command wires its AuthService the same way (compose/admin.ts).
 */
export function announceSessions(bus: Bus, log: Log, auth: AuthService, clock: Clock): void {
  const announce = (userId: number, ev: UserEvent) =>
    void bus.publish(userTopic(userId), ev).catch((err: unknown) => log.warn({ err, userId }, 'could not announce session change'));
  auth.onSession({
    sessionStarted: (userId, sid, _role, quiet) =>
      announce(userId, { v: 1, type: 'session', action: 'started', sid, at: clock.now(), quiet }),
    sessionEnded: (userId, sid, quiet) => announce(userId, { v: 1, type: 'session', action: 'ended', sid, at: clock.now(), quiet }),
    userDisabled: (userId) => announce(userId, { v: 1, type: 'disabled' }),
  });
}

/** The WebSocket gateway, its connect-time notices, and the session fan-out it listens to. */
export function createRealtime(config: Readonly<Config>, infra: Infrastructure, s: Services, metrics: Metrics, clock: Clock): Gateway {
  announceSessions(infra.bus, infra.log, s.auth, clock);
  const images = defaultImages(config.defaultsUrl);
  const { ws } = config;
  const sends = new ClientSends(
    { auth: s.auth, messages: s.messages, log: infra.log },
    { frameBytes: ws.maxPayloadBytes, framesPerMinute: ws.framesPerMinute, inFlight: SENDS_IN_FLIGHT },
  );
  return new Gateway(
    { auth: s.auth, delivery: s.delivery, bus: infra.bus, clock, log: infra.log, sends },
    {
      nodeId: infra.nodeId,
      maxPayloadBytes: ws.maxPayloadBytes,
      maxBufferedBytes: ws.maxBufferedBytes,
      drainHighWaterBytes: DRAIN_HIGH_WATER_BYTES,
      drainBatch: DRAIN_BATCH,
      connectsPerMinute: ws.connectsPerMinute,
      framesPerMinute: ws.framesPerMinute,
      pingIntervalMs: ws.pingIntervalMs,
      maxSocketsPerUser: ws.socketsPerUser,
    },
    {
      entryNotices: async (conn, reconnect) => {
        const user = (await s.users.findById(conn.user.id)) ?? conn.user;
        const notices = entryNotices(user, conn.role, await s.users.entryFacts(user.id), images, clock.now(), randomUUID);
        if (reconnect && conn.role === 'user' && (await s.users.avatarChangedRecently(user.id)))
          notices.push(avatarChangedNotice(user, clock.now(), randomUUID()));
        return notices;
      },
      kickNotice: (conn, at) => accountAnomalyNotice(conn.user, at, config.displayTzOffsetMinutes, images, randomUUID()),
      opened: () => metrics.sockets.inc(),
      closed: () => metrics.sockets.dec(),
    },
  );
}
