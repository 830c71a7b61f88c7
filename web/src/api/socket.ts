/**
 * The `/ws` push channel with reconnection.
 *
 * - After the welcome frame the client asks for everything it missed (`onReady`): the server
 *   pushes queued messages on this socket.
 * - Close codes decide what happens next (docs/delivery.md): 4001 and 4003 mean this device was
 *   signed out elsewhere; a refused handshake (`{"msg":"fail"}`) with a token reason too. Every
 *   other close reconnects after a delay drawn from an exponential range with full jitter, capped,
 *   so a restarted server is not met by every client at the same instant, and the attempts never
 *   multiply (one timer at a time, one socket at a time).
 * - A socket that hears nothing (not even the server's ping) for `silenceMs` is treated as dead.
 * - Sending over the socket (docs/protocol.md): after the welcome the client says hello; when the
 *   server offers `send`, `sendMessage` sends a message as a frame with a client id and resolves
 *   with the ack. Without the offer (a server that does not answer hello) it answers undefined
 *   and the caller uses HTTP. A send whose ack was lost with the connection fails as a network
 *   error; sent again with the same client id after the reconnect, it is stored only once.
 */
import { ApiError, NetworkError } from './http.js';
import type { Frame, WireMessage } from './types.js';

export type SocketState = 'connecting' | 'online' | 'offline' | 'stopped';
export type SignOutReason = 'elsewhere' | 'ended';

export interface SocketEvents {
  state(s: SocketState): void;
  /** The welcome frame arrived: fetch offline messages now. */
  ready(): void;
  message(m: WireMessage, frameTime: number): void;
  signedOut(reason: SignOutReason): void;
}

export interface SocketOptions {
  url: (token: string) => string;
  WebSocketImpl?: typeof WebSocket;
  baseDelayMs?: number;
  maxDelayMs?: number;
  silenceMs?: number;
  random?: () => number;
  /** How long a send waits for the server's hello answer after the welcome before using HTTP. */
  helloWaitMs?: number;
  /** How long a sent frame waits for its ack before it counts as lost. */
  ackTimeoutMs?: number;
}

/** The limits a server's hello answer states (docs/protocol.md). */
export interface SendOffer {
  frameBytes: number;
  framesPerMinute: number;
  inFlight: number;
  cidLength: number;
}

interface PendingSend {
  resolve: (m: WireMessage) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Failures that say this socket cannot send now, not that the message is refused: sent again later. */
const SOCKET_REFUSALS = ['此连接已不是当前连接，请用新连接发送', '发送过于频繁，请稍后再试'];

const TOKEN_REFUSALS = ['token 已过期', 'Token 不合法', '用户不存在', '你已被管理员禁用', '缺少 token 参数'];

export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class PushSocket {
  private ws: WebSocket | null = null;
  private token: string | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private refused: string | null = null;
  /** This connection's answer to hello: the offer, null when it offers no sending, pending until it answers or the wait ends. */
  private offer: Promise<SendOffer | null> = Promise.resolve(null);
  private answerHello: (o: SendOffer | null) => void = () => undefined;
  private readonly pending = new Map<string, PendingSend>();
  state: SocketState = 'stopped';

  constructor(
    private readonly events: SocketEvents,
    private readonly opts: SocketOptions,
  ) {}

  start(token: string): void {
    this.stop();
    this.token = token;
    this.open();
  }

  stop(): void {
    this.token = null;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      ws.close(1000);
    }
    this.connectionGone();
    this.setState('stopped');
  }

