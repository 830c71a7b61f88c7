import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Bus, BusEvent } from '../bus/port.js';
import { userTopic } from '../bus/topics.js';
import type { Clock } from '../domain/clock.js';
import type { UserEvent } from '../domain/events.js';
import type { ChatMessage } from '../domain/message.js';
import type { AuthService } from '../services/auth.js';
import type { DeliveryService, Logger } from '../services/delivery.js';
import { Connection, type ConnectionLimits } from './connection.js';
import { CloseCode, frames, HANDSHAKE } from './frames.js';

export interface GatewayOptions extends ConnectionLimits {
  nodeId: string;
  maxPayloadBytes: number;
  /** New sockets per client address per minute; 0 = unlimited. */
  connectsPerMinute: number;
  /** Frames a client may send per minute before it is disconnected. */
  framesPerMinute: number;
  pingIntervalMs: number;
}

export interface GatewayHooks {
  /** Notices sent (not stored) right after the welcome frame (spec §5.2 step 4). */
  entryNotices(conn: Connection): Promise<ChatMessage[]>;
  /** The notice shown on a socket ended by a newer login elsewhere (spec §5.2). */
  kickNotice(conn: Connection, at: number): ChatMessage;
  opened?(): void;
  closed?(): void;
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The WebSocket gateway at `/ws?token=…` (DESIGN §5): authenticates like HTTP, keeps one live
 * socket per user on this node, and listens on each connected user's bus topic for messages,
 * drains and session changes coming from any node.
 */
export class Gateway {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<number, Connection>();
  private readonly unsubscribe = new Map<number, Promise<() => Promise<void>>>();
  private readonly attempts = new Map<string, { count: number; resetAt: number }>();
  private readonly frameCounts = new WeakMap<Connection, { count: number; resetAt: number }>();
  private readonly timer: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly auth: AuthService,
    private readonly delivery: DeliveryService,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly log: Logger & { info(obj: object, msg: string): void },
    private readonly opts: GatewayOptions,
    private readonly hooks: GatewayHooks,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    this.timer = setInterval(() => this.heartbeat(), opts.pingIntervalMs);
    this.timer.unref();
    // Pushes lost on the way (the bus reconnected) are still stored: every socket drains them.
    bus.onGap(() => {
      for (const conn of this.conns.values()) conn.onEvent({ v: 1, type: 'drain' });
    });
  }

  get size(): number {
    return this.conns.size;
  }

