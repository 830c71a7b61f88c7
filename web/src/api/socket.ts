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
 */
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
}

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
    this.setState('stopped');
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
    if (frame.msg === 'fail') {
      this.refused = typeof frame.data === 'string' ? frame.data : 'fail';
      return;
    }
    if (frame.type === 'system') {
      this.attempt = 0;
      this.setState('online');
      this.events.ready();
    } else if (frame.type === 'singleChat' && frame.data && typeof frame.data === 'object') {
      this.events.message(frame.data as WireMessage, frame.timestamp ?? Date.now());
    }
  }

  private onClose(ws: WebSocket, code: number): void {
    if (ws !== this.ws) return;
    this.ws = null;
    this.clearTimers();
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
