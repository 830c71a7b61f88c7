import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Bus, BusEvent } from '../bus/port.js';
import { userTopic } from '../bus/topics.js';
import type { Clock } from '../domain/clock.js';
import type { UserEvent } from '../domain/events.js';
import type { Log } from '../domain/log.js';
import type { ChatMessage } from '../domain/message.js';
import type { AuthService } from '../services/auth.js';
import type { DeliveryService } from '../services/delivery.js';
import { answerCensus } from './census.js';
import type { ClientSends } from './client-sends.js';
import { Connection, type ConnectionLimits } from './connection.js';
import { CloseCode, frames, HANDSHAKE } from './frames.js';
import { ownCopy } from './strings.js';
import { UserSockets } from './user-sockets.js';
import { countInWindow, type Window } from './window.js';

/** Addresses whose socket openings are counted at once; past that, the counts start over. */
const MAX_TRACKED_ADDRESSES = 100_000;

export interface GatewayOptions extends ConnectionLimits {
  nodeId: string;
  maxPayloadBytes: number;
  /** New sockets per client address per minute; 0 = unlimited. */
  connectsPerMinute: number;
  /** Frames a client may send per minute before it is disconnected. */
  framesPerMinute: number;
  pingIntervalMs: number;
  /** Sockets one user may hold on this node, receiving, standing by or retired; beyond it the oldest idle one is dropped. */
  maxSocketsPerUser: number;
}

export interface GatewayHooks {
  /** Notices sent (not stored) right after the welcome frame (spec §5.2 step 4); `reconnect`: another socket of the user is open here. */
  entryNotices(conn: Connection, reconnect: boolean): Promise<ChatMessage[]>;
  /** The notice shown on a socket ended by a newer login elsewhere (spec §5.2). */
  kickNotice(conn: Connection, at: number): ChatMessage;
  opened?(): void;
  closed?(): void;
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The WebSocket gateway at `/ws?token=…` (DESIGN §5): authenticates like HTTP, and for each user
 * keeps one receiving socket across all nodes, the newest of the current session; other sockets
 * stay open without receiving (docs/delivery.md, "Sockets and sessions"). It listens on each
 * connected user's bus topic for messages, drains and session changes coming from any node.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly users = new Map<number, UserSockets>();
  private readonly unsubscribe = new Map<number, Promise<() => Promise<void>>>();
  private readonly attempts = new Map<string, Window>();
  private readonly frameCounts = new WeakMap<Connection, Window>();
  /** Sockets whose session the last sweep found ended. */
  private readonly suspects = new WeakSet<Connection>();
  private readonly timer: NodeJS.Timeout;
  /** This node's answers to census requests (who is online), stopped on close. */
  private readonly census: Promise<(() => Promise<void>) | undefined>;
  private closing = false;

  private readonly auth: AuthService;
  private readonly delivery: DeliveryService;
  private readonly bus: Bus;
  private readonly clock: Clock;
  private readonly log: Log;
  /** Natter's own client frames (hello, send), when offered. */
  private readonly sends: ClientSends | undefined;
  /**
   * Listeners shared by every socket (the emitter is `this`), with each socket's connection found
   * here: closures made per socket would cost a few hundred bytes each on every idle socket.
   */
  private readonly byWs = new WeakMap<WebSocket, Connection>();
  private readonly listeners: {
    upgradeError(this: Duplex & { remoteAddress?: string }, err: Error): void;
    error(this: WebSocket, err: Error): void;
    close(this: WebSocket, code: number, reason: Buffer): void;
    message(this: WebSocket, data: RawData): void;
    pong(this: WebSocket): void;
  };

