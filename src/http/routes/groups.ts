import type { FastifyInstance } from 'fastify';
import { TEXT } from '../../domain/texts.js';
import { groupId, limit, page } from '../common-params.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import { GroupInfoView, GroupListView } from '../schemas/group.js';

const HTTP_URL = /^https?:\/\/[^\s]+$/i;

/** E21, E23–E29, E35–E38. */
export function groupRoutes(app: FastifyInstance, d: HttpDeps): void {
  const route = routes(app, d.auth, { tags: ['groups'], auth: 'token' });

  route.post('/api/chat/group/create', {
    summary: 'Create a group with some of my contacts (E21)',
    description: '`userIds` are contact entry ids (the `id` of goodfriendlist rows), as a JSON array or comma-separated text.',
    // No desc in the original's rule: its messages name the key itself (userIds不能为空).
    params: { userIds: p.list('userIds', { required: true }) },
    ok: ({ userIds }, c) => d.groups.create(c.user, userIds),
  });

  route.get('/api/chat/grouplist/:page', {
    summary: 'Groups I am an active member of, newest first (E23)',
    params: { page, limit: limit(30, 100) },
    data: GroupListView,
    handler: ({ page: n, limit: size }, c) => d.groups.list(c.user, n, size),
  });

  route.get('/api/chat/groupinfo/:id', {
    summary: 'A group with its active members (E24)',
    params: { id: p.id('群id', { path: true }) },
    data: GroupInfoView,
    handler: async ({ id }) => d.present.groupInfo(await d.groups.info(id)),
  });

  route.post('/api/chat/groupUpdateName', {
    summary: 'Rename my group; members are told (E25)',
    params: { id: groupId, name: p.str('群名称', { required: true, min: 1, max: 20 }) },
    ok: ({ id, name }, c) => d.groups.update(c.user, id, { name }),
  });

  route.post('/api/chat/groupremark', {
    summary: "Set my group's announcement; members are told (E26)",
    params: { id: groupId, remark: p.str('群公告', { required: true, min: 1, max: 500 }) },
    ok: ({ id, remark }, c) => d.groups.update(c.user, id, { remark }),
  });

  route.post('/api/chat/groupnickname', {
    summary: 'My name inside a group (E27)',
    params: { id: groupId, nickname: p.str('群昵称', { required: true, min: 1, max: 20 }) },
    ok: ({ id, nickname }, c) => d.groups.setNickname(c.user, id, nickname),
  });

  route.post('/api/chat/groupDeleteOrQuit', {
    summary: 'Dissolve my group, or leave a group (E28)',
    params: { id: groupId },
    ok: ({ id }, c) => d.groups.leaveOrDissolve(c.user, id),
  });

  route.post('/api/chat/groupDeleteUser', {
    summary: 'Remove a member from my group (E35)',
    params: { group_id: groupId, user_id: p.id('群成员id') },
    text: async ({ group_id, user_id }, c) => {
      await d.groups.removeMember(c.user, group_id, user_id);
      return TEXT.memberRemoved;
    },
  });

  route.post('/api/chat/groupInviteUser', {
    summary: 'Join a group myself, or invite a user as a member (E36)',
    description:
      'The caller is the inviter (or the joiner when `user_id` is the caller); `inviteuser_id` is accepted for compatibility and ignored. ' +
      'Answers 加群成功, or 等待群主同意 when the owner must approve.',
    params: {
      group_id: groupId,
      user_id: p.id('用户id'),
      inviteuser_id: p.int('邀请人的用户id', { def: 0 }),
      addGroupDesc: p.str('加群说明或者邀请说明', { def: '', max: 500 }),
    },
    text: ({ group_id, user_id, addGroupDesc }, c) => d.groupJoins.join(c.user, { groupId: group_id, userId: user_id, desc: addGroupDesc }),
  });

  route.post('/api/chat/groupAddUserSet', {
    summary: "Set my group's join policy, 0–10 (E37)",
    params: { group_id: groupId, addGroupSet: p.int('进群设置属性值', { required: true, min: 0, max: 10 }) },
    text: async ({ group_id, addGroupSet }, c) => {
      await d.groups.setPolicy(c.user, group_id, addGroupSet);
      return TEXT.settingSaved;
    },
  });

  route.post('/api/chat/groupAgreeOrNo', {
    summary: 'Admit or turn away a user waiting to join my group (E38)',
    params: {
      group_id: groupId,
      user_id: p.id('进群的用户id'),
      type: p.enum('同意或者拒绝', ['agree', 'no'] as const, { required: true }),
    },
    text: async ({ group_id, user_id, type }, c) => {
      await d.groupJoins.decide(c.user, group_id, user_id, type === 'agree');
      return TEXT.handled;
    },
  });

  route.get('/api/chat/groupQrcode/:id', {
    summary: 'QR code (PNG) to join a group I am in, or to add a user as a friend (E29)',
    description: 'The token may be given as a query parameter, so the URL works as an image source.',
    params: {
      id: p.id('群id或者个人id', { path: true }),
      type: p.str('平台类型', { def: '' }),
      http: p.str('网址域名', { max: 2000, pattern: { re: HTTP_URL, message: '网址域名 必须是 http 或 https 网址' } }),
      chatType: p.enum('聊天类型', ['group', 'single'] as const, { def: 'group' }),
    },
    // The browser may keep the image 5 minutes; `private`: it is drawn for the caller.
    file: { type: 'image/png', description: 'The QR code, a PNG image', headers: { 'cache-control': 'private, max-age=300' } },
    send: ({ id, type, http, chatType }, c) => d.qrcodes.png(c.user, { id, chatType, h5: type === 'H5', http: http ?? '' }),
  });
}
