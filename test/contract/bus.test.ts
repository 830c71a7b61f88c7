import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import type { Bus, BusEvent } from '../../src/bus/port.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { redisRelay } from '../helpers/redis-relay.js';

/**
 * The bus contract of DESIGN §6 (src/bus/port.ts): at-most-once, per-topic order, handlers never
 * throw into the bus, `subscribe` resolves once later events will be received. One suite, run
 * against every implementation; RedisBus only when TEST_REDIS_URL is set.
 */
interface Impl {
  name: string;
  /** A bus and a second node's bus on the same channels (the memory bus: the same object). */
  pair(onError?: (err: unknown) => void): { a: Bus; b: Bus };
}

const impls: Impl[] = [
  {
    name: 'MemoryBus',
    pair: (onError) => {
      const bus = new MemoryBus(onError);
      return { a: bus, b: bus };
    },
  },
];
const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl) {
  impls.push({
    name: 'RedisBus',
    pair: (onError) => {
      const prefix = `natter-test:${randomUUID()}:`;
      return { a: new RedisBus(redisUrl, { onError, prefix }), b: new RedisBus(redisUrl, { onError, prefix }) };
    },
  });
}

const ev = (n: number, extra: Record<string, unknown> = {}): BusEvent => ({ v: 1, type: 'test', n, ...extra });

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const impl of impls) {
  describe(`bus contract [${impl.name}]`, () => {
    const open: Bus[] = [];
    afterEach(async () => {
      for (const b of open.splice(0)) await b.close().catch(() => undefined);
    });
    const make = (onError?: (err: unknown) => void) => {
      const p = impl.pair(onError);
      open.push(p.a);
      if (p.b !== p.a) open.push(p.b);
      return p;
    };
    /**
     * Everything published on `bus` before this call has been dispatched once a marker on a
     * topic of its own has (one connection, one order), which lets tests assert "nothing came".
     */
    const settle = async (pub: Bus, sub: Bus) => {
      const topic = `settle:${randomUUID()}`;
      let seen = false;
      const off = await sub.subscribe(topic, () => (seen = true));
      await pub.publish(topic, ev(-1));
      await until(() => seen, 'the settle marker');
      await off();
    };

    it('answers ping while open, and refuses it once closed', async () => {
      const { a } = make();
      await expect(a.ping()).resolves.toBeUndefined();
      await a.close();
      await expect(a.ping()).rejects.toThrow();
    });

    it('delivers an event published after subscribe resolves, to this node and to another', async () => {
      const { a, b } = make();
      const got: BusEvent[] = [];
      await a.subscribe('u:1', (e) => got.push(e));
      await a.publish('u:1', ev(1, { msg: { text: '你好', nested: [1, null] } }));
      await b.publish('u:1', ev(2));
      await until(() => got.length === 2, 'two events');
      expect(got).toEqual([ev(1, { msg: { text: '你好', nested: [1, null] } }), ev(2)]);
    });

    it('keeps the order of 1,000 events on one topic, each delivered once', async () => {
      const { a, b } = make();
      const got: number[] = [];
      await a.subscribe('u:order', (e) => got.push(e.n as number));
      const pending: Promise<void>[] = [];
      for (let i = 0; i < 1000; i++) pending.push(b.publish('u:order', ev(i)));
      await Promise.all(pending);
      await until(() => got.length >= 1000, '1,000 events');
      await settle(b, a);
      expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    });

    it('keeps per-topic order when two topics are interleaved', async () => {
      const { a, b } = make();
      const got: Record<string, number[]> = { x: [], y: [] };
      await a.subscribe('t:x', (e) => got.x?.push(e.n as number));
      await a.subscribe('t:y', (e) => got.y?.push(e.n as number));
      const pending: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) pending.push(b.publish(i % 3 === 0 ? 't:y' : 't:x', ev(i)));
      await Promise.all(pending);
      await until(() => (got.x?.length ?? 0) + (got.y?.length ?? 0) === 200, '200 events');
      const all = Array.from({ length: 200 }, (_, i) => i);
      expect(got.x).toEqual(all.filter((i) => i % 3 !== 0));
      expect(got.y).toEqual(all.filter((i) => i % 3 === 0));
    });

    it('delivers nothing to a handler after its unsubscribe resolved', async () => {
      const { a, b } = make();
      const got: number[] = [];
      const off = await a.subscribe('u:gone', (e) => got.push(e.n as number));
      await b.publish('u:gone', ev(1));
      await until(() => got.length === 1, 'the first event');
      await off();
      await b.publish('u:gone', ev(2));
      await settle(b, a);
      expect(got).toEqual([1]);
      await off(); // a second call is harmless
    });

    it('gives each event to every handler of the topic; unsubscribing one leaves the others', async () => {
      const { a, b } = make();
      const h1: number[] = [];
      const h2: number[] = [];
      const h3: number[] = [];
      const off1 = await a.subscribe('u:many', (e) => h1.push(e.n as number));
      await a.subscribe('u:many', (e) => h2.push(e.n as number));
      await a.subscribe('u:many', (e) => h3.push(e.n as number));
      await b.publish('u:many', ev(1));
      await until(() => h1.length === 1 && h2.length === 1 && h3.length === 1, 'three handlers');
      await off1();
      await b.publish('u:many', ev(2));
      await until(() => h2.length === 2 && h3.length === 2, 'the remaining handlers');
      await settle(b, a);
      expect([h1, h2, h3]).toEqual([[1], [1, 2], [1, 2]]);
    });

    it('a second subscribe to a topic resolves only once its events will be received', async () => {
      const { a, b } = make();
      const h1: number[] = [];
      const h2: number[] = [];
      // On a fresh bus, so that the first subscription is still on its way to the broker.
      const first = a.subscribe('u:racing', (e) => h1.push(e.n as number));
      await a.subscribe('u:racing', (e) => h2.push(e.n as number));
      await a.publish('u:racing', ev(1));
      await first;
      await b.publish('u:racing', ev(2));
      await until(() => h2.length >= 1 && h1.length >= 1, 'events at both handlers');
      await settle(b, a);
      expect(h2).toEqual([1, 2]);
    });

    it('a throwing handler neither stops the others nor throws into publish', async () => {
      const errors: unknown[] = [];
      const { a, b } = make((err) => errors.push(err));
      const got: number[] = [];
      await a.subscribe('u:boom', () => {
        throw new Error('handler failure');
      });
      await a.subscribe('u:boom', (e) => got.push(e.n as number));
      await expect(a.publish('u:boom', ev(1))).resolves.toBeUndefined();
      await expect(b.publish('u:boom', ev(2))).resolves.toBeUndefined();
      await until(() => got.length === 2, 'both events at the healthy handler');
      expect(got).toEqual([1, 2]);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      // the bus still works afterwards
      await b.publish('u:boom', ev(3));
      await until(() => got.length === 3, 'a later event');
    });

    it('keeps topics apart, including topics that share a prefix', async () => {
      const { a, b } = make();
      const got: Record<string, number[]> = { 'u:1': [], 'u:10': [], 'u:2': [] };
      for (const t of Object.keys(got)) await a.subscribe(t, (e) => got[t]?.push(e.n as number));
      await b.publish('u:10', ev(10));
      await b.publish('u:2', ev(2));
      await b.publish('u:3', ev(3));
      await b.publish('u:1', ev(1));
      await until(() => got['u:1']?.length === 1, 'the u:1 event');
      await settle(b, a);
      expect(got).toEqual({ 'u:1': [1], 'u:10': [10], 'u:2': [2] });
    });

    it('publishMany gives the one event to every subscribed topic once, in order with plain publishes', async () => {
      const { a, b } = make();
      const got: Record<string, number[]> = { 'u:m1': [], 'u:m2': [], 'u:m3': [] };
      const objects: BusEvent[] = [];
      for (const t of Object.keys(got)) {
        await a.subscribe(t, (e) => {
          got[t]?.push(e.n as number);
          if (e.n === 2) objects.push(e);
        });
      }
      await b.publish('u:m1', ev(1));
      await b.publishMany(['u:m1', 'u:m2', 'u:m3', 'u:nobody'], ev(2, { msg: { text: '群消息' } }));
      await b.publish('u:m2', ev(3));
      await b.publishMany(['u:m3'], ev(4));
      await b.publishMany([], ev(5));
      await until(() => got['u:m3']?.length === 2, 'the last event');
      await settle(b, a);
      expect(got).toEqual({ 'u:m1': [1, 2], 'u:m2': [2, 3], 'u:m3': [2, 4] });
      expect(objects).toHaveLength(3);
      expect(objects[0]).toEqual(ev(2, { msg: { text: '群消息' } }));
      // Parsed once per node: every handler of that node gets the same object.
      expect(objects[1]).toBe(objects[0]);
      expect(objects[2]).toBe(objects[0]);
    });

    it('sync: once it settles, every event published before it was called has been handled here (200 in turn)', async () => {
      const { a, b } = make();
      const got: number[] = [];
      await b.subscribe('u:sync', (e) => got.push(e.n as number));
      await b.subscribe('u:sync2', (e) => got.push(e.n as number));
      for (let i = 0; i < 200; i++) {
        if (i % 2 === 0) await a.publish('u:sync', ev(i));
        else await a.publishMany(['u:sync', 'u:sync2'], ev(i));
        const synced = b.sync();
        if (synced !== undefined) await synced;
        expect(got.at(-1)).toBe(i);
      }
      expect(got).toHaveLength(300);
    });

    it('sync: callers of one turn share the wait, and all of them settle; closed, it waits for nothing', async () => {
      const { a, b } = make();
      const got: number[] = [];
      await b.subscribe('u:share', (e) => got.push(e.n as number));
      await a.publish('u:share', ev(1));
      const waits = Array.from({ length: 50 }, () => b.sync());
      expect(new Set(waits).size).toBe(1);
      await Promise.all(waits);
      expect(got).toEqual([1]);
      await b.close();
      expect(b.sync()).toBeUndefined();
    });

    it('onGap listeners can be registered (the memory bus never loses anything)', () => {
      const { a } = make();
      expect(() => a.onGap(() => undefined)).not.toThrow();
    });

    it('delivers nothing once closed, and publish after close does not reach old handlers', async () => {
      const { a, b } = make();
      const got: number[] = [];
      await a.subscribe('u:closed', (e) => got.push(e.n as number));
      await b.publish('u:closed', ev(1));
      await until(() => got.length === 1, 'the event before close');
      await a.close();
      await a.publish('u:closed', ev(2)).catch(() => undefined);
      if (b !== a) {
        const peer: number[] = [];
        await b.subscribe('u:closed', (e) => peer.push(e.n as number));
        await b.publish('u:closed', ev(3));
        await until(() => peer.length === 1, 'the peer to get the event');
      }
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([1]);
    });
  });
}

