import { flag, type Options } from '../args.js';
import { befriend, benchData, closeAll, connect, registerMany, warmSockets, WsSender, type Account, type Receiver } from '../client.js';
import { serverRows, type ScenarioResult } from '../report.js';
import type { Target } from '../target.js';
import { now, pool, round, runKey, sleep, summarize, waitFor } from '../util.js';

/**
 * Server CPU per trivial request (GET /healthz: routing, one `select 1`, the envelope), 2,000
 * requests 10 at a time: a yardstick of the machine's speed to read the other figures against.
 */
export async function calibrate(t: Target): Promise<number | null> {
  const n = 2000;
  t.mark();
  await pool(Array.from({ length: n }), 10, now() + 60_000, () => t.api.request('GET', '/healthz'));
  const cpu = t.cpuSinceMark();
  return cpu === null ? null : round(cpu / n, 0);
}

/** One sender/receiver pair: its accounts, the receiver's socket and what happened to each sequence number. */
class PairState {
  /** Receive times by sequence number (NaN = not yet). */
  readonly recvAt: Float64Array;
  readonly acked: Uint8Array;
  /** Causal order: a message sent after another was acknowledged must arrive after it. */
  readonly ackedUnreceived = new Set<number>();
  /** Per sequence number, the messages acknowledged but not yet received when it was sent. */
  readonly mustFollow: (number[] | undefined)[];
  /** Highest sequence number received so far. */
  maxSeen = -1;
  socket: Receiver | undefined;
  /** The sender's own socket, with --send ws. */
  out: WsSender | undefined;

  constructor(
    readonly sender: Account,
    readonly receiver: Account,
    messages: number,
  ) {
    this.recvAt = new Float64Array(messages).fill(NaN);
    this.acked = new Uint8Array(messages);
    this.mustFollow = new Array<number[] | undefined>(messages);
  }
}

/**
 * `pairs` and `latency`: P sender/receiver pairs. Receivers hold sockets (on node B); senders
 * send M messages each over keep-alive HTTP (to node A), or with `--send ws` as frames on their
 * own sockets (on node A), with at most W in flight (unacknowledged), optionally paced to a total
 * rate. Each message carries its send time and sequence number.
 */
