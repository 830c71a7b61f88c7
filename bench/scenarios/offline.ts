import { flag, type Options } from '../args.js';
import { befriend, benchData, closeAll, connect, registerMany, type Account, type Receiver } from '../client.js';
import { serverRows, type ScenarioResult } from '../report.js';
import type { Target } from '../target.js';
import { now, pool, round, runKey, sleep, waitFor } from '../util.js';

/**
 * `offline`: S senders store N messages (in parallel, over node A) for one user who is offline;
 * the user then connects (to node B) and one chatGetmessageOffLine is timed until all N arrive.
 */
export async function offline(o: Options, t: Target): Promise<ScenarioResult> {
  const N = flag(o, 'waiting', 10_000);
  const S = Math.max(1, flag(o, 'senders', 20));
  // Window 1: each sender's messages have a defined order (next sent after the previous was acknowledged).
  const W = Math.max(1, flag(o, 'window', 1));
  const limitMs = flag(o, 'time-limit', 180) * 1000;
  const key = runKey();

  let deadline = now() + limitMs;
  const users = await registerMany(t.api, `o${key}`, S + 1, 32, deadline);
  const me = users[0] as Account;
  const senders = users.slice(1);
  await pool(senders, 8, deadline, (s) => befriend(t.api, s, me));

  // Sender i sends sequence numbers i, i+S, i+2S, … below N.
  const tStore = now();
  let errors = 0;
  let firstError: string | undefined;
  const fromIndex = new Map(senders.map((s, i) => [s.id, i]));
  await Promise.all(
    senders.map(async (s, i) => {
      let next = i;
      const worker = async () => {
        for (;;) {
          const q = next;
          next += S;
          if (q >= N || now() > deadline) return;
          try {
            await t.api.ok(
              '/api/chat/socket/sendmessage',
              { sendto_id: me.id, chatType: 'single', type: 'text', data: benchData(key, q, round(now(), 3)) },
              s.token,
            );
          } catch (e) {
            errors++;
            firstError ??= (e as Error).message;
          }
        }
      };
      await Promise.all(Array.from({ length: W }, worker));
    }),
  );
  const storeMs = now() - tStore;
  const stored = N - errors;

  const got = new Uint8Array(N);
  const lastQ = new Int32Array(S).fill(-1);
  let received = 0;
  let dup = 0;
  let inversions = 0;
  let lastAt = 0;
  const onRecv = (m: { from: number; q: number }, at: number) => {
    if (m.q < 0 || m.q >= N) return;
    if (got[m.q]) return void dup++;
    got[m.q] = 1;
    received++;
    lastAt = at;
    const i = fromIndex.get(m.from);
    if (i !== undefined) {
      if (m.q < (lastQ[i] as number)) inversions++;
      lastQ[i] = m.q;
    }
  };
  let socket: Receiver | undefined;
  try {
    socket = await connect(t.recvBase, me.token, key, onRecv);
    await sleep(300);
    t.mark();
    const t0 = now();
    deadline = t0 + limitMs;
    await t.api.ok('/api/chat/chatGetmessageOffLine', {}, me.token);
    const answeredMs = now() - t0;
    const complete = await waitFor(() => received >= stored, Math.min(60_000, limitMs), 2);
    const drainMs = (complete ? lastAt : now()) - t0;
    await sleep(250);
    const cpuUs = t.cpuSinceMark();
    const peak = t.peakRssMB();
    const warnings = t.warnings();
    const results = {
      waiting: N,
      senders: S,
      window: W,
      storeMs: round(storeMs, 0),
      storePerSec: round(stored / (storeMs / 1000), 0),
      stored,
      sendErrors: errors,
      firstError,
      requestAnsweredMs: round(answeredMs, 1),
      drainMs: round(drainMs, 1),
      complete,
      received,
      lost: stored - received,
      duplicated: dup,
      perSenderInversions: inversions,
      closeCode: socket.closeCode ?? null,
      drainPerSec: round(received / (drainMs / 1000), 0),
      serverCpuUsPerMsg: cpuUs === null || received === 0 ? null : round(cpuUs / received, 1),
      peakRssMB: peak,
      serverWarnings: warnings,
    };
    return {
      scenario: 'offline',
      title: `offline: ${N} waiting messages from ${S} senders, one chatGetmessageOffLine`,
      results,
      rows: [
        ...serverRows(t),
        { label: `store ${N} while offline (msgs/s)`, value: results.storePerSec },
        { label: 'drain: all arrived after (ms)', value: results.drainMs, digits: 0, target: { op: '<=', value: 2000 } },
        { label: 'drain msgs/s', value: results.drainPerSec },
        { label: 'received / stored', value: `${received} / ${stored}` },
        { label: 'lost', value: results.lost },
        { label: 'duplicated', value: dup },
        { label: `order breaks within a sender${W > 1 ? ' (window > 1: no defined order)' : ''}`, value: inversions },
        { label: 'server CPU µs per drained msg', value: results.serverCpuUsPerMsg, digits: 1 },
        { label: 'server peak RSS (MB)', value: peak.join(' + ') || null },
        { label: 'server warnings', value: warnings.count },
      ],
    };
  } finally {
    closeAll([socket]);
  }
}