  constructor(
    deps: { auth: AuthService; delivery: DeliveryService; bus: Bus; clock: Clock; log: Log; sends?: ClientSends },
    private readonly opts: GatewayOptions,
    private readonly hooks: GatewayHooks,
  ) {
    ({ auth: this.auth, delivery: this.delivery, bus: this.bus, clock: this.clock, log: this.log, sends: this.sends } = deps);
    const log = this.log;
    const byWs = this.byWs;
    const onClose = (conn: Connection, code: number, reason: string) => void this.onClose(conn, code, reason);
    const onFrame = (conn: Connection, data: RawData) => this.onFrame(conn, data);
    this.listeners = {
      upgradeError(err) {
        log.debug({ err, address: this.remoteAddress }, 'upgrade socket error');
      },
      error(err) {
        log.warn({ err }, 'websocket error');
      },
      close(code, reason) {
        const conn = byWs.get(this);
        if (conn) onClose(conn, code, reason.toString());
      },
      message(data) {
        const conn = byWs.get(this);
        if (conn) onFrame(conn, data);
      },
      pong() {
        const conn = byWs.get(this);
        if (conn) conn.alive = true;
      },
    };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    this.timer = setInterval(() => this.heartbeat(), opts.pingIntervalMs);
    this.timer.unref();
    this.bus.onGap(() => void this.afterGap());
    const onCensusError = (err: unknown) => this.log.warn({ err }, 'could not answer a census request');
    this.census = answerCensus(this.bus, this, onCensusError).catch((err: unknown) => void onCensusError(err));
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }

  /** Open sockets on this node. */
  get size(): number {
    let n = 0;
    for (const s of this.users.values()) n += s.size;
    return n;
  }

  /** Open sockets on this node and the users holding them (census answers, realtime/census.ts). */
  totals(): { sockets: number; users: number } {
    return { sockets: this.size, users: this.users.size };
  }

  /** The user's open sockets on this node, and whether one of them receives. */
  userSockets(userId: number): { sockets: number; receiving: boolean } {
    const s = this.users.get(userId);
    return { sockets: s?.size ?? 0, receiving: s?.active?.receiving ?? false };
  }

  /** Entry point from the HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    // After 'upgrade' the socket is ours: an error on it (a client reset) must not reach the process.
    socket.on('error', this.listeners.upgradeError);
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A copy: the parameter is a slice of the whole URL, which the connection would keep alive.
    const given = url.searchParams.get('token');
    const token = given === null ? undefined : ownCopy(given);
    if (url.pathname !== '/ws' && url.pathname !== '/ws/') return refuse(socket, '404 Not Found');
    if (this.closing) return refuse(socket, '503 Service Unavailable');
    if (!this.allowAttempt(address)) {
      this.log.info({ address }, 'websocket refused: too many connections from this address');
      return refuse(socket, '429 Too Many Requests');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.accept(ws, token, address).catch((err: unknown) => {
        this.log.error({ err }, 'websocket setup failed');
        ws.terminate();
      });
    });
  }

  private allowAttempt(address: string): boolean {
    if (this.opts.connectsPerMinute <= 0) return true;
    // Bounded memory under a flood from many addresses: the windows start over.
    if (this.attempts.size > MAX_TRACKED_ADDRESSES) this.attempts.clear();
    return countInWindow(this.attempts, address, this.clock.now()) <= this.opts.connectsPerMinute;
  }

  private async accept(ws: WebSocket, token: string | undefined, address: string): Promise<void> {
    ws.on('error', this.listeners.error);
    const res = await this.auth.authenticate(token);
    if (!res.ok) {
      this.log.info({ address, reason: res.reason }, 'websocket refused');
      // Like the original: the reason as a fail frame, then a close without a status code.
      ws.send(frames.fail(HANDSHAKE[res.reason]), () => ws.close());
      return;
    }
    const { user, claims } = res;
    const conn = new Connection(
      ws,
      { user, sid: claims.sid, role: claims.role, token: token ?? '' },
      { delivery: this.delivery, clock: this.clock, log: this.log },
      this.opts,
    );
    const sockets = this.socketsOf(user.id);
    sockets.add(conn);
    this.hooks.opened?.();
    this.byWs.set(ws, conn);
    ws.on('close', this.listeners.close);
    ws.on('message', this.listeners.message);
    ws.on('pong', this.listeners.pong);
    this.log.debug({ userId: user.id, conn: conn.id, sockets: sockets.size }, 'websocket opened');
    for (const extra of sockets.overflow(this.opts.maxSocketsPerUser)) {
      this.log.info({ userId: user.id, conn: extra.id, state: extra.state }, 'websocket dropped: too many sockets for one user');
      extra.terminate();
    }
    await this.subscribe(user.id);
    // Cursors this node has not saved yet (an older socket of this user) are saved first.
    await this.delivery.flush();
    await conn.init();
    // Its session may have ended meanwhile (then it was retired).
    if (!conn.open || conn.state === 'retired') return;
    this.activate(sockets, conn);

    conn.sendRaw(frames.welcome(this.clock.now()));
    for (const notice of await this.hooks.entryNotices(conn, sockets.size > 1)) conn.sendRaw(frames.chat(notice, this.clock.now()));
  }

  private socketsOf(userId: number): UserSockets {
    let s = this.users.get(userId);
    if (!s) {
      s = new UserSockets();
      this.users.set(userId, s);
    }
    return s;
  }

  /** `conn` receives from now on, here and (through the announcement) on every node. */
  private activate(sockets: UserSockets, conn: Connection): void {
    const prev = sockets.active;
    if (prev && prev !== conn) conn.adoptCursors(prev);
    sockets.activate(conn);
    const ev: UserEvent = { v: 1, type: 'socket', sid: conn.sid, node: this.opts.nodeId, conn: conn.id, at: conn.openedAt };
    this.bus.publish(userTopic(conn.user.id), ev).catch((err: unknown) => this.log.warn({ err }, 'could not announce socket'));
  }

