import type { FastifyInstance } from 'fastify';
import { sendParams } from '../../domain/send.js';
import { chatType } from '../common-params.js';
import type { HttpDeps } from '../deps.js';
import { p } from '../params.js';
import { routes } from '../route.js';
import { MessageView } from '../schemas/message.js';

/** E20 sendmessage, E22 chatGetmessageOffLine, E32 revokeMessage. */
export function chatRoutes(app: FastifyInstance, d: HttpDeps): void {
  const route = routes(app, d.auth, { tags: ['chat'], auth: 'token' });

  route.post('/api/chat/socket/sendmessage', {
    summary: 'Send a message to a user or a group (E20)',
    description:
      'The message is stored before the answer; the recipients get it over their WebSocket as ' +
      '`{"type":"singleChat","data":<message>,"timestamp":…}`, now or through chatGetmessageOffLine. ' +
      'A client may send the same message as a `send` frame over its socket instead (docs/protocol.md).',
    params: sendParams,
    data: MessageView,
    handler: (input, c) => d.messages.send(c.user, input),
  });

  route.post('/api/chat/chatGetmessageOffLine', {
    summary: 'Push every message waiting for me to my WebSocket, in order, once (E22)',
    description: 'Answers "ok"; the messages themselves arrive over the socket.',
    params: {},
    ok: (_i, c) => d.messages.fetchOffline(c.user),
  });

  route.post('/api/chat/revokeMessage', {
    summary: 'Revoke a message I sent less than 5 minutes ago (E32)',
    description:
      'The message is looked up in storage: it must exist in that conversation and be mine. Receivers get a `systemNotice` with `actionType: "revoke"` and the message id.',
    params: {
      to_id: p.id('接收者id或者群id'),
      to_name: p.str('接收者或者群名称', { required: true, min: 1, max: 50 }),
      to_avatar: p.str('接收者或者群头像', { required: true, min: 10, max: 1000 }),
      id: p.str('消息uuid', { required: true, max: 36 }),
      chatType: chatType('聊天类型'),
      // Its range (10^12 to now) is checked against the service's clock; here only what the validator bounds any int by.
      create_time: p.int('消息发送时间', { required: true, min: -(10 ** 16), max: 10 ** 16 }),
    },
    data: MessageView,
    handler: (input, c) => d.messages.revoke(c.user, input),
  });
}
