import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TEXT } from '../../domain/texts.js';
import { limit, page, uuid } from '../common-params.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import {
  ApplyListView,
  ApplyView,
  ContactListView,
  FriendProfileView,
  FriendRowView,
  SearchUserView,
  UserSetInfoView,
} from '../schemas/friend.js';

const friendId = (desc: string) => ({ id: p.id(desc, { path: true }) });

/** E04–E12, E17, E19, E33, E39, E40. */
export function friendRoutes(app: FastifyInstance, d: HttpDeps): void {
  const route = routes(app, d.auth, { tags: ['friends'], auth: 'token' });

  route.post('/api/chat/searchUser', {
    summary: 'Find registered users by username (E04)',
    params: { keyword: p.str('搜索关键词', { required: true, min: 1, max: 50 }) },
    data: Type.Array(SearchUserView),
    handler: ({ keyword }, c) => d.friends.search(c.user, keyword),
  });

  route.post('/api/chat/applyfriend', {
    summary: 'Ask a user to become my friend; they are notified (E05)',
    params: { friend_id: p.id('我申请添加的好友id'), nickname: p.str('我的昵称或者说明', { def: '', min: 1, max: 50 }) },
    ok: ({ friend_id, nickname }, c) => d.applies.apply(c.user, friend_id, nickname),
  });

  route.get('/api/chat/listapplyfriend/:page', {
    summary: 'Applications addressed to me, newest first (E06)',
    params: { page, limit: limit(10, 100) },
    data: ApplyListView,
    handler: async ({ page: n, limit: size }, c) => {
      const { rows, pending } = await d.applies.list(c.user, n, size);
      return { alldata: rows.map((r) => d.present.applyWithApplicant(r)), pendingCount: pending };
    },
  });

  route.post('/api/chat/handleapply/:id', {
    summary: 'Agree to, refuse or ignore an application addressed to me (E07)',
    params: {
      id: p.id('申请表的id', { path: true }),
      nickname: p.str('好友备注', { def: '', min: 1, max: 50 }),
      status: p.enum('处理状态', ['pending', 'refuse', 'agree', 'ignore'] as const, { required: true }),
    },
    ok: ({ id, nickname, status }, c) => d.applies.handle(c.user, id, status, nickname),
  });

  route.get('/api/chat/goodfriendlist/:page', {
    summary: 'My contacts grouped by the initial of their name (E08)',
    params: { page, limit: limit(2000, 5000) },
    data: ContactListView,
    handler: ({ page: n, limit: size }, c) => d.friends.contacts(c.user, n, size),
  });

  route.get('/api/chat/getgoodfriendinfo/:id', {
    summary: "A friend's profile and my entry for them (E09)",
    params: friendId('好友id'),
    data: FriendProfileView,
    handler: async ({ id }, c) => d.present.friendProfile(await d.friends.profile(c.user, id)),
  });

  route.post('/api/chat/setblackgoodfriend/:id', {
    summary: 'Blacklist or un-blacklist a friend (E10)',
    params: friendId('好友id'),
    ok: ({ id }, c) => d.friends.toggleBlack(c.user, id),
  });

  route.post('/api/chat/setstargoodfriend/:id', {
    summary: 'Star or un-star a friend (E11)',
    params: friendId('好友id'),
    ok: ({ id }, c) => d.friends.toggleStar(c.user, id),
  });

  route.post('/api/chat/setmeOrfriendCanSee/:id', {
    summary: 'Feed visibility between me and a friend (E12)',
    params: {
      ...friendId('朋友id'),
      friendlookme: p.int('朋友是否可以看我的动态', { required: true, in: [0, 1] }),
      melookfriend: p.int('我的朋友圈是否出现朋友的信息（我是否看朋友的动态）', { required: true, in: [0, 1] }),
    },
    ok: ({ id, friendlookme, melookfriend }, c) => d.friends.setVisibility(c.user, id, friendlookme, melookfriend),
  });

  route.post('/api/chat/isApplyfriend/:uuid', {
    summary: 'The pending application from this user to me (E17)',
    params: { uuid },
    data: ApplyView,
    handler: async ({ uuid: from }, c) => d.present.apply(await d.applies.pendingFrom(c.user, from)),
  });

  route.post('/api/chat/ismygoodfriend/:id', {
    summary: 'My entry for this user, when they are my friend and not blacklisted (E19)',
    params: friendId('朋友id'),
    data: FriendRowView,
    handler: ({ id }, c) => d.friends.isFriend(c.user, id),
  });

  route.post('/api/chat/deletegoodfriend/:id', {
    summary: 'Remove a friend on both sides, with every application between us (E33)',
    params: friendId('朋友id'),
    text: async ({ id }, c) => {
      await d.friends.remove(c.user, id);
      return TEXT.friendDeleted;
    },
  });

  route.post('/api/chat/getUserSetInfo', {
    summary: 'How a registered user accepts friends, and whether I am theirs (E39)',
    params: { userid: p.id('用户id') },
    data: UserSetInfoView,
    handler: ({ userid }, c) => d.friends.userSetInfo(c.user, userid),
  });

  route.post('/api/chat/autoAddFriendAndAgree', {
    summary: 'Become friends at once with a user who accepts everyone (E40)',
    params: { friend_id: p.id('我申请添加的好友id'), nickname: p.str('说明', { def: '', min: 1, max: 50 }) },
    ok: ({ friend_id, nickname }, c) => d.applies.autoAdd(c.user, friend_id, nickname),
  });
}
