import { Redis } from 'ioredis';
import { HandlerTable } from './handlers.js';
import type { Bus, BusErrorListener, BusEvent, BusHandler } from './port.js';

/** The channel (after the prefix) that carries events for several topics at once. */
const FANOUT = '*fanout';

/** How long `sync` waits for its PING before it lets the caller go on (Redis slow or going away). */
const SYNC_WAIT_MS = 1_000;

export interface RedisBusOptions {
  /** Errors of the connections and of handlers. */
  onError?: BusErrorListener;
  /** Lost and restored subscriber connection. */
  onWarn?: (msg: string) => void;
  /** Channel prefix shared by the nodes of one deployment. */
  prefix?: string;
  /** Connection names seen in Redis's CLIENT LIST (`<name>-pub`, `<name>-sub`). */
  name?: string;
}

interface Fanout {
  t: string[];
  e: BusEvent;
}

/**
 * Redis pub/sub bus for several nodes: one connection publishes, a second one subscribes and
 * fans each message out to the local handlers of its channel. Channels are namespaced by prefix.
 *
 * An event for one topic goes to that topic's channel (only nodes holding it subscribe). An event
 * for several topics (a group message) goes once, with the list of topics, to a channel every
 * node subscribes to; each node parses it once and hands the same object to the handlers of the
 * topics it holds. A message to a 1,000-member group is one PUBLISH, not 1,000, so a node's
 * subscriber stays far below Redis's output-buffer limit for pub/sub clients.
 *
 * Both kinds travel on the same two connections, so events from one node keep their order on
 * every topic. When the subscriber connection drops, events published meanwhile are lost
 * (pub/sub keeps nothing): after it is back and subscribed again, `onGap` listeners are told.
 */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers: HandlerTable;
  /** SUBSCRIBE commands not yet confirmed, so that every subscriber of a topic waits for the same one. */
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly fanout: Promise<unknown>;
  private readonly gapListeners: (() => void)[] = [];
  private lostConnection = false;
  private closing = false;
  /** PUBLISHes not yet answered: `close` lets them go out first (auto-pipelining sends them a tick later). */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The barrier the callers of this turn of the event loop share: its PING is not written yet. */
  private nextSync: Promise<void> | undefined;

  private readonly onError: BusErrorListener;
  private readonly prefix: string;

  constructor(url: string, options: RedisBusOptions = {}) {
    const onError = (this.onError = options.onError ?? (() => undefined));
    this.prefix = options.prefix ?? 'natter:';
    const onWarn = options.onWarn ?? (() => undefined);
    const opts = { lazyConnect: false, maxRetriesPerRequest: 2, enableAutoPipelining: true } as const;
    this.pub = new Redis(url, { ...opts, ...(options.name ? { connectionName: `${options.name}-pub` } : {}) });
    this.sub = new Redis(url, { ...opts, maxRetriesPerRequest: null, ...(options.name ? { connectionName: `${options.name}-sub` } : {}) });
    this.handlers = new HandlerTable(onError);
    this.pub.on('error', (e) => onError(e, 'redis publisher'));
    this.sub.on('error', (e) => onError(e, 'redis subscriber'));
    this.sub.on('close', () => {
      if (this.closing || this.lostConnection) return;
      this.lostConnection = true;
      onWarn('redis subscriber connection lost: live pushes published until it is back are caught up from the store');
    });
    this.sub.on('ready', () => {
      if (!this.lostConnection) return;
      this.lostConnection = false;
      // ioredis sends the SUBSCRIBEs again right after 'ready'; a PING queued behind them answers
      // once they are in force, and only then is the store read again (no window left between).
      setImmediate(() => {
        this.sub.ping().then(
          () => {
            onWarn('redis subscriber connection back: catching up every local socket');
            for (const l of this.gapListeners) {
              try {
                l();
              } catch (e) {
                onError(e, 'gap listener');
              }
            }
          },
          (e: unknown) => onError(e, 'redis subscriber after reconnecting'),
        );
      });
    });
    this.sub.on('message', (channel: string, text: string) => this.receive(channel, text));
    this.fanout = this.sub.subscribe(this.prefix + FANOUT);
    this.fanout.catch((e: unknown) => onError(e, 'subscribe to the fan-out channel'));
  }

  private receive(channel: string, text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (e) {
      this.onError(e, `undecodable event on ${channel}`);
      return;
    }
    const topic = channel.slice(this.prefix.length);
    if (topic === FANOUT) {
      const f = event as Partial<Fanout>;
      if (!Array.isArray(f.t) || f.e?.v !== 1) return;
      for (const t of f.t) if (typeof t === 'string') this.handlers.dispatch(t, f.e);
      return;
    }
    if ((event as Partial<BusEvent>).v !== 1) return;
    this.handlers.dispatch(topic, event as BusEvent);
  }

  async publish(topic: string, event: BusEvent): Promise<void> {
    await this.send(this.prefix + topic, JSON.stringify(event));
  }

  private send(channel: string, text: string): Promise<number> {
    const sent = this.pub.publish(channel, text);
    this.inFlight.add(sent);
    const done = () => void this.inFlight.delete(sent);
    sent.then(done, done);
    return sent;
  }

  async publishMany(topics: readonly string[], event: BusEvent): Promise<void> {
    if (topics.length === 0) return;
    if (topics.length === 1) return this.publish(topics[0] as string, event);
    const body: Fanout = { t: [...topics], e: event };
    await this.send(this.prefix + FANOUT, JSON.stringify(body));
  }

  onGap(listener: () => void): void {
    this.gapListeners.push(listener);
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.handlers.add(topic, handler)) {
      // Only once the connection is ready (the fan-out SUBSCRIBE, queued before it connected, is
      // confirmed): a SUBSCRIBE sent while ioredis runs its ready check makes that check fail.
      const confirmed = this.fanout
        .catch(() => undefined)
        .then(() => this.sub.subscribe(this.prefix + topic))
        .finally(() => this.pending.delete(topic));
      this.pending.set(topic, confirmed);
    }
    await Promise.all([this.fanout, this.pending.get(topic)]);
    return async () => {
      if (this.handlers.remove(topic, handler)) {
        await this.sub.unsubscribe(this.prefix + topic).catch((e: unknown) => this.onError(e, `unsubscribe ${topic}`));
      }
    };
  }

  /**
   * A PING on the subscriber connection: Redis answers it after every message it had already
   * queued for this node, and ioredis hands those to the handlers before it resolves the PING. So
   * once it settles, every event whose PUBLISH had been answered when `sync` was called (the
   * change a client saw acknowledged before its request reached this node) has been handled.
   * Callers in one turn of the event loop share one PING, written in the check phase, after every
   * socket read of that turn. While the subscriber is not connected there is nothing to wait for
   * (events are lost, and `onGap` follows); a PING unanswered after SYNC_WAIT_MS lets callers go on.
   */
  sync(): Promise<void> | undefined {
    if (this.closing || this.sub.status !== 'ready') return undefined;
    return (this.nextSync ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.nextSync = undefined;
        const timer = setTimeout(() => {
          this.onError(new Error(`no answer to the subscriber's PING within ${SYNC_WAIT_MS} ms`), 'bus sync');
          resolve();
        }, SYNC_WAIT_MS);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.sub.ping().then(done, done);
      });
    }));
  }

  /** Both connections answer: publishing works and this node receives. */
  async ping(): Promise<void> {
    if (this.closing) throw new Error('the bus is closed');
    await Promise.all([this.pub.ping(), this.sub.ping()]);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.handlers.clear();
    if (this.pub.status === 'ready') await Promise.allSettled([...this.inFlight]);
    // QUIT after what is queued on a ready connection; one still (re)connecting has nothing to
    // flush and would wait for Redis forever: it is dropped.
    await Promise.allSettled([this.pub, this.sub].map(async (c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
  }
}
