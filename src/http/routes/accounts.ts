import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TEXT } from '../../domain/texts.js';
import { USERNAME_PATTERN } from '../../domain/user.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { addRoute } from '../route.js';
import { LoginView } from '../schemas/user.js';
import { failureText } from '../../domain/failures.js';

const credentials = {
  username: p.str('账号', {
    required: true,
    min: 4,
    max: 20,
    pattern: { re: USERNAME_PATTERN, message: '账号 只能包含字母、数字和下划线' },
  }),
  password: p.str('密码', { required: true, min: 6, max: 20 }),
};

const loginCredentials = {
  username: p.str('账号', { required: true, min: 4, max: 20 }),
  password: p.str('密码', { required: true, min: 6, max: 20 }),
};

/** E01 regChat, E02 loginChat, E03 logout, E41 setPassword. */
export function accountRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['accounts'];

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/regChat',
    summary: 'Register an account and log in (E01)',
    tags,
    auth: 'public',
    params: credentials,
    data: LoginView,
    handler: async (input, _c, req) => d.present.login(await d.auth.register(input, req.ip)),
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/loginChat',
    summary: 'Log in; ends any other session of the account (E02)',
    description: `Repeated failures for one username or address answer 429 "${failureText('loginThrottled')}".`,
    tags,
    auth: 'public',
    params: loginCredentials,
    data: LoginView,
    handler: async (input, _c, req) => d.present.login(await d.auth.login(input, req.ip)),
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/logout',
    summary: 'End the current session (E03)',
    tags,
    auth: 'token',
    params: {},
    data: Type.Literal(true),
    handler: async (_i, c) => {
      await d.auth.logout(c.user.id, c.claims.sid);
      return true as const;
    },
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/setPassword',
    summary: 'Change the password (E41)',
    tags,
    auth: 'token',
    params: {
      oldpassword: p.str('原始密码', { required: true, max: 100 }),
      newpassword: p.str('新密码', { required: true, min: 6, max: 20 }),
      checknewpassword: p.str('确认新密码', { required: true, max: 100 }),
    },
    data: Type.String(),
    handler: async (input, c) => {
      await d.auth.setPassword(c.user.id, c.claims.sid, input);
      return TEXT.passwordChanged;
    },
  });
}
