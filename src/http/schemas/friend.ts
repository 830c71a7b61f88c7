import { Type } from 'typebox';
import { Nullable, userSummary } from './common.js';
import { UserInfoView } from './user.js';

export const SearchUserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  avatar: Nullable(Type.String()),
  role: Type.String(),
  uuid: Type.String(),
  nickname: Type.String(),
});

/** The columns a contact entry and a friend application share, in the seed's order. */
export const friendColumns = {
  id: Type.Integer(),
  user_id: Type.Integer(),
  friend_id: Type.Integer(),
  nickname: Type.String(),
  friendlookme: Type.Integer(),
  melookfriend: Type.Integer(),
  ismystarfriend: Type.Integer(),
  isblack: Type.Integer(),
};

/** A contact entry without order and times (E19). */
export const FriendRowView = Type.Object({ ...friendColumns, status: Type.Integer() });

/** An application without order and times, plus the `userId` artefact (E17). */
export const ApplyView = Type.Object({ ...friendColumns, status: Type.String(), userId: Type.Integer() });

export const ApplyListView = Type.Object({
  alldata: Type.Array(
    Type.Object({
      ...friendColumns,
      status: Type.String(),
      order: Nullable(Type.Integer()),
      create_time: Type.String(),
      update_time: Type.String(),
      userId: Type.Integer(),
      user: Type.Object(userSummary),
    }),
  ),
  pendingCount: Type.Integer(),
});

export const ContactView = Type.Object({
  id: Type.Integer({ description: 'the contact entry id (what group/create expects in userIds)' }),
  beizhu: Type.String({ description: 'my remark for the friend' }),
  username: Type.String(),
  avatar: Nullable(Type.String()),
  friend_nickname: Type.String(),
  friend_id: Type.Integer(),
  name: Type.String({ description: 'remark, else nickname, else username' }),
  uuid: Type.String(),
});

export const ContactListView = Type.Object({
  count: Type.Integer({ description: 'entries on this page' }),
  rows: Type.Union([
    Type.Object({
      newList: Type.Array(Type.Object({ title: Type.String(), list: Type.Array(ContactView) })),
      indexList: Type.Array(Type.String()),
      total: Type.Integer(),
    }),
    Type.Array(Type.Never(), { description: 'an empty array when there are no contacts' }),
  ]),
});

export const FriendProfileView = Type.Object({
  id: Type.Integer(),
  user_id: Type.Integer(),
  friend_id: Type.Integer(),
  nickname: Type.String(),
  friendinfo: Type.Object({
    id: Type.Integer(),
    username: Type.String(),
    avatar: Nullable(Type.String()),
    nickname: Type.String(),
    role: Type.String(),
    status: Type.Integer(),
    userinfo: Nullable(UserInfoView),
  }),
});

export const UserSetInfoView = Type.Object({
  id: Type.Integer(),
  userset: Type.String(),
  invite_confirm: Type.Integer(),
  uuid: Type.String(),
  isgoodfriend: Type.Boolean(),
  isgoodfriend_status: Type.Boolean(),
});
