import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { addRoute } from '../route.js';
import { MessageView } from '../schemas/message.js';

/** E20 sendmessage, E22 chatGetmessageOffLine. */
export function chatRoutes(app: FastifyInstance, d: HttpDeps): void {
  const tags = ['chat'];

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/socket/sendmessage',
    summary: 'Send a message to a user or a group (E20)',
    description:
      'The message is stored before the answer; the recipients get it over their WebSocket as ' +
      '`{"type":"singleChat","data":<message>,"timestamp":…}`, now or through chatGetmessageOffLine.',
    tags,
    auth: 'token',
    params: {
      sendto_id: p.int('接收人/群的id值', { required: true, min: 1 }),
      chatType: p.str('接收类型', { required: true, in: ['single', 'group'] as const }),
      type: p.str('消息类型', { required: true, max: 50 }),
      data: p.str('消息内容', { required: true, max: 65536 }),
      options: p.str('额外参数json字符串', { def: '', max: 65536 }),
    },
    data: MessageView,
    handler: async (input, c) =>
      d.messages.send(c.user, { ...input, chatType: input.chatType === 'group' ? 'group' : 'single' }),
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/chatGetmessageOffLine',
    summary: 'Push every message waiting for me to my WebSocket, in order, once (E22)',
    description: 'Answers "ok"; the messages themselves arrive over the socket.',
    tags,
    auth: 'token',
    params: {},
    data: Type.Literal('ok'),
    handler: async (_i, c) => {
      await d.messages.fetchOffline(c.user);
      return 'ok' as const;
    },
  });

  addRoute(app, d.auth, {
    method: 'POST',
    url: '/api/chat/revokeMessage',
    summary: 'Revoke a message I sent less than 5 minutes ago (E32)',
    description: 'The message is looked up in storage: it must exist in that conversation and be mine. Receivers get a `systemNotice` with `actionType: "revoke"` and the message id.',
    tags,
    auth: 'token',
    params: {
      to_id: p.int('接收者id或者群id', { required: true, min: 1 }),
      to_name: p.str('接收者或者群名称', { required: true, min: 1, max: 50 }),
      to_avatar: p.str('接收者或者群头像', { required: true, min: 10, max: 1000 }),
      id: p.str('消息uuid', { required: true, max: 36 }),
      chatType: p.str('聊天类型', { required: true, in: ['single', 'group'] as const }),
      // Its range (10^12 to now) is checked against the service's clock; here only what the validator bounds any int by.
      create_time: p.int('消息发送时间', { required: true, min: -(10 ** 16), max: 10 ** 16 }),
    },
    data: MessageView,
    handler: async (input, c) =>
      d.messages.revoke(c.user, { ...input, chatType: input.chatType === 'group' ? 'group' : 'single' }),
  });
}
