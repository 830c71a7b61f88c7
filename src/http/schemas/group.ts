import { Type } from 'typebox';
import { Nullable, userSummary } from './common.js';

export const groupColumns = {
  id: Type.Integer(),
  uuid: Type.String(),
  user_id: Type.Integer({ description: 'owner' }),
  name: Type.String(),
  avatar: Nullable(Type.String({ description: 'up to 9 member avatars joined with ","' })),
  remark: Nullable(Type.String({ description: 'announcement' })),
  invite_confirm: Type.Integer({ description: 'join policy 0–10' }),
  status: Type.Integer(),
  order: Nullable(Type.Integer()),
  create_time: Type.String({ description: 'local time, YYYY-MM-DD HH:mm:ss' }),
};

export const GroupListView = Type.Array(
  Type.Object({
    ...groupColumns,
    group_users: Type.Array(
      Type.Object({
        group_id: Type.Integer(),
        user_id: Type.Integer(),
        nickname: Nullable(Type.String()),
        avatar: Nullable(Type.String()),
      }),
      { description: 'my own membership only' },
    ),
  }),
);

export const GroupInfoView = Type.Object({
  ...groupColumns,
  group_users: Type.Array(
    Type.Object({
      id: Type.Integer(),
      group_id: Type.Integer(),
      user_id: Type.Integer(),
      nickname: Nullable(Type.String()),
      avatar: Nullable(Type.String()),
      status: Type.Integer(),
      order: Nullable(Type.Integer()),
      create_time: Type.String(),
      groupId: Type.Integer(),
      user: Type.Object({ ...userSummary, role: Type.String() }),
    }),
  ),
});
