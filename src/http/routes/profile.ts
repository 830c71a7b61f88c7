import type { FastifyInstance } from 'fastify';
import { uuid } from '../common-params.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import { PublicProfileView } from '../schemas/user.js';

/** E16 userinfo, E18 userset, E34 updateUserinfo. */
export function profileRoutes(app: FastifyInstance, d: HttpDeps): void {
  const open = routes(app, d.auth, { tags: ['profile'], auth: 'public' });
  const mine = routes(app, d.auth, { tags: ['profile'], auth: 'token' });

  open.get('/api/userinfo/:uuid', {
    summary: 'Public profile of a user; data is null when there is none (E16)',
    params: { uuid },
    data: PublicProfileView,
    handler: async ({ uuid }) => d.present.publicProfile(await d.users.publicProfile(uuid)),
  });

  mine.post('/api/chat/userset', {
    summary: 'Save my settings text, e.g. who may message me (E18)',
    params: { userset: p.str('用户设置', { required: true, min: 2, max: 10000 }) },
    ok: ({ userset }, c) => d.users.saveUserset(c.user.id, userset),
  });

  mine.post('/api/chat/updateUserinfo', {
    summary: 'Change one profile field: nickname, avatar or invite_confirm (E34)',
    params: {
      fieldname: p.str('修改类型', { required: true, min: 1, max: 30 }),
      fieldValue: p.str('修改结果', { required: true, min: 1, max: 10000 }),
    },
    text: ({ fieldname, fieldValue }, c) => d.users.updateField(c.user.id, fieldname, fieldValue),
  });
}
