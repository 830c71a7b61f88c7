/** Topic names shared by publishers and subscribers. */
export const userTopic = (userId: number): string => `u:${userId}`;

/** Cache invalidations (keys of store/cached-store.ts): every node subscribes. */
export const CACHE_TOPIC = 'cache';
