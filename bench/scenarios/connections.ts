import { flag, type Options } from '../args.js';
import { closeAll, connect, registerMany, type Receiver } from '../client.js';
import { serverRows, type ScenarioResult } from '../report.js';
import type { Target } from '../target.js';
import { now, pool, round, runKey, sleep } from '../util.js';

/** Ephemeral ports one source address can use towards one server port (32768–60999 by default). */
const PER_SOURCE = 25_000;

/**
 * `connections`: C idle authenticated sockets (on node B). Registration, the slow part, is
 * timed separately. Sockets are spread over source addresses 127.0.0.1, 127.0.0.2, … when one
 * address would run short of ephemeral ports. Reports the server's RSS growth per socket.
 */
export async function connections(o: Options, t: Target): Promise<ScenarioResult> {
  const C = flag(o, 'connections', 10_000);
  const sources = Math.max(1, flag(o, 'sources', Math.ceil(C / PER_SOURCE)));
  const limitMs = flag(o, 'time-limit', 180) * 1000;
  const conc = flag(o, 'concurrency', 64);
  const restMs = flag(o, 'rest', 30) * 1000;
  const key = runKey();

  let deadline = now() + limitMs;
  const tReg = now();
  const users = await registerMany(t.api, `c${key}`, C, conc, deadline);
  const registerMs = now() - tReg;

  // A fresh receivers' node: the setup's garbage would otherwise hide the sockets' memory.
  const restarted = await t.restartReceiverNode();
  await sleep(1000);
  const before = t.rssMB();
  // At rest: V8 keeps the young generation and old-space pages a burst of work grew (the start
  // here, the connects below) until it has been idle for a while, then gives them back.
  let restBefore: number[] | undefined;
  if (restMs > 0) {
    await sleep(restMs);
    restBefore = t.rssMB();
  }
  t.mark();
  const sockets: (Receiver | undefined)[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const t0 = now();
  deadline = t0 + limitMs;
  await pool(users, 200, deadline, async (u, i) => {
    try {
      sockets[i] = await connect(t.recvBase, u.token, key, () => undefined, {
        localAddress: `127.0.0.${1 + (i % sources)}`,
        timeoutMs: 60_000,
      });
    } catch (e) {
      failed++;
      firstError ??= (e as Error).message;
    }
  });
  const connectMs = now() - t0;
  const cpuUs = t.cpuSinceMark();
  await sleep(2000); // let connect-time work and garbage settle
  const after = t.rssMB();
  let restAfter: number[] | undefined;
  if (restMs > 0) {
    await sleep(restMs);
    restAfter = t.rssMB();
  }
  const peak = t.peakRssMB();
  const open = sockets.filter((s) => s && s.ws.readyState === s.ws.OPEN).length;
  closeAll(sockets);

  const rssB = before[before.length - 1];
  const rssA = after[after.length - 1];
  const perConn = rssA === undefined || rssB === undefined || open === 0 ? null : ((rssA - rssB) * 1024) / open;
  const restB = restBefore?.[restBefore.length - 1];
  const restA = restAfter?.[restAfter.length - 1];
  const perConnAtRest = restA === undefined || restB === undefined || open === 0 ? null : ((restA - restB) * 1024) / open;
  const warnings = t.warnings();
  const results = {
    connections: C,
    sources,
    freshServerBeforeConnecting: restarted,
    registerMs: round(registerMs, 0),
    registerPerSec: round(C / (registerMs / 1000), 0),
    connectMs: round(connectMs, 0),
    connectsPerSec: round(open / (connectMs / 1000), 0),
    open,
    failed,
    firstError,
    rssBeforeMB: before,
    rssAfterMB: after,
    peakRssMB: peak,
    rssPerConnectionKB: perConn === null ? null : round(perConn, 1),
    restSeconds: restMs / 1000,
    rssAtRestBeforeMB: restBefore ?? null,
    rssAtRestAfterMB: restAfter ?? null,
    rssPerConnectionAtRestKB: perConnAtRest === null ? null : round(perConnAtRest, 1),
    serverCpuUsPerConnect: cpuUs === null || open === 0 ? null : round(cpuUs / open, 0),
    serverWarnings: warnings,
  };
  const total = rssA ?? null;
  return {
    scenario: 'connections',
    title: `connections: ${C} idle sockets over ${sources} source address${sources > 1 ? 'es' : ''}`,
    results,
    rows: [
      ...serverRows(t),
      { label: `register ${C} users (ms)`, value: results.registerMs },
      { label: 'registrations/s', value: results.registerPerSec },
      { label: `connect all (ms)`, value: results.connectMs },
      { label: 'sockets open / failed', value: `${open} / ${failed}` },
      { label: `server RSS before → after (MB)${t.nodes > 1 ? ", receivers' node" : ''}`, value: `${rssB ?? 'n/a'} → ${rssA ?? 'n/a'}` },
      { label: 'server RSS per connection (KB)', value: perConn, digits: 1 },
      ...(restMs > 0
        ? [
            { label: `server RSS at rest (${restMs / 1000} s idle) before → after (MB)`, value: `${restB ?? 'n/a'} → ${restA ?? 'n/a'}` },
            {
              label: 'server RSS per connection at rest (KB)',
              value: perConnAtRest,
              digits: 1,
              target: C >= 10_000 ? { op: '<=' as const, value: 8 } : undefined,
            },
          ]
        : []),
      { label: 'server RSS with all sockets (MB)', value: total, digits: 1, target: C >= 10_000 ? { op: '<=', value: 400 } : undefined },
      ...(C < 10_000 && perConn !== null && rssB !== undefined
        ? [
            {
              label: 'projected RSS at 10,000 sockets (MB)',
              value: round(rssB + (perConn * 10_000) / 1024, 1),
              digits: 1,
              target: { op: '<=' as const, value: 400 },
            },
          ]
        : []),
      { label: 'server CPU µs per connect', value: results.serverCpuUsPerConnect },
      { label: 'server warnings', value: warnings.count },
    ],
  };
}
