import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { TEXT } from '../../domain/texts.js';
import { authenticate } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { p, readInput, docSchemas, type ParamSpec } from '../params.js';
import { addRoute, type RouteDef } from '../route.js';
import { failResponses } from '../schemas/common.js';
import { GroupInfoView, GroupListView } from '../schemas/group.js';

const groupId = { id: p.int('群id', { required: true, min: 1 }) };
const ok = Type.Literal('ok');
const HTTP_URL = /^https?:\/\/[^\s]+$/i;

/** E21, E23–E29, E35–E38. */
export function groupRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['groups'];
  const add = <S extends ParamSpec, D extends TSchema>(def: RouteDef<S, D>) => addRoute(app, d.auth, def);

  add({
    method: 'POST', url: '/api/chat/group/create', tags, auth: 'token',
    summary: 'Create a group with some of my contacts (E21)',
    description: '`userIds` are contact entry ids (the `id` of goodfriendlist rows), as a JSON array or comma-separated text.',
    // No desc in the original's rule: its messages name the key itself (userIds不能为空).
    params: { userIds: p.list('userIds', { required: true }) },
    data: ok,
    handler: async ({ userIds }, c) => {
      await d.groups.create(c.user, userIds);
      return 'ok' as const;
    },
  });

  add({
    method: 'GET', url: '/api/chat/grouplist/:page', tags, auth: 'token',
    summary: 'Groups I am an active member of, newest first (E23)',
    params: { page: p.int('页码', { required: true, min: 1, path: true }), limit: p.int('每页多少条', { def: 30, min: 1, max: 100, clamp: true }) },
    data: GroupListView,
    handler: async ({ page, limit }, c) => d.groups.list(c.user, page, limit),
  });

  add({
    method: 'GET', url: '/api/chat/groupinfo/:id', tags, auth: 'token',
    summary: 'A group with its active members (E24)',
    params: { id: p.int('群id', { required: true, min: 1, path: true }) },
    data: GroupInfoView,
    handler: async ({ id }) => d.present.groupInfo(await d.groups.info(id)),
  });

  add({
    method: 'POST', url: '/api/chat/groupUpdateName', tags, auth: 'token',
    summary: 'Rename my group; members are told (E25)',
    params: { ...groupId, name: p.str('群名称', { required: true, min: 1, max: 20 }) },
    data: ok,
    handler: async ({ id, name }, c) => {
      await d.groups.update(c.user, id, { name });
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/groupremark', tags, auth: 'token',
    summary: "Set my group's announcement; members are told (E26)",
    params: { ...groupId, remark: p.str('群公告', { required: true, min: 1, max: 500 }) },
    data: ok,
    handler: async ({ id, remark }, c) => {
      await d.groups.update(c.user, id, { remark });
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/groupnickname', tags, auth: 'token',
    summary: 'My name inside a group (E27)',
    params: { ...groupId, nickname: p.str('群昵称', { required: true, min: 1, max: 20 }) },
    data: ok,
    handler: async ({ id, nickname }, c) => {
      await d.groups.setNickname(c.user, id, nickname);
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/groupDeleteOrQuit', tags, auth: 'token',
    summary: 'Dissolve my group, or leave a group (E28)',
    params: groupId,
    data: ok,
    handler: async ({ id }, c) => {
      await d.groups.leaveOrDissolve(c.user, id);
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/groupDeleteUser', tags, auth: 'token',
    summary: 'Remove a member from my group (E35)',
    params: { group_id: p.int('群id', { required: true, min: 1 }), user_id: p.int('群成员id', { required: true, min: 1 }) },
    data: Type.String(),
    handler: async ({ group_id, user_id }, c) => {
      await d.groups.removeMember(c.user, group_id, user_id);
      return TEXT.memberRemoved;
    },
  });

  add({
    method: 'POST', url: '/api/chat/groupInviteUser', tags, auth: 'token',
    summary: 'Join a group myself, or invite a user as a member (E36)',
    description: 'The caller is the inviter (or the joiner when `user_id` is the caller); `inviteuser_id` is accepted for compatibility and ignored.',
    params: {
      group_id: p.int('群id', { required: true, min: 1 }),
      user_id: p.int('用户id', { required: true, min: 1 }),
      inviteuser_id: p.int('邀请人的用户id', { def: 0 }),
      addGroupDesc: p.str('加群说明或者邀请说明', { def: '', max: 500 }),
    },
    data: Type.String({ description: '加群成功 or 等待群主同意' }),
    handler: async ({ group_id, user_id, addGroupDesc }, c) => d.groupJoins.join(c.user, { groupId: group_id, userId: user_id, desc: addGroupDesc }),
  });

  add({
    method: 'POST', url: '/api/chat/groupAddUserSet', tags, auth: 'token',
    summary: "Set my group's join policy, 0–10 (E37)",
    params: { group_id: p.int('群id', { required: true, min: 1 }), addGroupSet: p.int('进群设置属性值', { required: true, min: 0, max: 10 }) },
    data: Type.String(),
    handler: async ({ group_id, addGroupSet }, c) => {
      await d.groups.setPolicy(c.user, group_id, addGroupSet);
      return TEXT.settingSaved;
    },
  });

  add({
    method: 'POST', url: '/api/chat/groupAgreeOrNo', tags, auth: 'token',
    summary: 'Admit or turn away a user waiting to join my group (E38)',
    params: {
      group_id: p.int('群id', { required: true, min: 1 }),
      user_id: p.int('进群的用户id', { required: true, min: 1 }),
      type: p.str('同意或者拒绝', { required: true, in: ['agree', 'no'] as const }),
    },
    data: Type.String(),
    handler: async ({ group_id, user_id, type }, c) => {
      await d.groupJoins.decide(c.user, group_id, user_id, type === 'agree');
      return TEXT.handled;
    },
  });

  const qrParams = {
    id: p.int('群id或者个人id', { required: true, min: 1, path: true }),
    type: p.str('平台类型', { def: '' }),
    http: p.str('网址域名', { max: 2000, pattern: { re: HTTP_URL, message: '网址域名 必须是 http 或 https 网址' } }),
    chatType: p.str('聊天类型', { def: 'group', in: ['group', 'single'] as const }),
  };
  app.get(
    '/api/chat/groupQrcode/:id',
    {
      schema: {
        summary: 'QR code (PNG) to join a group I am in, or to add a user as a friend (E29)',
        description: 'The token may be given as a query parameter, so the URL works as an image source.',
        tags,
        security: [{ token: [] }, { bearer: [] }],
        ...docSchemas(qrParams, 'GET'),
        response: { 200: { description: 'image/png', type: 'string', format: 'binary' }, ...failResponses },
      },
    },
    async (req, reply) => {
      const caller = await authenticate(d.auth, req);
      const q = readInput(qrParams, { params: req.params, body: req.body, query: req.query });
      const png = await d.groups.qrcode(caller.user, { id: q.id, chatType: q.chatType === 'single' ? 'single' : 'group', h5: q.type === 'H5', http: q.http ?? '' });
      return reply.type('image/png').header('cache-control', 'private, max-age=300').send(png);
    },
  );
}
