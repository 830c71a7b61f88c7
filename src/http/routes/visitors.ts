import type { FastifyInstance, FastifyRequest } from 'fastify';
import { failure } from '../../domain/failures.js';
import { loginCredentials, newUsername, password } from '../common-params.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import { LoginView } from '../schemas/user.js';

const SIGN_HEADER = 'x-security-sign';

/** Step 1 of spec §7.3: the signature header must be there before anything else is looked at. */
function requireSign(req: FastifyRequest): void {
  const v = req.headers[SIGN_HEADER];
  if (typeof v !== 'string' || v.trim() === '') throw failure('illegalAccess');
}

const device = {
  deviceId: p.str('设备指纹', { required: true, min: 36, max: 200 }),
  // Any integer: a stale or far-future value is refused by the freshness check (请求已过期).
  timestamp: p.int('时间戳', { required: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
};

/** What the visitor service checks the signature against. */
const signed = ({ deviceId, timestamp }: { deviceId: string; timestamp: number }, req: FastifyRequest) => ({
  deviceId,
  timestamp,
  sign: String(req.headers[SIGN_HEADER] ?? ''),
  address: req.ip,
});

const SIGNED = 'Requires the `X-Security-Sign` header: lower-case hex SHA-256 of `deviceId=<id>&salt=<salt>&timestamp=<ms>APP_SECRET`.';

/** E13 visitorRegister, E14 visitorregChat, E15 visitorloginChat. */
export function visitorRoutes(app: FastifyInstance, d: HttpDeps): void {
  const route = routes(app, d.auth, { tags: ['visitors'], auth: 'public' });

  route.post('/api/visitorRegister', {
    summary: 'Start a visitor session for a device, creating its visitor account on first use (E13)',
    description: SIGNED,
    pre: requireSign,
    params: {
      ...device,
      uniplatform: p.str('平台类型', { def: '', min: 2, max: 50 }),
      devicemodel: p.str('设备型号', { def: '', min: 1, max: 50 }),
      deviceos: p.str('操作系统', { def: '', min: 1, max: 50 }),
      devicebrand: p.str('设备品牌', { def: '', min: 1, max: 50 }),
    },
    data: LoginView,
    handler: async ({ deviceId, timestamp, ...info }, _c, req) =>
      d.present.login(await d.visitors.register(signed({ deviceId, timestamp }, req), info)),
  });

  route.post('/api/visitorregChat', {
    summary: "Upgrade the device's visitor account to a registered one, keeping its data (E14)",
    description: SIGNED,
    pre: requireSign,
    params: { username: newUsername, password, ...device },
    data: LoginView,
    handler: async ({ username, password: pw, ...dev }, _c, req) =>
      d.present.login(await d.visitors.upgrade(signed(dev, req), { username, password: pw })),
  });

  route.post('/api/visitorloginChat', {
    summary: 'Log in to a registered account from a visitor device (E15)',
    description: SIGNED,
    pre: requireSign,
    params: { ...loginCredentials, ...device },
    data: LoginView,
    handler: async ({ username, password: pw, ...dev }, _c, req) =>
      d.present.login(await d.visitors.login(signed(dev, req), { username, password: pw })),
  });
}