  private subscribe(userId: number): Promise<unknown> {
    let sub = this.unsubscribe.get(userId);
    if (!sub) {
      sub = this.bus.subscribe(userTopic(userId), (ev) => this.onBusEvent(userId, ev));
      this.unsubscribe.set(userId, sub);
    }
    return sub;
  }

  private onBusEvent(userId: number, raw: BusEvent): void {
    const sockets = this.users.get(userId);
    if (!sockets) return;
    const ev = raw as UserEvent;
    if (ev.type === 'session') this.onSession(sockets, ev);
    else if (ev.type === 'socket') sockets.yieldTo(ev.sid, { at: ev.at, id: ev.conn });
    else if (ev.type === 'vacated') this.takeOver(sockets, ev.sid);
    else if (ev.type === 'disabled') this.shut(sockets);
    else sockets.active?.onEvent(ev);
  }

  /**
   * A session started or ended. Sockets of the sessions it ends stop receiving; only a change made
   * from another device closes one: the receiving socket, after the account-anomaly notice for a
   * login elsewhere (4001), or 4003 for a session ended from elsewhere. The rest are retired.
   */
  private onSession(sockets: UserSockets, ev: Extract<UserEvent, { type: 'session' }>): void {
    const ended = ev.action === 'started' ? sockets.live(ev.sid, true) : sockets.live(ev.sid);
    const active = sockets.active;
    for (const c of ended) {
      sockets.retire(c);
      if (ev.quiet || c !== active) continue;
      if (ev.action === 'started') {
        c.sendRaw(frames.chat(this.hooks.kickNotice(c, ev.at), this.clock.now()));
        c.close(CloseCode.replacedByLogin, 'logged in elsewhere');
      } else {
        c.close(CloseCode.sessionEnded, 'session ended');
      }
    }
  }

  /** The account was disabled: every socket says so (as a refused handshake would) and closes. */
  private shut(sockets: UserSockets): void {
    for (const c of sockets.all()) {
      sockets.retire(c);
      c.sendRaw(frames.fail(HANDSHAKE.disabled));
      c.close(CloseCode.sessionEnded, 'account disabled');
    }
  }

  /**
   * Every socket's session re-read from the store (one query per heartbeat for the whole node):
   * a change that reached no bus event (the database edited by hand, a lost event) still takes
   * effect. A disabled account's sockets close; a session that ended or expired stops receiving.
   */
  private async sweep(): Promise<void> {
    if (this.users.size === 0) return;
    const states = await this.auth.sessionStates([...this.users.keys()]);
    for (const [userId, sockets] of this.users) {
      const state = states.get(userId);
      if (!state || state.disabled) {
        this.shut(sockets);
        continue;
      }
      for (const c of sockets.all()) {
        if (c.state === 'retired' || c.state === 'opening' || c.sid === state.sid) {
          this.suspects.delete(c);
        } else if (this.suspects.has(c)) {
          // Ended for two sweeps running and no session event said so: stop it receiving.
          this.suspects.delete(c);
          sockets.retire(c);
        } else {
          // The session event may be on its way (a login elsewhere is announced with a notice).
          this.suspects.add(c);
        }
      }
    }
  }

