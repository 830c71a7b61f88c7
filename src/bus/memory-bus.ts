import { HandlerTable } from './handlers.js';
import type { Bus, BusErrorListener, BusEvent, BusHandler } from './port.js';

/** In-process bus: the default for a single node. Handlers run synchronously inside publish. */
export class MemoryBus implements Bus {
  private readonly handlers: HandlerTable;
  private closed = false;

  constructor(onError: BusErrorListener = () => undefined) {
    this.handlers = new HandlerTable(onError);
  }

  async publish(topic: string, event: BusEvent): Promise<void> {
    if (!this.closed) this.handlers.dispatch(topic, event);
  }

  async publishMany(topics: readonly string[], event: BusEvent): Promise<void> {
    if (!this.closed) for (const t of topics) this.handlers.dispatch(t, event);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the bus is closed');
  }

  /** Handlers have run when publish returns: nothing to wait for. */
  sync(): undefined {
    return undefined;
  }

  /** Nothing is ever lost in-process. */
  onGap(): void {}

  async subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>> {
    this.handlers.add(topic, handler);
    return async () => {
      this.handlers.remove(topic, handler);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
  }
}
