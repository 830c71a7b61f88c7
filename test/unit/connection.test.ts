import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { ChatMessage } from '../../src/domain/message.js';
import type { User } from '../../src/domain/user.js';
import { Connection } from '../../src/realtime/connection.js';
import type { DeliveryService } from '../../src/services/delivery.js';
import type { StoredMessage } from '../../src/store/port.js';

/**
 * One socket's ordering rules (src/realtime/connection.ts) against a stand-in socket and store:
 * a message is written once, even when another socket already delivered it.
 */
const CONV = 's:1:2';
const msg = (seq: number) => ({ id: `m${seq}`, data: `text ${seq}` }) as unknown as ChatMessage;

function setup(storedCursor: { value: number }, own: number[] = [], waiting: number[] = []) {
  const written: string[] = [];
  const ws = {
    OPEN: 1,
    CONNECTING: 0,
    readyState: 1,
    bufferedAmount: 0,
    send(data: Buffer | string, _o: unknown, cb?: (err?: Error) => void) {
      written.push(JSON.parse(String(data)).data.id);
      cb?.();
    },
    close() {},
    terminate() {},
  } as unknown as WebSocket;
  const rows = (from: number, to: number): StoredMessage[] =>
    Array.from(
      { length: Math.max(0, to - from) },
      (_, i) =>
        ({
          id: from + i + 1,
          conversation_id: CONV,
          seq: from + i + 1,
          sender_id: own.includes(from + i + 1) ? 1 : 2,
          revoked: 0,
          body: JSON.stringify(msg(from + i + 1)),
        }) as unknown as StoredMessage,
    );
  const delivery = {
    cursors: async () => new Map([[CONV, storedCursor.value]]),
    cursor: async () => storedCursor.value,
    range: async (_c: string, from: number, to: number) => rows(from, to),
    pending: async (_u: number, after: number) => rows(0, Math.max(0, ...waiting)).filter((r) => waiting.includes(r.seq) && r.id > after),
    delivered: (_c: string, _u: number, seq: number) => (storedCursor.value = Math.max(storedCursor.value, seq)),
  } as unknown as DeliveryService;
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const conn = new Connection(
    ws,
    { user: { id: 1 } as User, sid: 'sid', role: 'user', token: 'tok' },
    { delivery, clock: { now: () => 0 }, log },
    { maxBufferedBytes: 1 << 20, drainHighWaterBytes: 1 << 20, drainBatch: 100 },
  );
  conn.state = 'active';
  return { conn, written };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('Connection', () => {
  it('fills a gap from the store before a live message, in order', async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored);
    await conn.init();
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 1, msg: msg(1) });
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 4, msg: msg(4) });
    await settle();
    expect(written).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('does not write a live message another socket already delivered (the stored cursor passed it)', async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored);
    await conn.init();
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 1, msg: msg(1) });
    await settle();
    // meanwhile another socket of the user delivered 2 and 3; the event for 2 never came here
    stored.value = 3;
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 3, msg: msg(3) });
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 4, msg: msg(4) });
    await settle();
    expect(written).toEqual(['m1', 'm4']);
  });

  it('writes nothing while it is not the receiving socket', async () => {
    const { conn, written } = setup({ value: 0 });
    await conn.init();
    conn.state = 'standby';
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 1, msg: msg(1) });
    await settle();
    expect(written).toEqual([]);
  });

  const ack = (seq: number) => JSON.stringify({ type: 'ack', cid: `c${seq}`, msg: 'ok', data: { id: `ack${seq}` } });

  it("writes the ack of the user's own message after the conversation's earlier messages, and passes it", async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored);
    await conn.init();
    // Messages 1 and 2 (from the peer) were committed but their events have not arrived yet.
    const send = conn.startSend(CONV);
    send.acked(3, ack(3));
    send.end();
    conn.sendInOrder(JSON.stringify({ type: 'ack', cid: 'c4', msg: 'fail', data: { id: 'fail4' } }));
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 2, msg: msg(2) });
    conn.onEvent({ v: 1, type: 'own', conv: CONV, seq: 3 });
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 4, msg: msg(4) });
    await settle();
    expect(written).toEqual(['m1', 'm2', 'ack3', 'fail4', 'm4']);
    expect(stored.value).toBe(4);
  });

  it('writes the ack in place when a later message of the conversation arrives before the send hears its commit', async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored, [1]);
    await conn.init();
    const send = conn.startSend(CONV);
    // Message 1 (this send) is committed, message 2 (the peer's) too, and its push comes first.
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 2, msg: msg(2) });
    await settle();
    expect(written).toEqual([]);
    send.acked(1, ack(1));
    send.end();
    conn.onEvent({ v: 1, type: 'own', conv: CONV, seq: 1 });
    await settle();
    expect(written).toEqual(['ack1', 'm2']);
    expect(stored.value).toBe(2);
  });

  it('writes the ack in place when a drain reaches a later message first', async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored, [1], [2, 3]);
    await conn.init();
    const send = conn.startSend(CONV);
    conn.onEvent({ v: 1, type: 'drain' });
    await settle();
    send.acked(1, ack(1));
    send.end();
    await settle();
    expect(written).toEqual(['ack1', 'm2', 'm3']);
  });

  it("waits for a send being stored only to learn its place: another device's message before it changes nothing", async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored, [1]);
    await conn.init();
    const send = conn.startSend(CONV);
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 2, msg: msg(2) });
    send.acked(3, ack(3));
    send.end();
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 4, msg: msg(4) });
    await settle();
    expect(written).toEqual(['m2', 'ack3', 'm4']);
  });

  it('a send that fails holds nothing back', async () => {
    const stored = { value: 0 };
    const { conn, written } = setup(stored, [1]);
    await conn.init();
    conn.startSend(CONV).end();
    conn.onEvent({ v: 1, type: 'push', conv: CONV, seq: 2, msg: msg(2) });
    await settle();
    expect(written).toEqual(['m2']);
  });
});
