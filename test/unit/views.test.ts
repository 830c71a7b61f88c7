import type { Static, TObject, TProperties } from 'typebox';
import { describe, expectTypeOf, it } from 'vitest';
import type { ApplyRow, FriendRow, UserSearchRow } from '../../src/domain/friend.js';
import type { Group, Membership } from '../../src/domain/group.js';
import type { User, UserInfo } from '../../src/domain/user.js';
import type { userSummary } from '../../src/http/schemas/common.js';
import type { ApplyView, ContactView, FriendRowView, SearchUserView, UserSetInfoView } from '../../src/http/schemas/friend.js';
import type { GroupInfoView, groupColumns } from '../../src/http/schemas/group.js';
import type { LoginView, UserInfoView } from '../../src/http/schemas/user.js';
import type { Contact, UserSetInfo } from '../../src/services/friends.js';

/**
 * The response schemas are the output whitelist; these checks fail `npm run typecheck` when a
 * view and the row or service type it shows drift apart (a column added on one side only).
 */
type Keys<T> = keyof T & string;
type Fields<P extends TProperties> = Keys<Static<TObject<P>>>;
type Member = Static<typeof GroupInfoView>['group_users'][number];

describe('views and the rows they show', () => {
  it('a logged-in user: every column but the password, plus the token', () => {
    expectTypeOf<Keys<Static<typeof LoginView>>>().toEqualTypeOf<Exclude<Keys<User>, 'password'> | 'token'>();
  });

  it('a user summary: columns of the user', () => {
    expectTypeOf<Fields<typeof userSummary>>().toExtend<Keys<User>>();
    expectTypeOf<Keys<Member['user']>>().toExtend<Keys<User>>();
  });

  it('a profile: the info row without its owner id', () => {
    expectTypeOf<Keys<Static<typeof UserInfoView>>>().toEqualTypeOf<Exclude<Keys<UserInfo>, 'user_id'>>();
  });

  it('contacts, search results and settings: exactly the service types', () => {
    expectTypeOf<Static<typeof ContactView>>().toEqualTypeOf<Contact>();
    expectTypeOf<Static<typeof SearchUserView>>().toEqualTypeOf<UserSearchRow>();
    expectTypeOf<Static<typeof UserSetInfoView>>().toEqualTypeOf<UserSetInfo>();
  });

  it('a contact entry and an application: their rows without order and times', () => {
    expectTypeOf<Static<typeof FriendRowView>>().toEqualTypeOf<FriendRow>();
    expectTypeOf<Keys<Static<typeof ApplyView>>>().toEqualTypeOf<
      Exclude<Keys<ApplyRow>, 'order' | 'create_time' | 'update_time'> | 'userId'
    >();
  });

  it('a group: its columns but the update time; a member: the membership row, plus groupId and the user', () => {
    expectTypeOf<Fields<typeof groupColumns>>().toEqualTypeOf<Exclude<Keys<Group>, 'update_time'>>();
    expectTypeOf<Keys<Member>>().toEqualTypeOf<Keys<Membership> | 'groupId' | 'user'>();
  });
});
