import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeBus } from '../../src/bus/bridge-client.js';
import { LocalBridge, MAX_LINE_BYTES, parseRequest } from '../../src/bus/local-bridge.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import type { BusEvent } from '../../src/bus/port.js';
import { tempDir } from '../helpers/databases.js';

/**
 * The local bridge (src/bus/local-bridge.ts): a node's in-process bus reached through a Unix
 * socket by BridgeBus. What arrives is republished as is and in order; bad frames are refused
 * without harming the node; the socket file is private and cleaned up.
 */
const REPLY = 'admin:reply:';
const quiet = { warn: () => undefined, debug: () => undefined };
const ev = (n: number): BusEvent => ({ v: 1, type: 'test', n });

/** A raw client: sends lines, collects answer lines. */
async function raw(file: string): Promise<{ send(text: string): void; lines(count: number): Promise<unknown[]>; closed: Promise<void> }> {
  const socket = net.createConnection(file);
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (text += c));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    send: (t) => socket.write(t),
    async lines(count) {
      const deadline = Date.now() + 5000;
      while (text.split('\n').filter(Boolean).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as unknown);
    },
    closed,
  };
}

describe('local bridge', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  const start = async (file = path.join(tempDir(), 'natter.sock')) => {
    const bus = new MemoryBus();
    const bridge = await LocalBridge.open(file, bus, REPLY, quiet);
    open.push(bridge);
    return { bus, bridge, file };
  };
  const client = async (file: string) => {
    const c = new BridgeBus(file);
    open.push(c);
    return { c, connected: await c.connect() };
  };

  it('republishes on the node bus, in order, each event once, to one topic or several', async () => {
    const { bus, file } = await start();
    const got: [string, number][] = [];
    for (const t of ['u:1', 'u:2']) await bus.subscribe(t, (e) => got.push([t, e.n as number]));
    const { c, connected } = await client(file);
    expect(connected).toBe(true);
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) sent.push(c.publish('u:1', ev(i)));
    sent.push(c.publishMany(['u:1', 'u:2'], ev(500)));
    await Promise.all(sent);
    expect(got.filter(([t]) => t === 'u:1').map(([, n]) => n)).toEqual(Array.from({ length: 501 }, (_, i) => i));
    expect(got.filter(([t]) => t === 'u:2')).toEqual([['u:2', 500]]);
  });

  it('forwards reply topics to the client before the answer of the publish that caused them', async () => {
    const { bus, file } = await start();
    await bus.subscribe('admin:nodes', (e) => void bus.publish(e.reply as string, { v: 1, type: 'answer' }));
    const { c } = await client(file);
    const got: BusEvent[] = [];
    await c.subscribe(`${REPLY}x`, (e) => got.push(e));
    await c.publish('admin:nodes', { v: 1, type: 'ask', reply: `${REPLY}x` });
    expect(got).toEqual([{ v: 1, type: 'answer' }]);
    await expect(c.subscribe('u:1', () => undefined)).rejects.toThrow(/only topics starting with admin:reply:/);
  });

  it('refuses bad frames one by one and keeps serving; an over-long line closes that connection only', async () => {
    const { bus, file } = await start();
    const got: BusEvent[] = [];
    await bus.subscribe('u:1', (e) => got.push(e));
    const r = await raw(file);
    r.send('not json\n[1]\n{"topics":[],"event":{"v":1,"type":"x"}}\n{"topics":["u:1"],"event":{"v":2,"type":"x"}}\n');
    r.send('{"topics":["u:1"],"event":{"v":1}}\n{"topics":["u:1"],"event":{"v":1,"type":"ok"}}\n');
    const answers = await r.lines(6);
    expect(answers).toEqual([
      { ok: false, error: 'not JSON' },
      { ok: false, error: 'not a JSON object' },
      { ok: false, error: 'topics: expected 1 to 1000 topic names' },
      { ok: false, error: 'event: unsupported version (expected v: 1)' },
      { ok: false, error: 'event: type missing' },
      { ok: true },
    ]);
    expect(got).toEqual([{ v: 1, type: 'ok' }]);

    const long = await raw(file);
    long.send('x'.repeat(MAX_LINE_BYTES + 10));
    await long.closed;
    expect(await long.lines(1)).toEqual([{ ok: false, error: `line longer than ${MAX_LINE_BYTES} bytes` }]);
    const { c } = await client(file);
    await c.publish('u:1', ev(1));
    expect(got).toHaveLength(2);
  });

  it('parses only versioned events with topic names', () => {
    expect(parseRequest('{"topics":["u:1"],"event":{"v":1,"type":"push","x":1}}', REPLY)).toEqual({
      kind: 'publish',
      topics: ['u:1'],
      event: { v: 1, type: 'push', x: 1 },
    });
    expect(parseRequest(`{"topics":["${'t'.repeat(201)}"],"event":{"v":1,"type":"x"}}`, REPLY)).toMatch(/^topics/);
    expect(parseRequest('{"topics":["u:1"],"event":[1]}', REPLY)).toBe('event: expected an object');
    expect(parseRequest('{"subscribe":"admin:reply:1"}', REPLY)).toEqual({ kind: 'subscribe', topic: 'admin:reply:1' });
  });

  it('makes the socket private, replaces a stale one, leaves other files alone, and removes only its own on close', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'natter.sock');
    // A socket file left by a crashed node.
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(`${file}.old`, () => r()));
    fs.renameSync(`${file}.old`, file);
    const first = await LocalBridge.open(file, new MemoryBus(), REPLY, quiet);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    stale.close();
    // A newer node takes the name over; the older one closing leaves the newer one's file.
    const second = await LocalBridge.open(file, new MemoryBus(), REPLY, quiet);
    await first.close();
    expect(fs.existsSync(file)).toBe(true);
    expect((await client(file)).connected).toBe(true);
    await second.close();
    expect(fs.existsSync(file)).toBe(false);

    fs.writeFileSync(file, 'not a socket');
    await expect(LocalBridge.open(file, new MemoryBus(), REPLY, quiet)).rejects.toThrow(/not a socket/);
    expect(fs.readFileSync(file, 'utf8')).toBe('not a socket');
  });

  it('without a node listening: connect says so, publishing does nothing, ping fails', async () => {
    const { c, connected } = await client(path.join(tempDir(), 'none.sock'));
    expect(connected).toBe(false);
    expect(c.reason).toBe('ENOENT');
    await expect(c.publish('u:1', ev(1))).resolves.toBeUndefined();
    await expect(c.ping()).rejects.toThrow(/no node listens/);
  });

  it('close waits for publishes still in flight', async () => {
    const { bus, file } = await start();
    const got: number[] = [];
    await bus.subscribe('u:1', (e) => got.push(e.n as number));
    const c = new BridgeBus(file);
    await c.connect();
    for (let i = 0; i < 100; i++) void c.publish('u:1', ev(i));
    await c.close();
    expect(got).toHaveLength(100);
  });
});