if (redisUrl) {
  describe('RedisBus specifics', () => {
    const prefix = () => `natter-test:${randomUUID()}:`;

    it('a message to 1,000 topics is one PUBLISH, whatever the number of topics', async () => {
      const p = prefix();
      const a = new RedisBus(redisUrl, { prefix: p });
      const b = new RedisBus(redisUrl, { prefix: p });
      const spy = new Redis(redisUrl);
      try {
        const seen: string[] = [];
        await spy.psubscribe(`${p}*`);
        spy.on('pmessage', (_pattern: string, channel: string) => seen.push(channel));
        const got = new Set<string>();
        const topics = Array.from({ length: 1000 }, (_, i) => `u:${i}`);
        for (const t of topics.slice(0, 10)) await a.subscribe(t, () => got.add(t));
        await b.publishMany(topics, ev(1, { body: 'x'.repeat(6000) }));
        await until(() => got.size === 10, 'the ten subscribed topics');
        await new Promise((r) => setTimeout(r, 50));
        expect(seen).toEqual([`${p}*fanout`]);
      } finally {
        spy.disconnect();
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('sync lets its callers go on, and says so, when Redis stops answering', async () => {
      const relay = await redisRelay(redisUrl);
      const errors: string[] = [];
      const bus = new RedisBus(relay.url, {
        prefix: prefix(),
        onError: (_e, context) => errors.push(context),
      });
      try {
        await bus.subscribe('u:held', () => undefined);
        await bus.sync();
        expect(errors).toEqual([]);
        relay.hold(true);
        const started = Date.now();
        await bus.sync();
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
        expect(errors).toContain('bus sync');
      } finally {
        relay.hold(false);
        await bus.close();
        relay.close();
      }
    });

    it('after its subscriber connection is killed, the bus resubscribes, logs, and tells onGap listeners', async () => {
      const p = prefix();
      const name = `natter-test-${randomUUID()}`;
      const warnings: string[] = [];
      const a = new RedisBus(redisUrl, { prefix: p, name, onWarn: (m) => warnings.push(m) });
      const b = new RedisBus(redisUrl, { prefix: p });
      const admin = new Redis(redisUrl);
      try {
        let gaps = 0;
        a.onGap(() => gaps++);
        const got: number[] = [];
        await a.subscribe('u:gap', (e) => got.push(e.n as number));
        // What Redis does to a subscriber past its output-buffer limit: closes the connection.
        const list = (await admin.client('LIST')) as string;
        const id = /(?:^|\s)id=(\d+)\s.*\bname=(\S+)/gm;
        const ids = [...list.matchAll(id)].filter((m) => m[2] === `${name}-sub`).map((m) => m[1] as string);
        expect(ids).toHaveLength(1);
        expect(await admin.client('KILL', 'ID', ids[0] as string)).toBe(1);
        // A barrier asked for meanwhile settles (there is nothing it could wait for).
        await a.sync();
        await until(() => gaps === 1, 'the gap notice', 10_000);
        expect(warnings.some((w) => w.includes('connection lost'))).toBe(true);
        expect(warnings.some((w) => w.includes('connection back'))).toBe(true);
        // Subscribed again: later events arrive.
        await b.publish('u:gap', ev(7));
        await b.publishMany(['u:gap', 'u:other'], ev(8));
        await until(() => got.length === 2, 'events after the reconnect');
        expect(got).toEqual([7, 8]);
      } finally {
        admin.disconnect();
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}

if (impls.length === 1) {
  describe.skip('bus contract [RedisBus]: set TEST_REDIS_URL to run it', () => {
    it('skipped', () => undefined);
  });
}
