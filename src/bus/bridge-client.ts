import net from 'node:net';
import { HandlerTable } from './handlers.js';
import type { Bus, BusErrorListener, BusEvent, BusHandler } from './port.js';

/** How long `close` waits for the answers of requests still in flight. */
const CLOSE_WAIT_MS = 5_000;

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The client side of the local bridge (local-bridge.ts): a Bus for a short-lived process on the
 * same host as a node running on the in-process bus. `connect` says whether a node listens; when
 * none does, publishing does nothing (there is nobody to tell) and subscriptions hear nothing.
 * Each request resolves once the node has carried it out; `close` waits for those in flight.
 */
export class BridgeBus implements Bus {
  private socket: net.Socket | undefined;
  private readonly pending: Pending[] = [];
  private readonly handlers: HandlerTable;
  private buffered = '';
  /** Settles when the last request sent so far is answered (answers come in order). */
  private last: Promise<void> = Promise.resolve();
  private closed = false;
  /** Why `connect` found no node (the error code), when it did not. */
  reason: string | undefined;

  constructor(
    readonly file: string,
    private readonly onError: BusErrorListener = () => undefined,
  ) {
    this.handlers = new HandlerTable(onError);
  }

  /** A short-lived process keeps nothing from events: nothing to wait for. */
  sync(): undefined {
    return undefined;
  }

  /** Connects; false when no node listens on the file (no file, or a file left by a node that is gone). */
  connect(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.createConnection(this.file);
      socket.setEncoding('utf8');
      socket.once('connect', () => {
        this.socket = socket;
        resolve(true);
      });
      socket.on('error', (err) => {
        if (this.socket !== socket) {
          this.reason = (err as NodeJS.ErrnoException).code ?? err.message;
          return resolve(false);
        }
        this.onError(err, 'local bridge connection');
      });
      socket.on('data', (chunk: string) => this.receive(chunk));
      socket.on('close', () => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        for (const p of this.pending.splice(0)) p.reject(new Error('the node closed the local bridge connection'));
      });
    });
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      let frame: { ok?: unknown; error?: unknown; topic?: unknown; event?: BusEvent };
      try {
        frame = JSON.parse(line) as typeof frame;
      } catch (e) {
        this.onError(e, 'undecodable line from the local bridge');
        continue;
      }
      if (typeof frame.topic === 'string' && frame.event?.v === 1) {
        this.handlers.dispatch(frame.topic, frame.event);
      } else if (typeof frame.ok === 'boolean') {
        const p = this.pending.shift();
        if (frame.ok) p?.resolve();
        else p?.reject(new Error(`local bridge refused the request: ${String(frame.error)}`));
      }
    }
  }

  private request(frame: object): Promise<void> {
    const socket = this.socket;
    if (!socket || this.closed) return Promise.resolve();
    const answered = new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      socket.write(`${JSON.stringify(frame)}\n`);
    });
    this.last = answered.catch(() => undefined);
    return answered;
  }

  publish(topic: string, event: BusEvent): Promise<void> {
    return this.request({ topics: [topic], event });
  }

  publishMany(topics: readonly string[], event: BusEvent): Promise<void> {
    if (topics.length === 0) return Promise.resolve();
    return this.request({ topics, event });
  }

  /** Only reply topics can be subscribed to (the node refuses others). */
  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    const first = this.handlers.add(topic, handler);
    if (first) await this.request({ subscribe: topic });
    return async () => {
      this.handlers.remove(topic, handler);
    };
  }

  onGap(): void {}

  async ping(): Promise<void> {
    if (!this.socket || this.closed) throw new Error(`no node listens on ${this.file}`);
  }

  /** Waits (a bounded time) for the answers of requests in flight, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)));
    await Promise.race([this.last, timeout]);
    clearTimeout(timer);
    this.handlers.clear();
    this.socket?.end();
    this.socket = undefined;
  }
}