  /**
   * Sends a message (the fields of sendmessage) as a frame with client id `cid`, resolving with
   * the stored message from its ack. Undefined when this connection cannot (not online, no
   * offer, too big a frame, too many awaiting their ack): send it over HTTP. A refusal rejects
   * with the ApiError HTTP would give; a lost connection with a NetworkError. `resend` marks a
   * message tried before (its ack may have been lost): the server answers with the one it stored.
   */
  async sendMessage(cid: string, fields: object, resend = false): Promise<WireMessage | undefined> {
    const ws = this.ws;
    if (!ws || this.state !== 'online') return undefined;
    const offer = await this.offer;
    const text = JSON.stringify(resend ? { type: 'send', cid, body: fields, retry: true } : { type: 'send', cid, body: fields });
    if (!offer || ws !== this.ws || this.state !== 'online') return undefined;
    if (cid.length > offer.cidLength || this.pending.size >= offer.inFlight) return undefined;
    if (new TextEncoder().encode(text).length > offer.frameBytes) return undefined;
    const token = this.token;
    return new Promise<WireMessage>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(cid, new NetworkError('no acknowledgement')), this.opts.ackTimeoutMs ?? 30_000);
      const prev = this.pending.get(cid);
      if (prev) prev.reject(new NetworkError('sent again'));
      this.pending.set(cid, {
        resolve,
        reject: (e) => reject(e instanceof ApiError ? new ApiError(e.status, e.message, token) : e),
        timer,
      });
      ws.send(text);
    });
  }

  private settle(cid: string, outcome: WireMessage | Error): void {
    const p = this.pending.get(cid);
    if (!p) return;
    this.pending.delete(cid);
    clearTimeout(p.timer);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onAck(frame: Frame & { cid?: unknown }): void {
    if (typeof frame.cid !== 'string') return;
    if (frame.msg === 'ok' && frame.data && typeof frame.data === 'object') return this.settle(frame.cid, frame.data as WireMessage);
    const text = typeof frame.data === 'string' ? frame.data : 'fail';
    this.settle(frame.cid, SOCKET_REFUSALS.includes(text) ? new NetworkError(text) : new ApiError(400, text));
  }

  /** Sends waiting for an ack will not get one: they fail as the network would. */
  private connectionGone(): void {
    this.answerHello(null);
    this.offer = Promise.resolve(null);
    for (const cid of [...this.pending.keys()]) this.settle(cid, new NetworkError('connection closed before the acknowledgement'));
  }

  private sayHello(ws: WebSocket): void {
    let answer: (o: SendOffer | null) => void = () => undefined;
    this.offer = new Promise((resolve) => (answer = resolve));
    const timer = setTimeout(() => answer(null), this.opts.helloWaitMs ?? 2000);
    this.answerHello = (o) => {
      clearTimeout(timer);
      answer(o);
    };
    ws.send(JSON.stringify({ type: 'hello', features: ['send'] }));
  }

  /** Reconnect now (the browser came back online, or the person asked). */
  retryNow(): void {
    if (!this.token || this.state === 'online' || this.state === 'connecting') return;
    this.attempt = 0;
    this.clearTimers();
    this.open();
  }

  private open(): void {
    if (!this.token) return;
    const Impl = this.opts.WebSocketImpl ?? WebSocket;
    this.refused = null;
    this.setState('connecting');
    const ws = new Impl(this.opts.url(this.token));
    this.ws = ws;
    ws.onmessage = (ev) => this.onFrame(ws, ev.data);
    ws.onclose = (ev) => this.onClose(ws, ev.code);
    ws.onerror = () => undefined; // a close always follows
    this.watchSilence(ws);
  }

  private onFrame(ws: WebSocket, raw: unknown): void {
    if (ws !== this.ws) return;
    this.watchSilence(ws);
    let frame: Frame;
    try {
      frame = JSON.parse(String(raw)) as Frame;
    } catch {
      return;
    }
    if (frame.msg === 'fail' && frame.type === undefined) {
      this.refused = typeof frame.data === 'string' ? frame.data : 'fail';
      return;
    }
    if (frame.type === 'system') {
      this.attempt = 0;
      this.sayHello(ws);
      this.setState('online');
      this.events.ready();
    } else if (frame.type === 'hello') {
      const max = (frame as { max?: SendOffer }).max;
      const features = (frame as { features?: unknown }).features;
      this.answerHello(Array.isArray(features) && features.includes('send') && max ? max : null);
    } else if (frame.type === 'ack') {
      this.onAck(frame);
    } else if (frame.type === 'singleChat' && frame.data && typeof frame.data === 'object') {
      this.events.message(frame.data as WireMessage, frame.timestamp ?? Date.now());
    }
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.clearTimers();
    this.connectionGone();
    const refusedForToken = this.refused !== null && TOKEN_REFUSALS.includes(this.refused);
    if (code === 4001 || code === 4003 || refusedForToken) {
      this.token = null;
      this.setState('stopped');
      this.events.signedOut(code === 4001 ? 'elsewhere' : 'ended');
      return;
    }
    this.setState('offline');
    const delay = backoffDelay(
      this.attempt++,
      this.opts.baseDelayMs ?? 500,
      this.opts.maxDelayMs ?? 30_000,
      this.opts.random ?? Math.random,
    );
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private watchSilence(ws: WebSocket): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    const ms = this.opts.silenceMs ?? 75_000;
    this.silenceTimer = setTimeout(() => {
      if (ws === this.ws) ws.close(4000);
      // Some browsers delay the close event of a dead connection: do not wait for it.
      if (ws === this.ws) this.onClose(ws, 1006);
    }, ms);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.retryTimer = this.silenceTimer = null;
  }

  private setState(s: SocketState): void {
    if (this.state === s) return;
    this.state = s;
    this.events.state(s);
  }
}
