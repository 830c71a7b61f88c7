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
 *   dropped and came back): whoever keeps state from events re-reads it from the store;
 * - `sync` settles once every event whose publish had completed (on any node) when it was called
 *   has been handed to this node's handlers; it answers undefined when there is nothing to wait
 *   for (handlers run inside publish), and never rejects.
 */
export interface Bus {
  publish(topic: string, event: BusEvent): Promise<void>;
  publishMany(topics: readonly string[], event: BusEvent): Promise<void>;
  onGap(listener: () => void): void;
  /** A barrier: events already published have reached this node's handlers when it settles (undefined: already so). */
  sync(): Promise<void> | undefined;
  /** Resolves while the bus can carry events (Redis answers); rejects otherwise (for /readyz). */
  ping(): Promise<void>;
  /** Resolves to a function that removes this handler. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type BusErrorListener = (err: unknown, context: string) => void;
