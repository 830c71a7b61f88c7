import type { BusErrorListener, BusEvent, BusHandler } from './port.js';

/** Handler sets per topic, shared by both bus implementations. */
export class HandlerTable {
  private readonly table = new Map<string, Set<BusHandler>>();

  constructor(private readonly onError: BusErrorListener) {}

  /** Adds a handler; returns true when it is the topic's first. */
  add(topic: string, handler: BusHandler): boolean {
    let set = this.table.get(topic);
    const first = set === undefined;
    if (!set) {
      set = new Set();
      this.table.set(topic, set);
    }
    set.add(handler);
    return first;
  }

  /** Removes a handler; returns true when the topic has none left. */
  remove(topic: string, handler: BusHandler): boolean {
    const set = this.table.get(topic);
    if (!set) return false;
    set.delete(handler);
    if (set.size > 0) return false;
    this.table.delete(topic);
    return true;
  }

  has(topic: string): boolean {
    return this.table.has(topic);
  }

  dispatch(topic: string, event: BusEvent): void {
    const set = this.table.get(topic);
    if (!set) return;
    for (const h of set) {
      try {
        h(event);
      } catch (e) {
        this.onError(e, `handler for ${topic}`);
      }
    }
  }

  clear(): void {
    this.table.clear();
  }
}
