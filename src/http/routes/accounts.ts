import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { failureText } from '../../domain/failures.js';
import { TEXT } from '../../domain/texts.js';
import { loginCredentials, newUsername, password } from '../common-params.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import { LoginView } from '../schemas/user.js';

/** E01 regChat, E02 loginChat, E03 logout, E41 setPassword. */
export function accountRoutes(app: FastifyInstance, d: HttpDeps): void {
  const open = routes(app, d.auth, { tags: ['accounts'], auth: 'public' });
  const mine = routes(app, d.auth, { tags: ['accounts'], auth: 'token' });

  open.post('/api/regChat', {
    summary: 'Register an account and log in (E01)',
    params: { username: newUsername, password },
    data: LoginView,
    handler: async (input, _c, req) => d.present.login(await d.auth.register(input, req.ip)),
  });

  open.post('/api/loginChat', {
    summary: 'Log in; ends any other session of the account (E02)',
    description: `Repeated failures for one username or address answer 429 "${failureText('loginThrottled')}".`,
    params: loginCredentials,
    data: LoginView,
    handler: async (input, _c, req) => d.present.login(await d.auth.login(input, req.ip)),
  });

  mine.post('/api/chat/logout', {
    summary: 'End the current session (E03)',
    params: {},
    data: Type.Literal(true),
    handler: async (_i, c) => {
      await d.auth.logout(c.user.id, c.claims.sid);
      return true as const;
    },
  });

  mine.post('/api/chat/setPassword', {
    summary: 'Change the password (E41)',
    params: {
      oldpassword: p.str('原始密码', { required: true, max: 100 }),
      newpassword: p.str('新密码', { required: true, min: 6, max: 20 }),
      checknewpassword: p.str('确认新密码', { required: true, max: 100 }),
    },
    text: async (input, c) => {
      await d.auth.setPassword(c.user.id, c.claims.sid, input);
      return TEXT.passwordChanged;
    },
  });
}
