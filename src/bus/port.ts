/**
 * The message bus between nodes. Contract (both implementations pass test/contract/bus.test.ts):
 * - at most once: an event may be lost (a node down, Redis unreachable), never duplicated;
 * - per-topic order: events published to one topic by one node arrive in publish order;
 * - handlers never throw into the bus (errors are caught and logged);
 * - `subscribe` resolves once events published afterwards will be received.
 * Events are versioned JSON objects.
 */
export interface BusEvent {
  v: 1;
  type: string;
  [key: string]: unknown;
}

export type BusHandler = (event: BusEvent) => void;

export interface Bus {
  publish(topic: string, event: BusEvent): Promise<void>;
  /** Resolves to a function that removes this handler. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type BusErrorListener = (err: unknown, context: string) => void;
