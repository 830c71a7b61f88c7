import { Conversation } from './message.js';
import { p, type Input } from './params.js';

/** A chat type parameter (`single` or `group`), worded with the route's description. */
export const chatTypeParam = (desc: string) => p.enum(desc, ['single', 'group'] as const, { required: true });

/**
 * The parameters of a sent message (E20), with the seed's rules and messages: declared once,
 * checked by `POST /api/chat/socket/sendmessage` and by the WebSocket `send` frame alike.
 */
export const sendParams = {
  sendto_id: p.id('接收人/群的id值'),
  chatType: chatTypeParam('接收类型'),
  type: p.str('消息类型', { required: true, max: 50 }),
  data: p.str('消息内容', { required: true, max: 65536 }),
  options: p.str('额外参数json字符串', { def: '', max: 65536 }),
};

export type SendInput = Input<typeof sendParams>;

/** The conversation a sent message goes to. */
export function sendConversation(senderId: number, input: Pick<SendInput, 'chatType' | 'sendto_id'>): string {
  return input.chatType === 'group' ? Conversation.group(input.sendto_id) : Conversation.pair(senderId, input.sendto_id);
}

/** Longest client id of a WebSocket `send` frame (docs/protocol.md). */
export const CID_MAX = 64;

/** The client id of a WebSocket `send` frame: 1–64 characters. */
export const cidParams = { cid: p.str('客户端消息id', { required: true, min: 1, max: CID_MAX }) };
