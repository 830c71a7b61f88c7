import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { TEXT } from '../../domain/texts.js';
import type { HttpDeps } from '../deps.js';
import { p, type ParamSpec } from '../params.js';
import { addRoute, type RouteDef } from '../route.js';
import {
  ApplyListView, ApplyView, ContactListView, FriendProfileView, FriendRowView, SearchUserView, UserSetInfoView,
} from '../schemas/friend.js';

const page = p.int('页码', { required: true, min: 1, path: true });
const friendId = (desc: string) => ({ id: p.int(desc, { required: true, min: 1, path: true }) });

/** E04–E12, E17, E19, E33, E39, E40. */
export function friendRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['friends'];
  const add = <S extends ParamSpec, D extends TSchema>(def: RouteDef<S, D>) => addRoute(app, d.auth, def);

  add({
    method: 'POST', url: '/api/chat/searchUser', tags, auth: 'token',
    summary: 'Find registered users by username (E04)',
    params: { keyword: p.str('搜索关键词', { required: true, min: 1, max: 50 }) },
    data: Type.Array(SearchUserView),
    handler: async ({ keyword }, c) => d.friends.search(c.user, keyword),
  });

  add({
    method: 'POST', url: '/api/chat/applyfriend', tags, auth: 'token',
    summary: 'Ask a user to become my friend; they are notified (E05)',
    params: {
      friend_id: p.int('我申请添加的好友id', { required: true, min: 1 }),
      nickname: p.str('我的昵称或者说明', { def: '', min: 1, max: 50 }),
    },
    data: Type.Literal('ok'),
    handler: async ({ friend_id, nickname }, c) => {
      await d.applies.apply(c.user, friend_id, nickname);
      return 'ok' as const;
    },
  });

  add({
    method: 'GET', url: '/api/chat/listapplyfriend/:page', tags, auth: 'token',
    summary: 'Applications addressed to me, newest first (E06)',
    params: { page, limit: p.int('每页多少条', { def: 10, min: 1, max: 100, clamp: true }) },
    data: ApplyListView,
    handler: async ({ page: n, limit }, c) => {
      const { rows, pending } = await d.applies.list(c.user, n, limit);
      return { alldata: rows.map((r) => d.present.applyWithApplicant(r)), pendingCount: pending };
    },
  });

  add({
    method: 'POST', url: '/api/chat/handleapply/:id', tags, auth: 'token',
    summary: 'Agree to, refuse or ignore an application addressed to me (E07)',
    params: {
      id: p.int('申请表的id', { required: true, min: 1, path: true }),
      nickname: p.str('好友备注', { def: '', min: 1, max: 50 }),
      status: p.str('处理状态', { required: true, in: ['pending', 'refuse', 'agree', 'ignore'] as const }),
    },
    data: Type.Literal('ok'),
    handler: async ({ id, nickname, status }, c) => {
      await d.applies.handle(c.user, id, status as 'pending' | 'refuse' | 'agree' | 'ignore', nickname);
      return 'ok' as const;
    },
  });

  add({
    method: 'GET', url: '/api/chat/goodfriendlist/:page', tags, auth: 'token',
    summary: 'My contacts grouped by the initial of their name (E08)',
    params: { page, limit: p.int('每页多少条', { def: 2000, min: 1, max: 5000, clamp: true }) },
    data: ContactListView,
    handler: async ({ page: n, limit }, c) => d.friends.contacts(c.user, n, limit),
  });

  add({
    method: 'GET', url: '/api/chat/getgoodfriendinfo/:id', tags, auth: 'token',
    summary: "A friend's profile and my entry for them (E09)",
    params: friendId('好友id'),
    data: FriendProfileView,
    handler: async ({ id }, c) => d.present.friendProfile(await d.friends.profile(c.user, id)),
  });

  add({
    method: 'POST', url: '/api/chat/setblackgoodfriend/:id', tags, auth: 'token',
    summary: 'Blacklist or un-blacklist a friend (E10)',
    params: friendId('好友id'),
    data: Type.Literal('ok'),
    handler: async ({ id }, c) => {
      await d.friends.toggleBlack(c.user, id);
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/setstargoodfriend/:id', tags, auth: 'token',
    summary: 'Star or un-star a friend (E11)',
    params: friendId('好友id'),
    data: Type.Literal('ok'),
    handler: async ({ id }, c) => {
      await d.friends.toggleStar(c.user, id);
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/setmeOrfriendCanSee/:id', tags, auth: 'token',
    summary: 'Feed visibility between me and a friend (E12)',
    params: {
      ...friendId('朋友id'),
      friendlookme: p.int('朋友是否可以看我的动态', { required: true, in: [0, 1] }),
      melookfriend: p.int('我的朋友圈是否出现朋友的信息（我是否看朋友的动态）', { required: true, in: [0, 1] }),
    },
    data: Type.Literal('ok'),
    handler: async ({ id, friendlookme, melookfriend }, c) => {
      await d.friends.setVisibility(c.user, id, friendlookme, melookfriend);
      return 'ok' as const;
    },
  });

  add({
    method: 'POST', url: '/api/chat/isApplyfriend/:uuid', tags, auth: 'token',
    summary: 'The pending application from this user to me (E17)',
    params: { uuid: p.str('uuid值', { required: true, min: 36, max: 36, path: true }) },
    data: ApplyView,
    handler: async ({ uuid }, c) => d.present.apply(await d.applies.pendingFrom(c.user, uuid)),
  });

  add({
    method: 'POST', url: '/api/chat/ismygoodfriend/:id', tags, auth: 'token',
    summary: 'My entry for this user, when they are my friend and not blacklisted (E19)',
    params: friendId('朋友id'),
    data: FriendRowView,
    handler: async ({ id }, c) => d.present.friendRow(await d.friends.isFriend(c.user, id)),
  });

  add({
    method: 'POST', url: '/api/chat/deletegoodfriend/:id', tags, auth: 'token',
    summary: 'Remove a friend on both sides, with every application between us (E33)',
    params: friendId('朋友id'),
    data: Type.String(),
    handler: async ({ id }, c) => {
      await d.friends.remove(c.user, id);
      return TEXT.friendDeleted;
    },
  });

  add({
    method: 'POST', url: '/api/chat/getUserSetInfo', tags, auth: 'token',
    summary: 'How a registered user accepts friends, and whether I am theirs (E39)',
    params: { userid: p.int('用户id', { required: true, min: 1 }) },
    data: UserSetInfoView,
    handler: async ({ userid }, c) => d.friends.userSetInfo(c.user, userid),
  });

  add({
    method: 'POST', url: '/api/chat/autoAddFriendAndAgree', tags, auth: 'token',
    summary: 'Become friends at once with a user who accepts everyone (E40)',
    params: {
      friend_id: p.int('我申请添加的好友id', { required: true, min: 1 }),
      nickname: p.str('说明', { def: '', min: 1, max: 50 }),
    },
    data: Type.Literal('ok'),
    handler: async ({ friend_id, nickname }, c) => {
      await d.applies.autoAdd(c.user, friend_id, nickname);
      return 'ok' as const;
    },
  });
}
