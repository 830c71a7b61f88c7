import { flag, type Options } from '../args.js';
import { befriend, benchData, closeAll, connect, registerMany, type Account, type Receiver } from '../client.js';
import { serverRows, type ScenarioResult } from '../report.js';
import type { Target } from '../target.js';
import { now, pool, round, runKey, sleep, summarize, waitFor } from '../util.js';

interface Contact {
  id: number;
  friend_id: number;
}

/** Builds a group of the owner and every member: befriend, group/create from contacts, invite whoever is missing. */
async function buildGroup(
  t: Target,
  owner: Account,
  members: Account[],
  conc: number,
  deadline: number,
): Promise<{ id: number; invited: number }> {
  await pool(members, conc, deadline, (m) => befriend(t.api, owner, m));
  const list = (await t.api.get('/api/chat/goodfriendlist/1?limit=5000', owner.token)) as {
    rows: { list: Contact[] }[] | { newList: { list: Contact[] }[] };
  };
  const groups = Array.isArray(list.rows) ? list.rows : list.rows.newList;
  const entries = groups.flatMap((g) => g.list);
  await t.api.ok('/api/chat/group/create', { userIds: entries.map((e) => e.id) }, owner.token);
  const mine = (await t.api.get('/api/chat/grouplist/1', owner.token)) as { id: number }[];
  const id = mine[0]?.id;
  if (id === undefined) throw new Error('group/create answered ok but grouplist is empty');
  const info = (await t.api.get(`/api/chat/groupinfo/${id}`, owner.token)) as { group_users?: { user_id: number }[] };
  const inGroup = new Set((info.group_users ?? []).map((u) => u.user_id));
  const missing = members.filter((m) => !inGroup.has(m.id));
  await pool(missing, 4, deadline, (m) => t.api.ok('/api/chat/groupInviteUser', { group_id: id, user_id: m.id }, owner.token));
  return { id, invited: missing.length };
}

/** One member of the group: its account, its socket and which messages (0..K) it has received. */
class MemberState {
  readonly seen: Uint8Array;
  socket: Receiver | undefined;

  constructor(
    readonly account: Account,
    messages: number,
  ) {
    this.seen = new Uint8Array(messages);
  }
}

/**
 * `group`: one group of G members, all online (on node B); the owner sends K messages (to
 * node A) with at most W in flight. Measures deliveries per second and, per message, the time
 * from the send to the last member's receipt.
 */
