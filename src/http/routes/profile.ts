import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { addRoute } from '../route.js';
import { PublicProfileView } from '../schemas/user.js';

/** E16 userinfo, E18 userset, E34 updateUserinfo. */
export function profileRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['profile'];

  addRoute(app, d.auth, {
    method: 'GET',
    url: '/api/userinfo/:uuid',
    summary: 'Public profile of a user; data is null when there is none (E16)',
    tags,
    auth: 'public',
    params: { uuid: p.str('uuid值', { required: true, min: 36, max: 36, path: true }) },
    data: PublicProfileView,
    handler: async ({ uuid }) => d.present.publicProfile(await d.users.publicProfile(uuid)),
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/userset',
    summary: 'Save my settings text, e.g. who may message me (E18)',
    tags,
    auth: 'token',
    params: { userset: p.str('用户设置', { required: true, min: 2, max: 10000 }) },
    data: Type.Literal('ok'),
    handler: async ({ userset }, c) => {
      await d.users.saveUserset(c.user.id, userset);
      return 'ok' as const;
    },
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/updateUserinfo',
    summary: 'Change one profile field: nickname, avatar or invite_confirm (E34)',
    tags,
    auth: 'token',
    params: {
      fieldname: p.str('修改类型', { required: true, min: 1, max: 30 }),
      fieldValue: p.str('修改结果', { required: true, min: 1, max: 10000 }),
    },
    data: Type.String(),
    handler: async ({ fieldname, fieldValue }, c) => d.users.updateField(c.user.id, fieldname, fieldValue),
  });
}