  /** Entry point from the HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, address: string): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' && url.pathname !== '/ws/') return refuse(socket, '404 Not Found');
    if (this.closing) return refuse(socket, '503 Service Unavailable');
    if (!this.allowAttempt(address)) return refuse(socket, '429 Too Many Requests');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.accept(ws, url.searchParams.get('token') ?? undefined).catch((err: unknown) => {
        this.log.error({ err }, 'websocket setup failed');
        ws.terminate();
      });
    });
  }

  private allowAttempt(address: string): boolean {
    if (this.opts.connectsPerMinute <= 0) return true;
    const now = this.clock.now();
    const a = this.attempts.get(address);
    if (!a || a.resetAt <= now) {
      if (this.attempts.size > 100_000) this.attempts.clear();
      this.attempts.set(address, { count: 1, resetAt: now + 60_000 });
      return true;
    }
    a.count++;
    return a.count <= this.opts.connectsPerMinute;
  }

  private async accept(ws: WebSocket, token: string | undefined): Promise<void> {
    ws.on('error', (err) => this.log.warn({ err }, 'websocket error'));
    const res = await this.auth.authenticate(token);
    if (!res.ok) {
      ws.send(frames.fail(HANDSHAKE[res.reason]), () => ws.close(CloseCode.refused, 'refused'));
      return;
    }
    const { user, claims } = res;
    const conn = new Connection(ws, user, claims.sid, claims.role, this.delivery, this.clock, this.log, this.opts);
    ws.on('message', (data: RawData) => this.onFrame(conn, data));
    ws.on('pong', () => (conn.alive = true));
    ws.on('close', () => void this.onClose(conn));
    // Cursors this node has not saved yet (an older socket of this user) are saved first.
    await this.delivery.flush();
    await conn.init();
    if (!conn.open) return;

    const old = this.conns.get(user.id);
    this.conns.set(user.id, conn);
    this.hooks.opened?.();
    if (old) this.replace(old, conn.sid, this.clock.now());
    await this.subscribe(user.id);
    if (!conn.open) return;
    const announce: UserEvent = { v: 1, type: 'socket', sid: conn.sid, node: this.opts.nodeId, conn: conn.id };
    await this.bus.publish(userTopic(user.id), announce).catch((err: unknown) => this.log.warn({ err }, 'could not announce socket'));

    conn.sendRaw(frames.welcome(this.clock.now()));
    for (const notice of await this.hooks.entryNotices(conn)) conn.sendRaw(frames.chat(notice, this.clock.now()));
  }

  /** An older socket gives way: with the account-anomaly notice when a different login took over. */
  private replace(old: Connection, newSid: string, at: number): void {
    if (old.sid !== newSid) {
      old.sendRaw(frames.chat(this.hooks.kickNotice(old, at), this.clock.now()));
      old.close(CloseCode.replacedByLogin, 'logged in elsewhere');
    } else {
      old.close(CloseCode.replacedBySocket, 'replaced by a newer connection');
    }
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
    const conn = this.conns.get(userId);
    if (!conn) return;
    const ev = raw as UserEvent;
    if (ev.type === 'session') {
      // A visitor upgraded on its own device is not "logged in elsewhere": no notice.
      if (ev.action === 'started' && ev.sid !== conn.sid) {
        if (ev.reason === 'upgrade') conn.close(CloseCode.replacedBySocket, 'account upgraded');
        else this.replace(conn, ev.sid, ev.at);
      }
      if (ev.action === 'ended' && ev.sid === conn.sid) conn.close(CloseCode.sessionEnded, 'session ended');
    } else if (ev.type === 'socket') {
      if (ev.conn !== conn.id) this.replace(conn, ev.sid, this.clock.now());
    } else {
      conn.onEvent(ev);
    }
  }

  private async onClose(conn: Connection): Promise<void> {
    const uid = conn.user.id;
    if (this.conns.get(uid) !== conn) return;
    this.conns.delete(uid);
    this.hooks.closed?.();
    const sub = this.unsubscribe.get(uid);
    this.unsubscribe.delete(uid);
    await this.delivery.flush();
    if (sub) await (await sub)().catch(() => undefined);
  }

  /** Client frames (spec §5.3): only pings are answered; chat goes over HTTP. */
  private onFrame(conn: Connection, data: RawData): void {
    const now = this.clock.now();
    const c = this.frameCounts.get(conn);
    if (!c || c.resetAt <= now) this.frameCounts.set(conn, { count: 1, resetAt: now + 60_000 });
    else if (++c.count > this.opts.framesPerMinute) return conn.close(1008, 'too many frames');

    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    if (text === 'ping') return conn.sendRaw(frames.pong(now));
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object' || (frame as { type?: unknown }).type !== 'ping') return;
    const token = (frame as { token?: unknown }).token;
    if (typeof token !== 'string' || token === '') return conn.sendRaw(frames.pong(now));
    void this.auth.tokenVerifies(token).then((ok) => {
      if (ok) conn.sendRaw(frames.pong(this.clock.now()));
    });
  }

  /** App-level ping for the client, protocol ping for liveness: a socket silent for a whole interval is dropped. */
  private heartbeat(): void {
    for (const conn of this.conns.values()) {
      if (!conn.alive) {
        conn.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      conn.sendRaw(frames.ping());
    }
  }

  /**
   * Stops accepting sockets and drops the open ones without a close frame: seed clients
   * reconnect (to another node) only on an abnormal close.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.timer);
    for (const conn of this.conns.values()) conn.terminate();
    this.conns.clear();
    const subs = [...this.unsubscribe.values()];
    this.unsubscribe.clear();
    await Promise.allSettled(subs.map(async (s) => (await s)()));
    await this.delivery.flush();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
