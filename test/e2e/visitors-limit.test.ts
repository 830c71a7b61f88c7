import { beforeAll, expect, it } from 'vitest';
import type { Answer } from '../helpers/client.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { ManualClock, startServer } from '../helpers/server.js';
import { newDevice, newUsername, VisitorClient, visitorSign } from '../helpers/visitor-client.js';

/**
 * The per-device limit of spec §7.3 step 6: 5 counted requests an hour, shared by E13/E14/E15,
 * counting failures of later steps. Deliberately kept in the database (it survives a restart)
 * in a fixed window that starts at the first counted request.
 */
const TOO_FREQUENT = { msg: 'fail', data: '请求过于频繁，请1个小时后再试' };
const HOUR = 3_600_000;
const clock = new ManualClock();

const expectLimited = (res: Answer, label = '') => {
  expect(res.status, label).toBe(400);
  expect(res.body, label).toEqual(TOO_FREQUENT);
};

describeEachDialect(
  'visitors: per-device limit (§7.3 step 6)',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);
    let known: { username: string; id: number };
    beforeAll(async () => {
      known = await h.server.client.register(newUsername('known'), '123456');
    });
    const statuses = async (n: number, call: () => Promise<Answer>) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await call()).status);
      return out;
    };

    it('refuses the 6th request of a device within the hour on all three endpoints, other devices unaffected', async () => {
      const d = newDevice();
      expect(await statuses(5, () => v.register(d))).toEqual([200, 200, 200, 200, 200]);
      expectLimited(await v.register(d), 'register');
      expectLimited(await v.upgrade(d, newUsername()), 'upgrade');
      expectLimited(await v.login(d, known.username), 'login');
      expect((await v.register(newDevice())).status).toBe(200);
      expect((await v.login(newDevice(), known.username)).status).toBe(200);
    });

    it('counts failures of later steps and shares the count between the endpoints', async () => {
      const d = newDevice();
      const steps: [() => Promise<Answer>, string | null][] = [
        [() => v.login(d, known.username, 'wrong-password'), '账户或密码错误'],
        [() => v.login(d, newUsername('nobody'), '123456'), '账号不存在或者被禁用'],
        [() => v.upgrade(d, known.username), '该账号已存在，请换一个账号注册'],
        [() => v.register(d), null],
        [() => v.login(d, known.username, 'wrong-again'), '账户或密码错误'],
      ];
      for (const [call, message] of steps) {
        const res = await call();
        if (message === null) expect(res.status).toBe(200);
        else expect(res.body, message).toEqual({ msg: 'fail', data: message });
      }
      expectLimited(await v.register(d));
      // even the right password is refused now
      expectLimited(await v.login(d, known.username));
    });

    it('does not count requests refused before the limit (signature, freshness)', async () => {
      const d = newDevice();
      for (let i = 0; i < 4; i++) expect((await v.register(d, {}, { sign: visitorSign(d, 1) })).body.data).toBe('非法签名');
      for (let i = 0; i < 4; i++) expect((await v.register(d, {}, { timestamp: clock.now() - 400_000 })).body.data).toBe('请求已过期');
      expect(await statuses(5, () => v.register(d))).toEqual([200, 200, 200, 200, 200]);
      expectLimited(await v.register(d));
    });

    it('lets the device in again an hour after its first counted request (fixed window)', async () => {
      const d = newDevice();
      expect((await v.register(d)).status).toBe(200);
      clock.advance(59 * 60_000);
      expect(await statuses(4, () => v.register(d))).toEqual([200, 200, 200, 200]);
      expectLimited(await v.register(d), 'at 59 min');
      clock.advance(60_000 - 1);
      expectLimited(await v.register(d), 'at 60 min - 1 ms');
      clock.advance(1);
      expect(await statuses(5, () => v.register(d))).toEqual([200, 200, 200, 200, 200]);
      expectLimited(await v.register(d), 'new window');
      clock.advance(HOUR);
      expect((await v.upgrade(d, newUsername())).status).toBe(200);
    });

    it('keeps the count in the database: a restarted server on the same database still refuses', async () => {
      // h.server created the database and stays open; the "restarted" nodes borrow it and close first
      const d = newDevice();
      const first = await startServer({ dialect: h.dialect, clock, databaseUrl: h.server.databaseUrl });
      try {
        const vf = new VisitorClient(() => first, clock);
        expect(await statuses(5, () => vf.register(d))).toEqual([200, 200, 200, 200, 200]);
      } finally {
        await first.close();
      }
      const second = await startServer({ dialect: h.dialect, clock, databaseUrl: h.server.databaseUrl });
      try {
        const vs = new VisitorClient(() => second, clock);
        expectLimited(await vs.register(d), 'after restart');
        expectLimited(await v.login(d, known.username), 'on another node');
        clock.advance(HOUR);
        expect((await vs.register(d)).status).toBe(200);
      } finally {
        await second.close();
      }
    });
  },
  { clock },
);

describeEachDialect(
  'visitors: per-address limit on new accounts, device ids in any case',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);

    it('refuses a new visitor account past VISITOR_MAX_PER_IP_HOUR (as the per-device limit: 400); known devices still sign in', async () => {
      const known = newDevice();
      expect((await v.register(known)).status).toBe(200);
      expect((await v.register(newDevice())).status).toBe(200);
      expectLimited(await v.register(newDevice()), 'third new device');
      expect((await v.register(known)).status).toBe(200);
      clock.advance(HOUR + 1);
      expect((await v.register(newDevice())).status).toBe(200);
    });

    it('treats a device id in upper case as the same device: same account, same hourly count', async () => {
      clock.advance(HOUR + 1);
      const d = newDevice();
      const first = (await v.register(d)).body.data;
      const upper = await v.register(d.toUpperCase());
      expect(upper.status).toBe(200);
      expect(upper.body.data.id).toBe(first.id);
      for (let i = 0; i < 3; i++) expect((await v.register(i % 2 ? d : d.toUpperCase())).status).toBe(200);
      expectLimited(await v.register(d.toUpperCase()), 'upper case');
    });
  },
  { clock, env: { VISITOR_MAX_PER_IP_HOUR: '2' } },
);
