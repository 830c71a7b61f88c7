import { Redis } from 'ioredis';
import { HandlerTable } from './handlers.js';
import type { Bus, BusErrorListener, BusEvent, BusHandler } from './port.js';

/**
 * Redis pub/sub bus for several nodes: one connection publishes, a second one subscribes and
 * fans each message out to the local handlers of its channel. Channels are namespaced by prefix.
 */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers: HandlerTable;
  /** SUBSCRIBE commands not yet confirmed, so that every subscriber of a topic waits for the same one. */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(
    url: string,
    private readonly onError: BusErrorListener = () => undefined,
    private readonly prefix = 'natter:',
  ) {
    const opts = { lazyConnect: false, maxRetriesPerRequest: 2, enableAutoPipelining: true } as const;
    this.pub = new Redis(url, opts);
    this.sub = new Redis(url, { ...opts, maxRetriesPerRequest: null });
    this.handlers = new HandlerTable(onError);
    this.pub.on('error', (e) => onError(e, 'redis publisher'));
    this.sub.on('error', (e) => onError(e, 'redis subscriber'));
    this.sub.on('message', (channel: string, text: string) => {
      let event: BusEvent;
      try {
        event = JSON.parse(text) as BusEvent;
      } catch (e) {
        onError(e, `undecodable event on ${channel}`);
        return;
      }
      if (event.v !== 1) return;
      this.handlers.dispatch(channel.slice(this.prefix.length), event);
    });
  }

  async publish(topic: string, event: BusEvent): Promise<void> {
    await this.pub.publish(this.prefix + topic, JSON.stringify(event));
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.handlers.add(topic, handler)) {
      const confirmed = this.sub.subscribe(this.prefix + topic).finally(() => this.pending.delete(topic));
      this.pending.set(topic, confirmed);
    }
    await this.pending.get(topic);
    return async () => {
      if (this.handlers.remove(topic, handler)) {
        await this.sub.unsubscribe(this.prefix + topic).catch((e: unknown) => this.onError(e, `unsubscribe ${topic}`));
      }
    };
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
