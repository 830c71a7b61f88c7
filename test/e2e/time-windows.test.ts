import { expect, it } from 'vitest';
import { describeEachDialectWithServers as eachDialect } from '../helpers/dialects.js';
import { ManualClock, type TestServer } from '../helpers/server.js';

/**
 * Login throttling (E02), token expiry (§2) and time rendering (§1.5), driven by a ManualClock.
 * Every test starts its own server, so that failure counts and clocks never leak between tests.
 */

const THROTTLED = { msg: 'fail', data: '登录失败次数过多，请稍后再试' };
const WRONG = { msg: 'fail', data: '账户或密码错误' };
const SEC = 1000;

/** A login; `from` is the client address a trusted proxy reports (servers started with TRUST_PROXY=loopback). */
const login = (s: TestServer, username: string, password: string, from?: string) =>
  s.client.post('/api/loginChat', { username, password }, from ? { headers: { 'x-forwarded-for': from } } : {});

async function failTimes(s: TestServer, username: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await login(s, username, 'wrong-password');
    expect(res.status, `failure ${i + 1}`).toBe(400);
  }
}

eachDialect('login throttle (E02)', (start) => {
  it('answers 429 after LOGIN_MAX_FAILURES failures, even with the right password', async () => {
    const s = await start({ clock: new ManualClock() });
    await s.client.register('throttled', 'right-pw');
    for (let i = 0; i < 5; i++) {
      const res = await login(s, 'throttled', 'wrong-password');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(WRONG);
    }
    const right = await login(s, 'throttled', 'right-pw');
    expect(right.status).toBe(429);
    expect(right.body).toEqual(THROTTLED);
    const wrong = await login(s, 'throttled', 'wrong-password');
    expect(wrong.status).toBe(429);
    expect(wrong.body).toEqual(THROTTLED);
  });

  it('counts failures for unknown usernames too, and honours LOGIN_MAX_FAILURES', async () => {
    const s = await start({ clock: new ManualClock(), env: { LOGIN_MAX_FAILURES: '2' } });
    for (let i = 0; i < 2; i++) {
      const res = await login(s, 'ghost_user', '123456');
      expect(res.body).toEqual({ msg: 'fail', data: '账号不存在或者被禁用' });
    }
    const res = await login(s, 'ghost_user', '123456');
    expect(res.status).toBe(429);
    expect(res.body).toEqual(THROTTLED);
  });

  it('lets the username log in again once LOGIN_WINDOW_SECONDS have passed', async () => {
    const clock = new ManualClock();
    const s = await start({ clock });
    await s.client.register('windowed', 'right-pw');
    await failTimes(s, 'windowed', 5);
    clock.advance(899 * SEC);
    expect((await login(s, 'windowed', 'right-pw')).status).toBe(429);
    clock.advance(2 * SEC);
    const res = await login(s, 'windowed', 'right-pw');
    expect(res.status).toBe(200);
    expect(res.body.data.username).toBe('windowed');
  });

  it('honours LOGIN_WINDOW_SECONDS', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, env: { LOGIN_WINDOW_SECONDS: '60' } });
    await s.client.register('short_win', 'right-pw');
    await failTimes(s, 'short_win', 5);
    expect((await login(s, 'short_win', 'right-pw')).status).toBe(429);
    clock.advance(61 * SEC);
    expect((await login(s, 'short_win', 'right-pw')).status).toBe(200);
  });

  it('resets the per-username count on a successful login', async () => {
    const s = await start({ clock: new ManualClock() });
    await s.client.register('resetting', 'right-pw');
    await failTimes(s, 'resetting', 4);
    expect((await login(s, 'resetting', 'right-pw')).status).toBe(200);
    await failTimes(s, 'resetting', 4);
    const res = await login(s, 'resetting', 'right-pw');
    expect(res.status).toBe(200);
    expect(res.body.msg).toBe('ok');
  });

  it('limits failures per address across usernames (LOGIN_MAX_FAILURES_PER_IP)', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, env: { LOGIN_MAX_FAILURES_PER_IP: '3' } });
    await s.client.register('addr_ok', 'right-pw');
    for (const name of ['addr_a', 'addr_b', 'addr_c']) {
      await s.client.register(name, 'right-pw');
      expect((await login(s, name, 'wrong-password')).body).toEqual(WRONG);
    }
    const res = await login(s, 'addr_ok', 'right-pw');
    expect(res.status).toBe(429);
    expect(res.body).toEqual(THROTTLED);
    // a success elsewhere does not clear the address count
    expect((await login(s, 'addr_a', 'right-pw')).status).toBe(429);
    clock.advance(901 * SEC);
    expect((await login(s, 'addr_ok', 'right-pw')).status).toBe(200);
  });

  it('counts each attempt before the password is checked: of 40 parallel wrong passwords only LOGIN_MAX_FAILURES are checked', async () => {
    const s = await start({ clock: new ManualClock() });
    await s.client.register('victim', 'right-pw');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(s, 'victim', `wrong${i}xx`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 400).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((x) => x === 400 || x === 429)).toHaveLength(40);
    for (const a of answers) expect(a.body).toEqual(a.status === 400 ? WRONG : THROTTLED);
  });

  it('failures from other addresses do not lock the owner out; the account-wide count spares addresses that logged in before', async () => {
    const s = await start({ clock: new ManualClock(), env: { TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES_PER_ACCOUNT: '10' } });
    await s.client.register('owner01', 'right-pw');
    expect((await login(s, 'owner01', 'right-pw', '198.51.100.7')).status).toBe(200);
    // attackers at five addresses, two failures each: the account-wide count reaches 10
    for (const a of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5']) {
      for (let i = 0; i < 2; i++) expect((await login(s, 'owner01', 'guess-pw', a)).body).toEqual(WRONG);
    }
    // a new address is refused now, even with the right password; the owner's known address is not
    expect((await login(s, 'owner01', 'right-pw', '192.0.2.44')).body).toEqual(THROTTLED);
    expect((await login(s, 'owner01', 'right-pw', '198.51.100.7')).status).toBe(200);
    // and five failures from one attacker address do not touch the owner's
    for (let i = 0; i < 5; i++) await login(s, 'owner01', 'guess-pw', '203.0.113.9');
    expect((await login(s, 'owner01', 'guess-pw', '203.0.113.9')).body).toEqual(THROTTLED);
    expect((await login(s, 'owner01', 'right-pw', '198.51.100.7')).status).toBe(200);
  });

  it('counts usernames as they are spelled (they are case-sensitive): failures on caseuser leave CaseUser alone', async () => {
    const s = await start({ clock: new ManualClock() });
    await s.client.register('CaseUser', 'right-pw');
    await failTimes(s, 'caseuser', 5);
    expect((await login(s, 'caseuser', 'wrong-password')).status).toBe(429);
    expect((await login(s, 'CaseUser', 'right-pw')).status).toBe(200);
  });

  it('believes X-Forwarded-For only from a trusted proxy, and only the hop that proxy added', async () => {
    const clock = new ManualClock();
    // no proxy trusted: a client's header changes nothing
    const direct = await start({ clock, env: { LOGIN_MAX_FAILURES_PER_IP: '3' } });
    for (let i = 0; i < 3; i++) await login(direct, `spoof_${i}`, 'x-password', `203.0.113.${i}`);
    expect((await login(direct, 'spoof_9', 'x-password', '203.0.113.99')).body).toEqual(THROTTLED);
    // behind a trusted proxy, what the client wrote before the proxy's own entry is ignored
    const proxied = await start({ clock, env: { LOGIN_MAX_FAILURES_PER_IP: '3', TRUST_PROXY: 'loopback' } });
    for (let i = 0; i < 3; i++) await login(proxied, `spoof_${i}`, 'x-password', `10.9.9.${i}, 198.51.100.1`);
    expect((await login(proxied, 'spoof_9', 'x-password', '10.9.9.99, 198.51.100.1')).body).toEqual(THROTTLED);
    expect((await login(proxied, 'spoof_9', 'x-password', '198.51.100.2')).body).toEqual({ msg: 'fail', data: '账号不存在或者被禁用' });
  });

  // Registration logs in without the throttle: the password was just set.
  it('does not create an account it answers as failed while the address is throttled', async () => {
    const s = await start({ clock: new ManualClock(), env: { LOGIN_MAX_FAILURES_PER_IP: '1' } });
    expect((await login(s, 'ghost_user', '123456')).status).toBe(400);
    const res = await s.client.post('/api/regChat', { username: 'new_while_throttled', password: '123456' });
    const created = (await s.app.store.users.findByUsername('new_while_throttled')) !== undefined;
    expect({ status: res.status, created }).toEqual({ status: created ? 200 : res.status, created });
    if (res.status === 200) expect(res.body.data.username).toBe('new_while_throttled');
  });
});

