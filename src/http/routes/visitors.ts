import type { FastifyInstance, FastifyRequest } from 'fastify';
import { USERNAME_PATTERN } from '../../domain/user.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { addRoute } from '../route.js';
import { LoginView } from '../schemas/user.js';
import { failure } from '../../domain/failures.js';

const SIGN_HEADER = 'x-security-sign';

/** Step 1 of spec §7.3: the signature header must be there before anything else is looked at. */
function requireSign(req: FastifyRequest): void {
  const v = req.headers[SIGN_HEADER];
  if (typeof v !== 'string' || v.trim() === '') throw failure('illegalAccess');
}

const signOf = (req: FastifyRequest): string => String(req.headers[SIGN_HEADER] ?? '');

const device = {
  deviceId: p.str('设备指纹', { required: true, min: 36, max: 200 }),
  // Any integer: a stale or far-future value is refused by the freshness check (请求已过期).
  timestamp: p.int('时间戳', { required: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
};

const signed = 'Requires the `X-Security-Sign` header: lower-case hex SHA-256 of `deviceId=<id>&salt=<salt>&timestamp=<ms>APP_SECRET`.';

/** E13 visitorRegister, E14 visitorregChat, E15 visitorloginChat. */
export function visitorRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['visitors'];

  addRoute(app, d.auth, {
    method: 'POST', url: '/api/visitorRegister', tags, auth: 'public', pre: requireSign,
    summary: 'Start a visitor session for a device, creating its visitor account on first use (E13)',
    description: signed,
    params: {
      ...device,
      uniplatform: p.str('平台类型', { def: '', min: 2, max: 50 }),
      devicemodel: p.str('设备型号', { def: '', min: 1, max: 50 }),
      deviceos: p.str('操作系统', { def: '', min: 1, max: 50 }),
      devicebrand: p.str('设备品牌', { def: '', min: 1, max: 50 }),
    },
    data: LoginView,
    handler: async ({ deviceId, timestamp, ...info }, _c, req) =>
      d.present.login(await d.visitors.register({ deviceId, timestamp, sign: signOf(req), address: req.ip }, info)),
  });

  addRoute(app, d.auth, {
    method: 'POST', url: '/api/visitorregChat', tags, auth: 'public', pre: requireSign,
    summary: "Upgrade the device's visitor account to a registered one, keeping its data (E14)",
    description: signed,
    params: {
      username: p.str('账号', { required: true, min: 4, max: 20, pattern: { re: USERNAME_PATTERN, message: '账号 只能包含字母、数字和下划线' } }),
      password: p.str('密码', { required: true, min: 6, max: 20 }),
      ...device,
    },
    data: LoginView,
    handler: async ({ deviceId, timestamp, username, password }, _c, req) =>
      d.present.login(await d.visitors.upgrade({ deviceId, timestamp, sign: signOf(req), address: req.ip }, { username, password })),
  });

  addRoute(app, d.auth, {
    method: 'POST', url: '/api/visitorloginChat', tags, auth: 'public', pre: requireSign,
    summary: 'Log in to a registered account from a visitor device (E15)',
    description: signed,
    params: {
      username: p.str('账号', { required: true, min: 4, max: 20 }),
      password: p.str('密码', { required: true, min: 6, max: 20 }),
      ...device,
    },
    data: LoginView,
    handler: async ({ deviceId, timestamp, username, password }, _c, req) =>
      d.present.login(await d.visitors.login({ deviceId, timestamp, sign: signOf(req), address: req.ip }, { username, password })),
  });
}
