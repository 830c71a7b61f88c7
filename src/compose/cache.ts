import type { Bus, BusEvent } from '../bus/port.js';
import { CACHE_TOPIC } from '../bus/topics.js';
import type { Config } from '../config.js';
import type { Log } from '../domain/log.js';
import { cachedStore, type CacheControl, type CacheSizes } from '../store/cached-store.js';
import type { Store } from '../store/port.js';

/** What travels on the `cache` topic: the keys a committed write changed (store/cached-store.ts). */
export interface CacheEvent extends BusEvent {
  v: 1;
  type: 'cache';
  keys: string[];
}

const announcer =
  (bus: Bus, log: Log) =>
  (keys: string[]): Promise<void> =>
    bus.publish(CACHE_TOPIC, { v: 1, type: 'cache', keys } satisfies CacheEvent).catch((err: unknown) => {
      // The change is committed; nodes that missed it drop everything when their subscriber is back (a gap).
      log.warn({ err, keys }, 'could not announce a cache invalidation');
    });

/**
 * The store of a node: hot reads from memory, dropped on every node when any node (or the admin
 * command) changes them. Listens on the `cache` topic before it is used, and clears everything
 * when the bus reports a gap (events may have been lost).
 */
export async function cachingStore<S extends Store>(store: S, bus: Bus, config: Readonly<Config>, log: Log): Promise<S & CacheControl> {
  const cached = cachedStore(store, config.cache, announcer(bus, log), () => bus.sync());
  await bus.subscribe(CACHE_TOPIC, (e) => {
    const keys = (e as Partial<CacheEvent>).keys;
    if (e.type === 'cache' && Array.isArray(keys)) cached.drop(keys.filter((k): k is string => typeof k === 'string'));
  });
  bus.onGap(() => {
    cached.clear();
    log.warn({}, 'bus gap: every cached row dropped');
  });
  return cached;
}

const NOTHING_KEPT: CacheSizes = { users: 0, pairs: 0, groups: 0, ttlMs: 0 };

/** The store of a process that serves no reads from memory (the admin command) but must tell the nodes what it changed. */
export function announcingStore<S extends Store>(store: S, bus: Bus, log: Log): S & CacheControl {
  return cachedStore(store, NOTHING_KEPT, announcer(bus, log));
}
