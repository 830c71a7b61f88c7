/** Events are versioned JSON objects. */
export interface BusEvent {
  v: 1;
  type: string;
  [key: string]: unknown;
}

export type BusHandler = (event: BusEvent) => void;

/**
 * The message bus between nodes. Contract (both implementations pass test/contract/bus.test.ts):
 * - at most once: an event may be lost (a node down, Redis unreachable), never duplicated;
 * - per-topic order: events published to one topic by one node arrive in publish order;
 * - handlers never throw into the bus (errors are caught and logged);
 * - `subscribe` resolves once events published afterwards will be received;
 * - `publishMany` is `publish` to each topic (same order guarantees with the node's other
 *   publishes) but may travel once: on Redis one message reaches every node, not one per topic;
 * - `onGap` listeners hear when events may have been lost on the way (the subscriber connection
 *   dropped and came back): whoever keeps state from events re-reads it from the store.
 */
export interface Bus {
  publish(topic: string, event: BusEvent): Promise<void>;
  publishMany(topics: readonly string[], event: BusEvent): Promise<void>;
  onGap(listener: () => void): void;
  /** Resolves while the bus can carry events (Redis answers); rejects otherwise (for /readyz). */
  ping(): Promise<void>;
  /** Resolves to a function that removes this handler. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type BusErrorListener = (err: unknown, context: string) => void;