  /** The receiving socket of `sid` went away: the newest one of that session standing by here takes over. */
  private takeOver(sockets: UserSockets, sid: string): boolean {
    if (sockets.active) return true;
    const next = sockets.successor(sid);
    if (!next) return false;
    this.activate(sockets, next);
    next.onEvent({ v: 1, type: 'drain' });
    return true;
  }

  private async onClose(conn: Connection, code: number, reason: string): Promise<void> {
    const uid = conn.user.id;
    this.hooks.closed?.();
    this.log.debug({ userId: uid, conn: conn.id, code, reason }, 'websocket closed');
    const sockets = this.users.get(uid);
    if (!sockets) return;
    const wasActive = sockets.remove(conn);
    // What it delivered is saved before another socket takes over and reads the cursors.
    await this.delivery.flush();
    if (wasActive && !this.closing && !sockets.active && !this.takeOver(sockets, conn.sid)) {
      const ev: UserEvent = { v: 1, type: 'vacated', sid: conn.sid, conn: conn.id };
      await this.bus.publish(userTopic(uid), ev).catch((err: unknown) => this.log.warn({ err }, 'could not announce closed socket'));
    }
    if (sockets.size > 0 || this.users.get(uid) !== sockets) return;
    this.users.delete(uid);
    const sub = this.unsubscribe.get(uid);
    this.unsubscribe.delete(uid);
    if (sub) await (await sub)().catch(() => undefined);
  }

  /**
   * Events may have been lost: receiving sockets whose session ended meanwhile are retired, the
   * others catch up from the store.
   */
  private async afterGap(): Promise<void> {
    for (const [userId, sockets] of this.users) {
      const conn = sockets.active;
      if (!conn) continue;
      if (await this.auth.sessionIsCurrent(userId, conn.sid)) conn.onEvent({ v: 1, type: 'drain' });
      else sockets.retire(conn);
    }
  }

  /**
   * Client frames (spec §5.3): pings are answered; `hello` and `send` (docs/protocol.md) go to
   * ClientSends; anything else is ignored.
   */
  private onFrame(conn: Connection, data: RawData): void {
    const now = this.clock.now();
    if (countInWindow(this.frameCounts, conn, now) > this.opts.framesPerMinute)
      return conn.close(CloseCode.tooManyFrames, 'too many frames');

    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (text === 'ping') return conn.sendRaw(frames.pong(now));
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if (this.sends?.onFrame(conn, frame as Record<string, unknown>)) return;
    if ((frame as { type?: unknown }).type !== 'ping') return;
    const token = (frame as { token?: unknown }).token;
    if (typeof token !== 'string' || token === '') return conn.sendRaw(frames.pong(now));
    void this.auth.tokenVerifies(token).then((ok) => {
      if (ok) conn.sendRaw(frames.pong(this.clock.now()));
    });
  }

  /** App-level ping for the client, protocol ping for liveness: a socket silent for a whole interval is dropped. */
  private heartbeat(): void {
    this.sweep().catch((err: unknown) => this.log.warn({ err }, 'could not re-check socket sessions'));
    for (const sockets of this.users.values()) {
      for (const conn of sockets.all()) {
        if (!conn.alive) {
          conn.terminate();
          continue;
        }
        conn.alive = false;
        conn.ws.ping();
        conn.sendRaw(frames.ping());
      }
    }
  }

  /** New sockets are refused (503) from now on; open ones stay. */
  stopAccepting(): void {
    this.closing = true;
  }

  /**
   * Stops accepting sockets and drops the open ones without a close frame: seed clients
   * reconnect (to another node) only on an abnormal close.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    for (const sockets of this.users.values()) for (const conn of sockets.all()) conn.terminate();
    this.users.clear();
    const subs = [...this.unsubscribe.values(), this.census.then((off) => off ?? (async () => undefined))];
    this.unsubscribe.clear();
    await Promise.allSettled(subs.map(async (s) => (await s)()));
    await this.delivery.flush();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
