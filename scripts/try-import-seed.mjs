#!/usr/bin/env node
// A migration rehearsal against a running seed server (the course's Egg.js IM server, e.g.
// shared/compat/seed-original started with its start.sh): makes users, friends, a star, a
// blacklist, a pending application, a group with an announcement and a nickname, a visitor, and
// messages that wait in Redis for offline users; then runs `natter import` into a new SQLite
// database, starts Natter on it and checks the result through Natter's API. Not part of the
// test suite. Prints what came across and what did not; exits 1 when a check fails.
//
//   SEED_URL=http://127.0.0.1:18201 SEED_MYSQL=mysql://root@127.0.0.1:3306/seedorig \
//   SEED_REDIS=redis://127.0.0.1:6379/5 node scripts/try-import-seed.mjs
import { Redis } from 'ioredis';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const root = fileURLToPath(new URL('..', import.meta.url));
const SEED = process.env.SEED_URL ?? 'http://127.0.0.1:18201';
const SEED_MYSQL = process.env.SEED_MYSQL ?? 'mysql://root@127.0.0.1:3306/seedorig';
const SEED_REDIS = process.env.SEED_REDIS ?? 'redis://127.0.0.1:6379/5';
const NATTER_PORT = Number(process.env.NATTER_PORT ?? 18299);
const NATTER = `http://127.0.0.1:${NATTER_PORT}`;
const SEED_SALT = '45ncashdaksh2!#@3nxjdas*_259';

