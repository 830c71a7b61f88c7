import { beforeAll, describe, expect, it } from 'vitest';
import { fail } from '../helpers/chat.js';
import { describeEachDialect } from '../helpers/dialects.js';
import { ManualClock } from '../helpers/server.js';
import {
  newDevice,
  newUsername,
  SEED_SALT,
  VISITOR_PATHS,
  VisitorClient,
  visitorSign,
  type VisitorEndpoint,
} from '../helpers/visitor-client.js';

/**
 * The order of checks shared by E13, E14 and E15 (spec §7.3, notes §2.4–2.6): header, parameters
 * (422), signature, freshness (two-sided, a deliberate fix of §11.6), device id.
 */
const ILLEGAL_ACCESS = fail('非法访问');
const ILLEGAL_SIGN = fail('非法签名');
const EXPIRED = fail('请求已过期');
const INVALID_DEVICE = fail('无效标识');
const WINDOW = 300_000;
/** The right signature with its first character changed. */
const oneCharOff = (sign: string): string => sign.replace(/./, (c) => (c === '0' ? '1' : '0'));

const clock = new ManualClock();
const ENDPOINTS: VisitorEndpoint[] = ['register', 'upgrade', 'login'];

describeEachDialect(
  'visitors: order of checks (§7.3)',
  (h) => {
    const v = new VisitorClient(() => h.server, clock);
    let known: { username: string };
    beforeAll(async () => {
      known = await h.server.client.register(newUsername('known'), '123456');
    });
    /** The endpoint's own parameters of a request that succeeds. */
    const extra = (ep: VisitorEndpoint): Record<string, unknown> =>
      ep === 'register'
        ? {}
        : ep === 'upgrade'
          ? { username: newUsername(), password: '123456' }
          : { username: known.username, password: '123456' };

    for (const ep of ENDPOINTS) {
      describe(ep, () => {
        it('answers 400 非法访问 without the header, whatever the parameters (never 500)', async () => {
          const bodies: Record<string, unknown>[] = [
            {},
            { deviceId: 'short', timestamp: 'abc', username: 'x', password: 'y' },
            { deviceId: newDevice(), timestamp: clock.now(), ...extra(ep) },
          ];
          for (const body of bodies) {
            const res = await h.server.client.post(VISITOR_PATHS[ep], body);
            expect(res.status, JSON.stringify(body)).toBe(400);
            expect(res.body).toEqual(ILLEGAL_ACCESS);
          }
          for (const sign of [null, '', '   ']) {
            const res = await v.signed(ep, newDevice(), extra(ep), { sign });
            expect(res.status).toBe(400);
            expect(res.body).toEqual(ILLEGAL_ACCESS);
          }
        });

        it('answers 422 for invalid parameters once the header is there, before the signature is looked at', async () => {
          const missing = await h.server.client.post(
            VISITOR_PATHS[ep],
            {},
            {
              headers: { 'X-Security-Sign': 'nonsense' },
            },
          );
          expect(missing.status).toBe(422);
          // The answer carries the first declared field's message.
          expect(missing.body).toEqual(fail(ep === 'register' ? '设备指纹不能为空' : '账号不能为空'));
          // Every required field is checked: leave out one at a time.
          const required: [string, string][] = [
            ...(ep === 'register'
              ? []
              : ([
                  ['username', '账号不能为空'],
                  ['password', '密码不能为空'],
                ] as [string, string][])),
            ['deviceId', '设备指纹不能为空'],
            ['timestamp', '时间戳不能为空'],
          ];
          for (const [key, message] of required) {
            const body: Record<string, unknown> = { deviceId: newDevice(), timestamp: clock.now(), ...extra(ep) };
            delete body[key];
            const res = await h.server.client.post(VISITOR_PATHS[ep], body, {
              headers: { 'X-Security-Sign': 'nonsense' },
            });
            expect(res.status, message).toBe(422);
            expect(res.body, message).toEqual(fail(message));
          }

          const cases: [Record<string, unknown>, string, string][] = [
            [{ deviceId: 'a'.repeat(35) }, 'deviceId', '设备指纹 的长度 必须 在 36 和 200 之间'],
            [{ deviceId: 'a'.repeat(201) }, 'deviceId', '设备指纹 的长度 必须 在 36 和 200 之间'],
            [{ timestamp: 'abc' }, 'timestamp', '时间戳 的值 `abc` 的类型不是 `int`'],
            [{ timestamp: '1.5' }, 'timestamp', '时间戳 的值 `1.5` 的类型不是 `int`'],
          ];
          if (ep !== 'register') {
            cases.push(
              [{ username: 'abc' }, 'username', '账号 的长度 必须 在 4 和 20 之间'],
              [{ password: '12345' }, 'password', '密码 的长度 必须 在 6 和 20 之间'],
            );
          }
          for (const [patch, key, message] of cases) {
            const body = { deviceId: newDevice(), timestamp: clock.now(), ...extra(ep), ...patch };
            const res = await h.server.client.post(VISITOR_PATHS[ep], body, {
              headers: { 'X-Security-Sign': 'nonsense' },
            });
            expect(res.status, message).toBe(422);
            expect(res.body, `${key}: ${message}`).toEqual(fail(message));
          }
        });

        it('answers 非法签名 for a signature that does not match, and accepts upper-case hex', async () => {
          const d = newDevice();
          const t = clock.now();
          for (const sign of [
            'nonsense',
            visitorSign(d, t, `${SEED_SALT}x`),
            visitorSign(d, t + 1),
            visitorSign(newDevice(), t),
            visitorSign(d, t).slice(0, 63),
            oneCharOff(visitorSign(d, t)),
          ]) {
            const res = await v.signed(ep, d, extra(ep), { sign, timestamp: t });
            expect(res.status, sign).toBe(400);
            expect(res.body, sign).toEqual(ILLEGAL_SIGN);
          }
          const upper = await v.signed(ep, d, extra(ep), { sign: visitorSign(d, t).toUpperCase(), timestamp: t });
          expect(upper.status, JSON.stringify(upper.body)).toBe(200);
          expect(upper.body.msg).toBe('ok');
        });

        it('answers 请求已过期 more than 5 minutes in the past or in the future, accepts 4m59s either way', async () => {
          for (const offset of [-WINDOW - 1, -WINDOW - 60_000, WINDOW + 1, WINDOW + 86_400_000]) {
            const res = await v.signed(ep, newDevice(), extra(ep), { timestamp: clock.now() + offset });
            expect(res.status, String(offset)).toBe(400);
            expect(res.body, String(offset)).toEqual(EXPIRED);
          }
          for (const offset of [-299_000, 299_000, -WINDOW, WINDOW, 0]) {
            const res = await v.signed(ep, newDevice(), extra(ep), { timestamp: clock.now() + offset });
            expect(res.status, `${offset} ${JSON.stringify(res.body)}`).toBe(200);
            expect(res.body.msg).toBe('ok');
          }
        });

        it('answers 无效标识 for a device id that is not 36 characters of [A-Za-z0-9_-], after the signature and freshness', async () => {
          for (const d of [
            `${newDevice()}x`,
            'a'.repeat(200),
            `${newDevice().slice(0, 35)}.`,
            `${newDevice().slice(0, 35)}!`,
            `fallback-${newDevice()}`,
          ]) {
            const res = await v.signed(ep, d, extra(ep));
            expect(res.status, d).toBe(400);
            expect(res.body, d).toEqual(INVALID_DEVICE);
          }
          const bad = `${newDevice()}x`;
          const wrongSign = await v.signed(ep, bad, extra(ep), { sign: visitorSign(bad, clock.now() + 1) });
          expect(wrongSign.body).toEqual(ILLEGAL_SIGN);
          const old = await v.signed(ep, bad, extra(ep), { timestamp: clock.now() - WINDOW - 1 });
          expect(old.body).toEqual(EXPIRED);
        });
      });
    }

    it('passes any integer timestamp to the freshness check: negative or far-future ones are 请求已过期, not 422', async () => {
      // spec §1.4 and E13: `timestamp` is an int without a range, so these pass validation and are then not fresh
      for (const ep of ENDPOINTS) {
        for (const timestamp of [-1, 100_000_000_000_000]) {
          const res = await v.signed(ep, newDevice(), extra(ep), { timestamp });
          expect(res.body, `${ep} ${timestamp}`).toEqual(EXPIRED);
          expect(res.status, `${ep} ${timestamp}`).toBe(400);
        }
      }
    });

    it('E13: optional device fields with bad values silently become ""', async () => {
      const res = await v.register(newDevice(), {
        uniplatform: 'x',
        devicemodel: 'm'.repeat(51),
        deviceos: 'o'.repeat(51),
        devicebrand: 'b'.repeat(51),
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ uniplatform: '', devicemodel: '', deviceos: '', devicebrand: '' });
      const ok = await v.register(newDevice(), { uniplatform: 'ab', devicemodel: 'm', deviceos: 'o'.repeat(50), devicebrand: 'b' });
      expect(ok.body.data).toMatchObject({ uniplatform: 'ab', devicemodel: 'm', deviceos: 'o'.repeat(50), devicebrand: 'b' });
    });

    it('E13: accepts a form-encoded body and a numeric JSON timestamp', async () => {
      const form = await v.register(newDevice(), {}, { form: true });
      expect(form.status).toBe(200);
      const d = newDevice();
      const t = clock.now();
      const json = await h.server.client.post(
        '/api/visitorRegister',
        { deviceId: d, timestamp: t },
        { headers: { 'x-security-sign': visitorSign(d, t) } },
      );
      expect(json.status).toBe(200);
      expect(json.body.data.devicefingeruuid).toBe(d);
    });
  },
  { clock },
);