eachDialect('token expiry and time rendering', (start) => {
  it('answers "expired" once TOKEN_TTL has passed, and only then', async () => {
    const clock = new ManualClock();
    const s = await start({ clock, env: { TOKEN_TTL: '60' } });
    const u = await s.client.register('expiring', '123456');
    const claims = JSON.parse(Buffer.from(u.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(60);
    clock.advance(59 * SEC);
    expect((await s.client.post('/api/chat/userset', { userset: '{}' }, { token: u.token })).body).toEqual({ msg: 'ok', data: 'ok' });
    clock.advance(2 * SEC);
    const res = await s.client.post('/api/chat/userset', { userset: '{}' }, { token: u.token });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'fail', data: 'Token已过期！请重新获取令牌' });
    const again = await s.client.post('/api/loginChat', { username: 'expiring', password: '123456' });
    expect((await s.client.post('/api/chat/logout', {}, { token: again.body.data.token })).body).toEqual({ msg: 'ok', data: true });
  });

  it('renders create_time as +08:00 local text and the other dates as ISO UTC', async () => {
    const t0 = Date.UTC(2025, 0, 1, 16, 30, 5, 250);
    const clock = new ManualClock(t0);
    const s = await start({ clock });
    const reg = await s.client.post('/api/regChat', { username: 'clock_user', password: '123456' });
    expect(reg.body.data).toMatchObject({
      create_time: '2025-01-02 00:30:05',
      register_time: '2025-01-01T16:30:05.250Z',
      update_time: '2025-01-01T16:30:05.250Z',
      last_login: '2025-01-01T16:30:05.250Z',
    });
    clock.advance(3600 * SEC);
    const res = await login(s, 'clock_user', '123456');
    expect(res.body.data).toMatchObject({
      create_time: '2025-01-02 00:30:05',
      register_time: '2025-01-01T16:30:05.250Z',
      last_login: '2025-01-01T17:30:05.250Z',
    });
    const claims = JSON.parse(Buffer.from(res.body.data.token.split('.')[1], 'base64url').toString('utf8')) as { iat: number };
    expect(claims.iat).toBe(Math.floor((t0 + 3600 * SEC) / 1000));
  });

  it('uses DISPLAY_TIMEZONE for create_time', async () => {
    const s = await start({ clock: new ManualClock(Date.UTC(2025, 0, 1, 3, 0, 0)), env: { DISPLAY_TIMEZONE: '-05:30' } });
    const reg = await s.client.post('/api/regChat', { username: 'tz_user', password: '123456' });
    expect(reg.body.data.create_time).toBe('2024-12-31 21:30:00');
  });
});