export async function pairs(o: Options, name: 'pairs' | 'latency', t: Target): Promise<ScenarioResult> {
  const light = name === 'latency';
  const P = flag(o, 'pairs', light ? 5 : 200);
  const M = flag(o, 'messages', light ? 200 : 50);
  const W = Math.max(1, flag(o, 'window', light ? 1 : 10));
  const rate = flag(o, 'rate', 0);
  const limitMs = flag(o, 'time-limit', 180) * 1000;
  const conc = flag(o, 'concurrency', 32);
  const key = runKey();

  let deadline = now() + limitMs;
  const tReg = now();
  const senders = await registerMany(t.api, `s${key}`, P, conc, deadline);
  const receivers = await registerMany(t.api, `r${key}`, P, conc, deadline);
  const registerMs = now() - tReg;
  const pairStates = senders.map((s, i) => new PairState(s, receivers[i] as Account, M));
  await pool(pairStates, conc, deadline, (p) => befriend(t.api, p.sender, p.receiver));

  const latencies = new Float64Array(P * M);
  let received = 0;
  let dup = 0;
  let outOfOrder = 0;
  let inversions = 0;
  let stray = 0;
  let lastRecv = 0;
  let warmReceived = 0;

  const onRecv = (p: PairState, m: { from: number; q: number; t: number }, at: number) => {
    if (m.from !== p.sender.id || m.q >= M) return void stray++;
    if (m.q < 0) return void warmReceived++;
    if (!Number.isNaN(p.recvAt[m.q])) return void dup++;
    p.recvAt[m.q] = at;
    latencies[received++] = at - m.t;
    if (at > lastRecv) lastRecv = at;
    if (m.q < p.maxSeen) inversions++;
    else p.maxSeen = m.q;
    p.ackedUnreceived.delete(m.q);
    const before = p.mustFollow[m.q];
    if (before?.some((a) => Number.isNaN(p.recvAt[a]))) outOfOrder++;
  };

  const tConn = now();
  await pool(pairStates, 64, deadline, async (p) => {
    p.socket = await connect(t.recvBase, p.receiver.token, key, (m, at) => onRecv(p, m, at));
  });
  if (o.send === 'ws') {
    await pool(pairStates, 64, deadline, async (p) => {
      p.out = await WsSender.open(t.api.base, p.sender.token, key);
    });
  }
  const connectMs = now() - tConn;
  /** One message the sender's way; resolves undefined once stored (acknowledged), else with the failure. */
  const post = async (p: PairState, body: object, cid: string): Promise<string | undefined> => {
    if (p.out) return p.out.send(cid, body, 30_000);
    const res = await t.api.request('POST', '/api/chat/socket/sendmessage', body, p.sender.token, 30_000);
    return res.status === 200 ? undefined : `${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
  };
  await sleep(300); // connect-time notices settle
  const calibration = await calibrate(t);
  const warmErrors = o.send === 'ws' ? 0 : await warmSockets(t.api, Math.min(P * W, 4096));

  // A fresh process compiles its hot code during its first few hundred messages (on other
  // threads too, which counts in its CPU time): unmeasured messages with negative sequence
  // numbers go first, so that the figures describe a server that has been running.
  const warmEach = Math.ceil(flag(o, 'warmup', 1000) / P);
  let warmAcked = 0;
  await Promise.all(
    pairStates.map(async (p) => {
      for (let j = 0; j < warmEach && now() < deadline; j++) {
        const body = { sendto_id: p.receiver.id, chatType: 'single', type: 'text', data: benchData(key, -1 - j, round(now(), 3)) };
        if ((await post(p, body, `w${j}`).catch(() => 'failed')) === undefined) warmAcked++;
      }
    }),
  );
  await waitFor(() => warmReceived >= warmAcked, 30_000);

  let errors = 0;
  let firstError: string | undefined;
  let ackCount = 0;
  let sentCount = 0;
  const send = async (p: PairState, q: number) => {
    const at = now();
    const pending = p.ackedUnreceived;
    if (pending.size > 0) p.mustFollow[q] = [...pending];
    sentCount++;
    try {
      const body = { sendto_id: p.receiver.id, chatType: 'single', type: 'text', data: benchData(key, q, round(at, 3)) };
      const failed = await post(p, body, `m${q}`);
      if (failed !== undefined) throw new Error(failed);
      p.acked[q] = 1;
      ackCount++;
      if (Number.isNaN(p.recvAt[q])) pending.add(q);
    } catch (e) {
      errors++;
      firstError ??= (e as Error).message;
    }
  };

  t.mark();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  deadline = t0 + limitMs;
  // Pacing: message q of sender i is due at t0 + (q * P + i) / rate seconds.
  const due = (i: number, q: number) => t0 + ((q * P + i) / rate) * 1000;
  await Promise.all(
    pairStates.map(async (p, i) => {
      let next = 0;
      const worker = async () => {
        for (;;) {
          const q = next++;
          if (q >= M || now() > deadline) return;
          if (rate > 0) {
            const wait = due(i, q) - now();
            if (wait > 0) await sleep(wait);
          }
          await send(p, q);
        }
      };
      await Promise.all(Array.from({ length: Math.min(W, M) }, worker));
    }),
  );
  const sendEnd = now();
  const allArrived = () => pairStates.every((p) => p.ackedUnreceived.size === 0) && received >= ackCount;
  await waitFor(allArrived, Math.min(30_000, Math.max(1000, deadline + 30_000 - now())));
  const end = Math.max(lastRecv, t0);
  await sleep(250); // trailing cursor writes belong to these messages
  const cpuUs = t.cpuSinceMark();
  const client = process.cpuUsage(cpu0);
  const peakRss = t.peakRssMB();
  closeAll(pairStates.flatMap((p) => [p.socket, p.out?.receiver]));

  let lost = 0;
  let deliveredUnacked = 0;
  for (const p of pairStates) {
    for (let q = 0; q < M; q++) {
      const a = p.acked[q] === 1;
      const r = !Number.isNaN(p.recvAt[q]);
      if (a && !r) lost++;
      if (!a && r) deliveredUnacked++;
    }
  }
  const seconds = (end - t0) / 1000;
  const lat = summarize(latencies, received);
  const rateMsgs = seconds > 0 ? received / seconds : 0;
  const cpuPerMsg = cpuUs === null || received === 0 ? null : cpuUs / received;
  const warnings = t.warnings();
  const results = {
    pairs: P,
    messagesPerSender: M,
    window: W,
    send: o.send,
    rateLimit: rate || null,
    registerMs: round(registerMs, 0),
    registerPerSec: round((2 * P) / (registerMs / 1000), 0),
    connectMs: round(connectMs, 0),
    sent: sentCount,
    acked: ackCount,
    sendErrors: errors,
    firstError,
    delivered: received,
    lost,
    duplicated: dup,
    outOfOrder,
    seqInversions: inversions,
    deliveredUnacked,
    stray,
    sendSeconds: round((sendEnd - t0) / 1000, 3),
    seconds: round(seconds, 3),
    deliveredPerSec: round(rateMsgs, 0),
    latencyMs: lat,
    serverCpuUs: cpuUs === null ? null : round(cpuUs, 0),
    serverCpuUsPerMsg: cpuPerMsg === null ? null : round(cpuPerMsg, 1),
    serverCpuCores: cpuUs === null ? null : round(cpuUs / Math.max(1, t.window[1] - t.window[0]), 2),
    clientCpuUsPerMsg: received ? round((client.user + client.system) / received, 1) : null,
    peakRssMB: peakRss,
    serverWarnings: warnings,
    calibrationHealthzCpuUs: calibration,
    socketWarmupErrors: warmErrors,
    warmupMessages: warmAcked,
    warmupReceived: warmReceived,
  };
  const heavy = !light;
  return {
    scenario: name,
    title: `${name}: ${P} pairs × ${M} messages, window ${W}${rate ? `, ${rate} msgs/s offered` : ''}, sent over ${o.send === 'ws' ? "the senders' sockets" : 'HTTP'}`,
    results,
    rows: [
      ...serverRows(t),
      { label: `registration (${2 * P} users/s)`, value: results.registerPerSec },
      { label: 'delivered msgs/s', value: results.deliveredPerSec, target: heavy ? { op: '>=', value: 6000 } : undefined },
      { label: 'delivered / acknowledged', value: `${received} / ${ackCount}` },
      { label: 'send errors', value: errors },
      { label: 'lost', value: lost, target: heavy ? { op: '==', value: 0 } : undefined },
      { label: 'duplicated', value: dup },
      { label: 'out of order (sent after ack, arrived before)', value: outOfOrder },
      { label: 'latency p50 (ms)', value: lat.p50, digits: 2 },
      { label: 'latency p95 (ms)', value: lat.p95, digits: 2 },
      { label: 'latency p99 (ms)', value: lat.p99, digits: 2, target: light ? { op: '<=', value: 10 } : undefined },
      { label: 'latency max (ms)', value: lat.max, digits: 2 },
      { label: 'server CPU µs per delivered msg', value: cpuPerMsg, digits: 1, target: heavy ? { op: '<=', value: 150 } : undefined },
      { label: 'server CPU (cores busy)', value: results.serverCpuCores, digits: 2 },
      { label: 'bench client CPU µs per msg', value: results.clientCpuUsPerMsg, digits: 1 },
      { label: 'calibration: server CPU µs per GET /healthz', value: calibration },
      { label: 'server peak RSS (MB)', value: peakRss.join(' + ') || null },
      { label: 'server warnings', value: warnings.count },
    ],
  };
}