export async function group(o: Options, t: Target): Promise<ScenarioResult> {
  const G = Math.max(2, flag(o, 'members', 1000));
  const K = flag(o, 'messages', 20);
  const W = Math.max(1, flag(o, 'window', 1));
  const limitMs = flag(o, 'time-limit', 180) * 1000;
  const conc = flag(o, 'concurrency', 32);
  const key = runKey();
  let deadline = now() + limitMs;

  const tReg = now();
  const users = await registerMany(t.api, `g${key}`, G, conc, deadline);
  const registerMs = now() - tReg;
  const owner = users[0] as Account;
  const members = users.slice(1);
  const tBuild = now();
  const g = await buildGroup(t, owner, members, conc, deadline);
  const buildMs = now() - tBuild;

  const N = members.length;
  // Messages 0..K-1 are measured; message K is the warm-up sent first (creation notices catch up).
  const counts = new Int32Array(K + 1);
  const firstAt = new Float64Array(K + 1).fill(NaN);
  const lastAt = new Float64Array(K + 1).fill(NaN);
  const memberStates = members.map((m) => new MemberState(m, K + 1));
  let dup = 0;
  let deliveries = 0;
  let frameBytes = 0;
  const onRecv = (member: MemberState, m: { from: number; q: number }, at: number, bytes: number) => {
    if (m.from !== owner.id || m.q < 0 || m.q > K) return;
    frameBytes = bytes;
    if (member.seen[m.q]) return void dup++;
    member.seen[m.q] = 1;
    if (m.q < K) deliveries++;
    if (Number.isNaN(firstAt[m.q])) firstAt[m.q] = at;
    if (++(counts[m.q] as number) === N) lastAt[m.q] = at;
  };
  const tConn = now();
  await pool(memberStates, 64, deadline, async (member) => {
    member.socket = await connect(t.recvBase, member.account.token, key, (x, at, bytes) => onRecv(member, x, at, bytes));
  });
  const connectMs = now() - tConn;
  await sleep(300);

  const sendAt = new Float64Array(K + 1).fill(NaN);
  let errors = 0;
  let firstError: string | undefined;
  const send = async (q: number) => {
    const at = now();
    sendAt[q] = at;
    try {
      await t.api.ok(
        '/api/chat/socket/sendmessage',
        { sendto_id: g.id, chatType: 'group', type: 'text', data: benchData(key, q, round(at, 3)) },
        owner.token,
      );
    } catch (e) {
      errors++;
      firstError ??= (e as Error).message;
    }
  };
  await send(K);
  const warm = await waitFor(() => counts[K] === N, 30_000);

  t.mark();
  const t0 = now();
  deadline = t0 + limitMs;
  let next = 0;
  const worker = async () => {
    for (;;) {
      const q = next++;
      if (q >= K || now() > deadline) return;
      await send(q);
    }
  };
  await Promise.all(Array.from({ length: Math.min(W, K) }, worker));
  await waitFor(() => deliveries >= K * N, Math.min(60_000, Math.max(1000, deadline + 30_000 - now())));
  let end = t0;
  for (let q = 0; q < K; q++) for (const v of [lastAt[q], firstAt[q]]) if (v !== undefined && v > end) end = v;
  await sleep(250);
  const cpuUs = t.cpuSinceMark();
  const peakRss = t.peakRssMB();
  closeAll(memberStates.map((m) => m.socket));

  const toLast: number[] = [];
  const toFirst: number[] = [];
  let incomplete = 0;
  for (let q = 0; q < K; q++) {
    if (Number.isNaN(lastAt[q])) incomplete++;
    else toLast.push((lastAt[q] as number) - (sendAt[q] as number));
    if (!Number.isNaN(firstAt[q])) toFirst.push((firstAt[q] as number) - (sendAt[q] as number));
  }
  const seconds = (end - t0) / 1000;
  const perSec = seconds > 0 ? deliveries / seconds : 0;
  const last = summarize(toLast);
  const first = summarize(toFirst);
  const cpuPer = cpuUs === null || deliveries === 0 ? null : cpuUs / deliveries;
  const warnings = t.warnings();
  const results = {
    members: G,
    messages: K,
    window: W,
    groupId: g.id,
    invitedAfterCreate: g.invited,
    registerMs: round(registerMs, 0),
    buildMs: round(buildMs, 0),
    connectMs: round(connectMs, 0),
    warmupComplete: warm,
    frameBytes,
    closedSockets: memberStates.filter((m) => m.socket?.closeCode !== undefined).length,
    expectedDeliveries: K * N,
    deliveries,
    lost: K * N - deliveries,
    duplicated: dup,
    incompleteMessages: incomplete,
    sendErrors: errors,
    firstError,
    seconds: round(seconds, 3),
    deliveriesPerSec: round(perSec, 0),
    toLastMemberMs: last,
    toFirstMemberMs: first,
    serverCpuUsPerDelivery: cpuPer === null ? null : round(cpuPer, 1),
    peakRssMB: peakRss,
    serverWarnings: warnings,
  };
  return {
    scenario: 'group',
    title: `group: ${G} members online, ${K} messages, window ${W}`,
    results,
    rows: [
      ...serverRows(t),
      { label: `setup: register ${G} users (ms)`, value: results.registerMs },
      { label: 'setup: befriend + create group (ms)', value: results.buildMs },
      { label: `setup: connect ${N} members (ms)`, value: results.connectMs },
      { label: 'deliveries/s', value: results.deliveriesPerSec, target: { op: '>=', value: 50000 } },
      { label: 'deliveries / expected', value: `${deliveries} / ${K * N}` },
      { label: 'duplicated', value: dup },
      { label: 'send errors', value: errors },
      { label: 'bytes per pushed frame', value: frameBytes },
      { label: 'send → last member p50 (ms)', value: last.p50, digits: 1 },
      { label: 'send → last member p99 (ms)', value: last.p99, digits: 1, target: { op: '<=', value: 300 } },
      { label: 'send → first member p50 (ms)', value: first.p50, digits: 1 },
      { label: 'server CPU µs per delivery', value: cpuPer, digits: 1 },
      { label: 'server peak RSS (MB)', value: peakRss.join(' + ') || null },
      { label: 'server warnings', value: warnings.count },
    ],
  };
}