const results = [];
const check = (what, ok, detail = '') => {
  results.push({ what, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
};

async function call(base, method, url, body, token, headers = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { token } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}
const seed = (method, url, body, token, headers) => call(SEED, method, url, body, token, headers);
const natter = (method, url, body, token, headers) => call(NATTER, method, url, body, token, headers);

async function must(p, what) {
  const res = await p;
  if (res.status !== 200 || res.body?.msg !== 'ok') throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body.data;
}

const text = (t) => JSON.stringify({ data: t, dataType: false, otherData: null });
const textOf = (m) => {
  if (typeof m.data !== 'string') return m.data?.data;
  try {
    return JSON.parse(m.data).data;
  } catch {
    return m.data;
  }
};
const visitorSign = (deviceId, ts) =>
  createHash('sha256').update(`deviceId=${deviceId}&salt=${SEED_SALT}&timestamp=${ts}APP_SECRET`).digest('hex');
const visitor = (base, deviceId) => {
  const ts = Date.now();
  return call(base, 'POST', '/api/visitorRegister', { deviceId, timestamp: ts }, undefined, {
    'x-security-sign': visitorSign(deviceId, ts),
  });
};

// ---- 1. Drive the seed through its API ------------------------------------------------------
const tag = randomBytes(3).toString('hex');
const people = Object.fromEntries(['alice', 'bob', 'carol', 'dave'].map((n) => [n, { username: `${n}_${tag}`, password: `${n}-pw-1` }]));
for (const p of Object.values(people)) {
  const u = await must(seed('POST', '/api/regChat', { username: p.username, password: p.password }), `register ${p.username}`);
  Object.assign(p, { id: u.id, token: u.token, uuid: u.uuid });
}
const { alice, bob, carol, dave } = people;
const befriend = async (from, to, remark) => {
  await must(seed('POST', '/api/chat/applyfriend', { friend_id: to.id, nickname: `我是${from.username}` }, from.token), 'applyfriend');
  const list = await must(seed('GET', '/api/chat/listapplyfriend/1', undefined, to.token), 'listapplyfriend');
  const apply = list.alldata.find((a) => a.user_id === from.id && a.status === 'pending');
  await must(seed('POST', `/api/chat/handleapply/${apply.id}`, { status: 'agree', nickname: remark }, to.token), 'handleapply');
};
await befriend(bob, alice, '小鲍');
await befriend(carol, alice, 'Carol');
await befriend(dave, alice, '戴夫');
await must(seed('POST', '/api/chat/applyfriend', { friend_id: bob.id, nickname: '我是dave' }, dave.token), 'dave applies to bob');
const contacts = await must(seed('GET', '/api/chat/goodfriendlist/1', undefined, alice.token), 'goodfriendlist');
const entries = contacts.rows.newList.flatMap((g) => g.list);
const entryOf = (u) => entries.find((e) => e.friend_id === u.id).id;
await must(seed('POST', '/api/chat/group/create', { userIds: [entryOf(bob), entryOf(carol), entryOf(dave)] }, alice.token), 'group/create');
const group = (await must(seed('GET', '/api/chat/grouplist/1', undefined, alice.token), 'grouplist'))[0];
await must(seed('POST', '/api/chat/groupremark', { id: group.id, remark: '周五开会' }, alice.token), 'groupremark');
await must(seed('POST', '/api/chat/groupnickname', { id: group.id, nickname: '鲍鲍' }, bob.token), 'groupnickname');
await must(seed('POST', `/api/chat/setstargoodfriend/${bob.id}`, {}, alice.token), 'star');
await must(seed('POST', `/api/chat/setblackgoodfriend/${carol.id}`, {}, alice.token), 'blacklist');
const sends = ['第一条', '第二条', '第三条'];
for (const t of sends)
  await must(
    seed('POST', '/api/chat/socket/sendmessage', { sendto_id: bob.id, chatType: 'single', type: 'text', data: text(t) }, alice.token),
    'send',
  );
await must(
  seed('POST', '/api/chat/socket/sendmessage', { sendto_id: group.id, chatType: 'group', type: 'text', data: text('群里见') }, alice.token),
  'group send',
);
const device = randomUUID();
const seedVisitor = (await visitor(SEED, device)).body?.data;
console.log(
  `seed: users ${Object.values(people)
    .map((p) => `${p.username}#${p.id}`)
    .join(', ')}, group #${group.id}, visitor #${seedVisitor?.id}`,
);

const redis = new Redis(SEED_REDIS);
const waiting = {};
for (const p of [bob, carol, dave]) waiting[p.username] = (await redis.lrange(`chat_getmessage_${p.id}`, 0, -1)).map((e) => JSON.parse(e));
redis.disconnect();
console.log(
  `seed Redis: ${Object.entries(waiting)
    .map(([n, l]) => `${n} ${l.length} waiting`)
    .join(', ')}`,
);

// ---- 2. natter import into a new SQLite database ---------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'natter-try-import-'));
const env = {
  ...process.env,
  DATABASE_URL: `sqlite:${path.join(dir, 'natter.db')}`,
  DATA_DIR: dir,
  PORT: String(NATTER_PORT),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
const importRun = (...extra) => {
  const r = spawnSync(
    'node',
    [path.join(root, 'bin/natter.mjs'), 'import', '--from', SEED_MYSQL, '--redis', SEED_REDIS, '--json', ...extra],
    { env, cwd: dir, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`natter import ${extra.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const dry = importRun('--dry-run');
check('--dry-run writes nothing', !fs.existsSync(path.join(dir, 'natter.db')));
const first = importRun();
const second = importRun();
for (const t of first.tables)
  console.log(
    `  ${t.table.padEnd(16)} read ${t.read}, written ${t.written}, already there ${t.skipped}, rejected ${t.rejected}${t.created ? `, created ${t.created}` : ''}`,
  );
for (const p of [...first.rejected, ...first.adjusted]) console.log(`  ${p.table} ${p.id}: ${p.reason}`);
check(
  'dry run and import count the same rows',
  JSON.stringify(dry.tables.map((t) => t.written)) === JSON.stringify(first.tables.map((t) => t.written)),
);
check(
  'second run writes nothing',
  second.tables.every((t) => t.written === 0 && !t.created),
  JSON.stringify(second.tables.map((t) => t.written)),
);

// ---- 3. Natter on the imported database ------------------------------------------------------
const server = spawn('node', [path.join(root, 'dist/main.js')], { env, cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
try {
  for (let i = 0; ; i++) {
    if ((await fetch(`${NATTER}/healthz`).catch(() => undefined))?.ok) break;
    if (i > 100) throw new Error('Natter did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const p of Object.values(people)) {
    const res = await natter('POST', '/api/loginChat', { username: p.username, password: p.password });
    check(`${p.username} logs in with the seed password`, res.status === 200 && res.body.data.id === p.id, `${res.status}`);
    p.token = res.body.data?.token;
  }
  if (seedVisitor) {
    const v = await visitor(NATTER, device);
    check(
      'the visitor comes back as the same account from its device',
      v.body?.data?.id === seedVisitor.id,
      JSON.stringify(v.body).slice(0, 120),
    );
  }
  const list = (await natter('GET', '/api/chat/goodfriendlist/1', undefined, alice.token)).body.data;
  const mine = list.rows.newList.flatMap((g) => g.list);
  check('alice has her three contacts', mine.length === 3, mine.map((e) => e.name).join(', '));
  const bobEntry = (await natter('POST', `/api/chat/ismygoodfriend/${bob.id}`, {}, alice.token)).body.data;
  check(
    "alice's entry for bob keeps his remark and star",
    bobEntry?.nickname === '小鲍' && bobEntry?.ismystarfriend === 1,
    JSON.stringify(bobEntry),
  );
  const refused = await natter(
    'POST',
    '/api/chat/socket/sendmessage',
    { sendto_id: alice.id, chatType: 'single', type: 'text', data: text('x') },
    carol.token,
  );
  check('carol stays blacklisted by alice', refused.status === 400, JSON.stringify(refused.body));
  const applies = (await natter('GET', '/api/chat/listapplyfriend/1', undefined, bob.token)).body.data;
  check(
    "dave's pending application waits for bob",
    applies.alldata.some((a) => a.user_id === dave.id && a.status === 'pending'),
  );
  const info = (await natter('GET', `/api/chat/groupinfo/${group.id}`, undefined, bob.token)).body.data;
  check(
    'the group keeps its members, announcement and nickname',
    info.group_users.length === 4 &&
      info.remark === '周五开会' &&
      info.group_users.some((m) => m.user_id === bob.id && m.nickname === '鲍鲍'),
    `${info.group_users.length} members, remark ${info.remark}`,
  );

  const connect = async (p) => {
    const ws = new WebSocket(`${NATTER.replace('http', 'ws')}/ws?token=${encodeURIComponent(p.token)}`);
    const frames = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    await natter('POST', '/api/chat/chatGetmessageOffLine', {}, p.token);
    await new Promise((r) => setTimeout(r, 1000));
    ws.close();
    return frames.filter((f) => f.type === 'singleChat').map((f) => f.data);
  };
  for (const p of [bob, carol, dave]) {
    const ids = new Set(waiting[p.username].map((m) => m.id));
    const got = (await connect(p)).filter((m) => ids.has(m.id));
    check(
      `${p.username} gets the ${ids.size} waiting messages once, in order`,
      JSON.stringify(got) === JSON.stringify(waiting[p.username]),
      got.map((m) => textOf(m)).join(' | '),
    );
    const again = (await connect(p)).filter((m) => ids.has(m.id));
    check(`${p.username} does not get them again`, again.length === 0, `${again.length}`);
  }
  const live = connect(bob);
  await new Promise((r) => setTimeout(r, 300));
  await natter(
    'POST',
    '/api/chat/socket/sendmessage',
    { sendto_id: group.id, chatType: 'group', type: 'text', data: text('迁移后') },
    alice.token,
  );
  check(
    'a new group message reaches an imported member',
    (await live).some((m) => textOf(m) === '迁移后'),
  );
} finally {
  server.kill('SIGTERM');
}
fs.rmSync(dir, { recursive: true, force: true });
const failed = results.filter((r) => !r.ok);
console.log(`\n${results.length - failed.length}/${results.length} checks passed`);
process.exitCode = failed.length > 0 ? 1 : 0;
