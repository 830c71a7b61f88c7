import { expect, it } from 'vitest';
import { barrier, drain, OK, online, range, send, sendOk, setUserset, textOf, textsFrom, UNLIMITED } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';

/**
 * Harder delivery cases (DESIGN §5: "in order, exactly once per client"): live messages behind
 * queued ones, several senders, more than one drain page, quick reconnects, concurrent senders.
 */

describeEachDialect('delivery: order and exactly-once under pressure', (h) => {
  const users = async (n: number) => {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await h.server.client.register());
    return out;
  };

  it('a live message to a socket that has not drained yet comes after the queued ones, in order', async () => {
    const [a, b] = await users(2);
    if (!a || !b) throw new Error('users');
    await setUserset(h.server, b.token, UNLIMITED);
    for (const text of range(10)) await sendOk(h.server, a.token, b.id, text);
    const c = await online(h.server, b.token);
    await sendOk(h.server, a.token, b.id, 'live');
    await c.waitChats(1, (m) => textOf(m) === 'live');
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await barrier(h.server, a, c, b.id);
    const texts = textsFrom(c, a.id);
    expect(texts.slice(0, 11)).toEqual([...range(10), 'live']);
    expect(texts).toHaveLength(12);
    c.close();
  });

  it('drains the queues of several senders in the order the messages were sent', async () => {
    const [a, c2, b] = await users(3);
    if (!a || !c2 || !b) throw new Error('users');
    await setUserset(h.server, b.token, UNLIMITED);
    const order: string[] = [];
    for (let i = 0; i < 30; i++) {
      const from = i % 3 === 0 ? c2 : a;
      const text = `${from === a ? 'a' : 'c'}${i}`;
      await sendOk(h.server, from.token, b.id, text);
      order.push(text);
    }
    const c = await online(h.server, b.token);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await c.waitChats(30, (m) => m.from_id === a.id || m.from_id === c2.id);
    expect(c.chats((m) => m.from_id === a.id || m.from_id === c2.id).map(textOf)).toEqual(order);
    c.close();
  });

  it('drains more than one page (600 messages) once and in order', async () => {
    const [a, b] = await users(2);
    if (!a || !b) throw new Error('users');
    await setUserset(h.server, b.token, UNLIMITED);
    for (const text of range(600)) await sendOk(h.server, a.token, b.id, text);
    const c = await online(h.server, b.token);
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    await c.waitChats(600, (m) => m.from_id === a.id, 30_000);
    await barrier(h.server, a, c, b.id);
    const texts = textsFrom(c, a.id);
    expect(texts.slice(0, 600)).toEqual(range(600));
    expect(texts).toHaveLength(601);
    c.close();
  }, 120_000);

  // The delivery cursor must be saved before a new socket of the user reads it.
  it('does not repeat what a socket received when the client reconnects at once', async () => {
    const [a, b] = await users(2);
    if (!a || !b) throw new Error('users');
    await setUserset(h.server, b.token, UNLIMITED);
    const repeated: string[] = [];
    for (let round = 0; round < 5; round++) {
      const c = await online(h.server, b.token);
      expect((await drain(h.server, b.token)).body).toEqual(OK);
      await barrier(h.server, a, c, b.id, `barrier${round}`);
      repeated.push(...textsFrom(c, a.id).filter((t) => !t.startsWith(`barrier${round}`)));
      for (const text of range(10, `r${round}-`)) await sendOk(h.server, a.token, b.id, text);
      await c.waitChats(10, (m) => m.from_id === a.id && textOf(m).startsWith(`r${round}-`));
      c.close(); // and reconnect without waiting for the close
    }
    expect(repeated).toEqual([]);
  });

  it('delivers concurrent sends from several senders once each, per-sender order kept', async () => {
    const list = await users(5);
    const b = list.pop();
    if (!b) throw new Error('users');
    await setUserset(h.server, b.token, UNLIMITED);
    const c = await online(h.server, b.token);
    const results = await Promise.all(
      list.map(async (from, i) => {
        const statuses: number[] = [];
        for (let k = 0; k < 10; k++) statuses.push((await send(h.server, from.token, b.id, `s${i}-${k}`)).status);
        return statuses;
      }),
    );
    expect(results.flat().every((s) => s === 200)).toBe(true);
    const ids = new Set(list.map((u) => u.id));
    await c.waitChats(40, (m) => ids.has(m.from_id));
    list.forEach((from, i) => expect(textsFrom(c, from.id)).toEqual(range(10, `s${i}-`)));
    expect((await drain(h.server, b.token)).body).toEqual(OK);
    const first = list[0];
    if (!first) throw new Error('users');
    await barrier(h.server, first, c, b.id);
    expect(c.chats((m) => ids.has(m.from_id))).toHaveLength(41);
    c.close();
  });

  it('answers every one of many parallel sends in one conversation, and delivers each once', async () => {
    const [a, b] = await users(2);
    if (!a || !b) throw new Error('users');
    await setUserset(h.server, b.token, UNLIMITED);
    const c = await online(h.server, b.token);
    const answers = await Promise.all(range(20, 'p').map((text) => send(h.server, a.token, b.id, text)));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    await c.waitChats(20, (m) => m.from_id === a.id);
    expect(new Set(c.chats((m) => m.from_id === a.id).map((m) => m.id)).size).toBe(20);
    expect([...textsFrom(c, a.id)].sort()).toEqual(range(20, 'p').sort());
    c.close();
  });
});
