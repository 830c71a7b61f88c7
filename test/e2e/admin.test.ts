import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { admin, adminEnv } from '../helpers/admin.js';
import { drain, fail, online } from '../helpers/chat.js';
import { tempDir } from '../helpers/databases.js';
import { describeEachDialect } from '../helpers/dialects.js';
import type { TestServer } from '../helpers/server.js';
import { type Frame } from '../helpers/ws.js';

/**
 * `natter admin` (docs/operations.md, "Admin command") against a running server of each dialect:
 * the command works on the server's database and reaches the server's in-process bus through its
 * local socket (DATA_DIR/natter.sock), as an operator on the same host would.
 */
let n = 0;
const uname = (prefix = 'adm') => `${prefix}${process.pid % 1000}_${Date.now() % 100000}_${n++}`;

const login = (s: TestServer, username: string, password: string) => s.client.post('/api/loginChat', { username, password });

const isNotice = (text: string) => (m: Frame) => m.from_name === '系统通知' && m.data?.data === text;

describeEachDialect('natter admin', (h) => {
  const env = (extra: Record<string, string> = {}) => adminEnv(h.server, extra);

  it('create-user makes an account that logs in over HTTP with the given password, and refuses a taken name (5)', async () => {
    const name = uname();
    const r = await admin(env(), ['create-user', name, '--password', 'secret77', '--json']);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ ok: true, kind: 'created', user: { id: expect.any(Number), username: name } });
    const res = await login(h.server, name, 'secret77');
    expect(res.body.msg).toBe('ok');
    expect(res.body.data.id).toBe(r.json.user.id);

    const again = await admin(env(), ['create-user', name, '--password', 'secret77']);
    expect(again.code).toBe(5);
    expect(again.err).toContain(`username "${name}" is taken`);
  });

  it('create-user without a password generates one, shows it once, and it works', async () => {
    const name = uname();
    const r = await admin(env(), ['create-user', name]);
    expect(r.code).toBe(0);
    const password = /password: (\S+)/.exec(r.out)?.[1] ?? '';
    expect(password).toMatch(/^[A-Za-z0-9]{16}$/);
    expect((await login(h.server, name, password)).body.msg).toBe('ok');
  });

  it('create-user checks the username and password as registration does (2), before touching the database', async () => {
    const short = await admin(env(), ['create-user', 'ab', '--password', 'secret77']);
    expect(short.code).toBe(2);
    expect(short.err).toContain('账号 的长度 必须 在 4 和 20 之间');
    const chars = await admin(env(), ['create-user', 'bad-name', '--password', 'secret77', '--json']);
    expect(chars.code).toBe(2);
    expect(chars.json).toEqual({ ok: false, error: '账号 只能包含字母、数字和下划线', exit: 2 });
    const pw = await admin(env({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }), ['create-user', uname(), '--password', '123']);
    expect(pw.code).toBe(2);
    expect(pw.err).toContain('密码 的长度 必须 在 6 和 20 之间');
  });

  it('reset-password ends the session: the old token is refused, the socket closes with 4003, the new password works', async () => {
    const u = await h.server.client.register(uname());
    const c = await online(h.server, u.token);
    const r = await admin(env(), ['reset-password', u.username, '--password-stdin', '--json'], { input: 'n3wpass!\n' });
    expect(r.code).toBe(0);
    expect(r.json).toEqual({
      ok: true,
      kind: 'password',
      user: { id: u.id, username: u.username },
      reach: { via: 'socket', socket: path.join(h.server.app.config.dataDir, 'natter.sock'), listening: true },
    });
    expect(await c.closed()).toBe(4003);
    expect((await drain(h.server, u.token)).body).toEqual(fail('Token 令牌不合法！'));
    expect((await login(h.server, u.username, '123456')).body).toEqual(fail('账户或密码错误'));
    expect((await login(h.server, u.username, 'n3wpass!')).body.msg).toBe('ok');
  });

  it('disable closes an open socket and refuses logins with the server message; enable lets the user in again', async () => {
    const u = await h.server.client.register(uname());
    const c = await online(h.server, u.token);
    const r = await admin(env(), ['disable', `id:${u.id}`]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${u.username} (id ${u.id}) is disabled`);
    expect(r.out).toContain('sent to the running server through');
    expect(await c.closed()).toBe(4003);
    expect(c.frames.at(-1)).toEqual(fail('你已被管理员禁用'));
    expect((await login(h.server, u.username, '123456')).body).toEqual(fail('账号不存在或者被禁用'));
    const sessions = await admin(env(), ['sessions', u.username, '--json']);
    expect(sessions.json.user.status).toBe('disabled');

    expect((await admin(env(), ['enable', u.username])).code).toBe(0);
    expect((await login(h.server, u.username, '123456')).body.msg).toBe('ok');
  });

  it('sessions shows the session without its token or full sid, and whether a socket is open', async () => {
    const u = await h.server.client.register(uname());
    const off = await admin(env(), ['sessions', u.username, '--json']);
    expect(off.code).toBe(0);
    expect(off.json).toEqual({
      ok: true,
      kind: 'sessions',
      user: { id: u.id, username: u.username, role: 'user', status: 'active' },
      session: {
        sid: expect.stringMatching(/^[0-9a-f-]{8}…$/),
        role: 'user',
        device: null,
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expired: false,
      },
      online: false,
      sockets: 0,
      receiving: false,
      nodes: 1,
      reach: expect.objectContaining({ via: 'socket', listening: true }),
    });
    const sid = (await h.server.app.store.sessions.get(u.id))?.sid ?? '';
    expect(off.out).not.toContain(sid);
    expect(off.out).not.toContain(u.token);

    const c = await online(h.server, u.token);
    const on = await admin(env(), ['sessions', `id:${u.id}`, '--json']);
    expect(on.json).toMatchObject({ online: true, sockets: 1, receiving: true, nodes: 1 });
    const human = await admin(env(), ['sessions', u.username]);
    expect(human.out).toMatch(/online +yes: 1 socket, one receiving/);
    c.close();
    await c.closed();
    await expect.poll(async () => (await admin(env(), ['sessions', u.username, '--json'])).json.online).toBe(false);

    await h.server.client.post('/api/chat/logout', {}, { token: u.token });
    expect((await admin(env(), ['sessions', u.username, '--json'])).json.session).toBeUndefined();
  });

  it('notice reaches an online socket live, and an offline user on connect exactly once', async () => {
    const [a, b] = [await h.server.client.register(uname()), await h.server.client.register(uname())];
    const ca = await online(h.server, a.token);
    const text = `maintenance at 22:00 ${n}`;
    const r = await admin(env(), ['notice', a.username, text, '--json']);
    expect(r.json).toEqual({ ok: true, kind: 'notice', user: { id: a.id, username: a.username }, sent: 1, reach: expect.any(Object) });
    const [pushed] = await ca.waitChats(1, isNotice(text));
    expect(pushed).toMatchObject({
      from_id: 0,
      from_name: '系统通知',
      to_id: a.id,
      chatType: 'single',
      type: 'text',
      data: { data: text, dataType: false, otherData: null },
      msgidKey: `system-notice-${a.id}`,
    });

    expect((await admin(env(), ['notice', `id:${b.id}`, text])).code).toBe(0);
    const cb = await online(h.server, b.token);
    expect(cb.chats(isNotice(text))).toHaveLength(0);
    await drain(h.server, b.token);
    await cb.waitChats(1, isNotice(text));
    cb.close();
    await cb.closed();
    const again = await online(h.server, b.token);
    await drain(h.server, b.token);
    // A second catch-up sends nothing more: a marker sent after it arrives alone.
    expect((await admin(env(), ['notice', b.username, 'marker'])).code).toBe(0);
    await again.waitChats(1, isNotice('marker'));
    expect(again.chats(isNotice(text))).toHaveLength(0);
    expect(cb.chats(isNotice(text))).toHaveLength(1);
    ca.close();
    again.close();
  });

  it('notice --all reaches every active account, online or not, and skips disabled ones', async () => {
    const [a, b, off] = [
      await h.server.client.register(uname()),
      await h.server.client.register(uname()),
      await h.server.client.register(uname()),
    ];
    await admin(env(), ['disable', off.username]);
    const ca = await online(h.server, a.token);
    const text = `to everyone ${n}`;
    const r = await admin(env(), ['notice', '--all', text, '--json']);
    expect(r.code).toBe(0);
    const counts = (await admin(env(), ['counts', '--json'])).json;
    expect(r.json.sent).toBe(counts.users.registered + counts.users.visitors - counts.users.disabled);
    await ca.waitChats(1, isNotice(text));
    const cb = await online(h.server, b.token);
    await drain(h.server, b.token);
    await cb.waitChats(1, isNotice(text));
    expect(await h.server.app.services.delivery.countPending(off.id)).toBe(0);
    ca.close();
    cb.close();
  });

  it('counts accounts, groups, waiting messages and open sockets', async () => {
    const before = (await admin(env(), ['counts', '--json'])).json;
    expect(before).toEqual({
      ok: true,
      kind: 'counts',
      users: { registered: expect.any(Number), visitors: expect.any(Number), disabled: expect.any(Number) },
      groups: expect.any(Number),
      waiting: expect.any(Number),
      online: { nodes: 1, sockets: expect.any(Number) },
      reach: expect.objectContaining({ via: 'socket' }),
    });
    const u = await h.server.client.register(uname());
    const c = await online(h.server, u.token);
    const v = await h.server.client.register(uname());
    await admin(env(), ['notice', v.username, 'waiting for you']);
    await admin(env(), ['disable', v.username]);
    const after = (await admin(env(), ['counts', '--json'])).json;
    expect(after.users.registered).toBe(before.users.registered + 2);
    expect(after.users.disabled).toBe(before.users.disabled + 1);
    expect(after.waiting).toBeGreaterThanOrEqual(before.waiting + 1);
    expect(after.online.sockets).toBe(before.online.sockets + 1);
    const human = await admin(env(), ['counts']);
    expect(human.out).toMatch(/^users +\d+ registered/m);
    expect(human.out).toMatch(/^online +\d+ sockets? on 1 node/m);
    c.close();
  });

  it('reads <user> as a username unless written id:<n>; unknown users exit 4', async () => {
    const digits = `${900000 + (process.pid % 1000) * 10 + (n++ % 10)}`;
    const u = await h.server.client.register(digits);
    // An all-digit username is a username, never an id.
    const byName = await admin(env(), ['sessions', digits, '--json']);
    expect(byName.json.user).toMatchObject({ id: u.id, username: digits });
    expect((await admin(env(), ['sessions', `id:${u.id}`, '--json'])).json.user.username).toBe(digits);
    const asId = await admin(env(), ['sessions', `${u.id}`]);
    expect(asId.code).toBe(4);
    expect(asId.err).toContain(`no user named "${u.id}"`);
    const missing = await admin(env(), ['disable', 'id:2000000000', '--json']);
    expect(missing.code).toBe(4);
    expect(missing.json).toEqual({ ok: false, error: 'no user with id 2000000000', exit: 4 });
    expect((await admin(env(), ['enable', 'id:abc'])).code).toBe(2);
  });

  it('without a server listening, changes are made and the output says no running node was told', async () => {
    const u = await h.server.client.register(uname());
    const socket = path.join(tempDir(), 'none.sock');
    const r = await admin(env({ ADMIN_SOCKET: socket }), ['disable', u.username, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.reach).toEqual({ via: 'socket', socket, listening: false, reason: 'ENOENT' });
    const human = await admin(env({ ADMIN_SOCKET: socket }), ['enable', u.username]);
    expect(human.code).toBe(0);
    const s = await admin(env({ ADMIN_SOCKET: socket }), ['sessions', u.username, '--json']);
    expect(s.json).toMatchObject({ online: null, sockets: null, nodes: null });
    const d = await admin(env({ ADMIN_SOCKET: socket }), ['disable', u.username]);
    expect(d.out).toContain(`no server listens on ${socket}`);
  });

  it('exits 2 on usage errors, 3 on invalid settings, 1 when the database is unreachable', async () => {
    const unknown = await admin(env(), ['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown subcommand "frobnicate"');
    expect(unknown.err).toContain('usage: natter admin <subcommand>');
    const option = await admin(env(), ['counts', '--verbose']);
    expect(option.code).toBe(2);
    expect(option.err).toContain("Unknown option '--verbose'");
    expect(option.err).toContain('usage: natter admin counts');
    expect((await admin(env(), ['disable'])).code).toBe(2);
    expect((await admin(env(), ['notice', 'someone'])).code).toBe(2);
    expect((await admin(env(), ['notice', '--all', '   '])).code).toBe(2);
    expect((await admin(env(), ['reset-password', 'x', '--password', 'abcdef', '--password-stdin'])).code).toBe(2);
    const help = await admin(env(), ['disable', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: natter admin disable <user>');
    expect(help.out).toContain('id:<n>');

    const bad = await admin(env({ JWT_SECRET: 'short', PORT: 'nope' }), ['counts']);
    expect(bad.code).toBe(3);
    expect(bad.err).toContain('JWT_SECRET: must be at least 32 characters');
    expect(bad.err).toContain('PORT: expected an integer');

    const down = await admin(env({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }), ['counts']);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/^natter admin counts: cannot reach the database \(postgres at 127\.0\.0\.1:1\/none\): .*ECONNREFUSED/);
    expect(down.err.split('\n')).toHaveLength(1);
    const missing = await admin(env({ DATABASE_URL: `sqlite:${path.join(tempDir(), 'nothing.db')}` }), ['counts', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json.error).toMatch(/^no database at .*nothing\.db/);
  });

  it('reads settings from a .env file in the working directory, below the environment', async () => {
    const dir = tempDir();
    const { DATABASE_URL, ...rest } = env();
    fs.writeFileSync(path.join(dir, '.env'), `DATABASE_URL=${DATABASE_URL}\n`);
    expect((await admin(rest, ['counts'], { cwd: dir })).code).toBe(0);
    fs.writeFileSync(path.join(dir, '.env'), `DATABASE_URL=${DATABASE_URL}\nPORT=x\n`);
    expect((await admin(rest, ['counts'], { cwd: dir })).code).toBe(3);
  });
});

describe('natter admin, the binary', () => {
  it('runs through bin/natter.mjs: --help exits 0, an unknown subcommand 2', () => {
    const bin = fileURLToPath(new URL('../../bin/natter.mjs', import.meta.url));
    const help = spawnSync(process.execPath, [bin, 'admin', '--help'], { encoding: 'utf8', timeout: 120_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: natter admin <subcommand>');
    const bad = spawnSync(process.execPath, [bin, 'admin', 'frobnicate'], { encoding: 'utf8', timeout: 120_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown subcommand "frobnicate"');
  }, 180_000);
});
