import { Type } from 'typebox';

/** The message object of spec §6 (chat messages and notices). */
export const MessageView = Type.Object(
  {
    id: Type.String({ description: 'message UUID' }),
    from_avatar: Type.String(),
    from_name: Type.String(),
    from_id: Type.Union([Type.Integer(), Type.String()]),
    to_id: Type.Integer(),
    to_name: Type.String(),
    to_avatar: Type.String(),
    chatType: Type.Union([Type.Literal('single'), Type.Literal('group')]),
    type: Type.String(),
    data: Type.Unknown({ description: 'the text the client posted, or {data, dataType, otherData} for notices' }),
    options: Type.Unknown({ description: 'the decoded options object, or null' }),
    create_time: Type.Integer({ description: 'ms since the epoch' }),
    isremove: Type.Integer(),
    group: Type.Optional(Type.Unknown()),
    sendUUid: Type.Optional(Type.String()),
    actionType: Type.Optional(Type.String()),
    redirect: Type.Optional(Type.Unknown()),
    msgidKey: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  },
  { additionalProperties: false },
);
