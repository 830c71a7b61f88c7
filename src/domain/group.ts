import { formatLocalTime, isoTime } from './time.js';

/** Groups and memberships as stored (spec §3.5, §3.6). */
export interface Group {
  id: number;
  uuid: string;
  user_id: number;
  name: string;
  avatar: string | null;
  remark: string | null;
  invite_confirm: number;
  status: number;
  order: number | null;
  create_time: number;
  update_time: number;
}

export interface Membership {
  id: number;
  group_id: number;
  user_id: number;
  nickname: string | null;
  avatar: string | null;
  status: number;
  order: number | null;
  create_time: number;
}

/** A membership with the member's profile (E24). */
export interface MemberWithUser extends Membership {
  user: { id: number; username: string; avatar: string | null; nickname: string; uuid: string; role: string };
}

export const MemberStatus = { muted: 0, active: 1, pending: 2 } as const;

/** `group.status`: only an active group can be used; anything else reads as "blocked". */
export const GroupStatus = { active: 1 } as const;

/** Join policy (`group.invite_confirm`, spec §8.3). */
export const JoinPolicy = { open: 0, approval: 1, loginRequired: 2 } as const;

/** Group names are at most 50 characters; avatars combine at most 9 member avatars. */
export const GROUP_NAME_MAX = 50;
export const GROUP_AVATAR_TILES = 9;

/**
 * Messages pushed to a group carry the group and its members; for large groups the member list
 * is cut to this many entries so that a message does not grow with the group (groupinfo has them all).
 */
export const GROUP_USERS_IN_MESSAGES = 50;

/** Name of a new group: the participants' names joined with `、`, cut to 50 characters (spec §8.4). */
export function composeGroupName(names: string[]): string {
  return [...names.join('、')].slice(0, GROUP_NAME_MAX).join('');
}

/** Avatar of a group: the first 9 member avatars joined with `,` (spec §8.4). */
export function composeGroupAvatar(avatars: string[]): string {
  return avatars.slice(0, GROUP_AVATAR_TILES).join(',');
}

/** A member's name inside a group: group nickname, else profile nickname, else username. */
export const memberName = (m: Pick<Membership, 'nickname'> | undefined, u: { nickname: string; username: string }): string =>
  m?.nickname || u.nickname || u.username;

export const memberAvatar = (m: Pick<Membership, 'avatar'> | undefined, u: { avatar: string | null }): string =>
  m?.avatar || u.avatar || '';

/** A membership's columns but its time, in the order the original renders them. */
const memberColumns = (m: Membership) => ({
  id: m.id,
  group_id: m.group_id,
  user_id: m.user_id,
  nickname: m.nickname,
  avatar: m.avatar,
  status: m.status,
  order: m.order,
});

/** The group as it travels inside pushed messages: the row with local `create_time`, members where given. */
export function groupObject(group: Group, tzOffsetMinutes: number, members?: Membership[], fields: 'full' | 'short' = 'full') {
  const base = {
    ...group,
    create_time: formatLocalTime(group.create_time, tzOffsetMinutes),
    update_time: isoTime(group.update_time),
  };
  if (!members) return base;
  const list = members.slice(0, GROUP_USERS_IN_MESSAGES);
  return {
    ...base,
    group_users:
      fields === 'short'
        ? list.map((m) => ({ group_id: m.group_id, user_id: m.user_id, nickname: m.nickname, avatar: m.avatar }))
        : list.map(memberColumns),
  };
}

/**
 * The group inside the pushes of joins (E36 "joined" notice and approval request): the owner's
 * `user`, and every membership before the join, each with its member's `user` (as the original
 * loads it for E36).
 */
export function groupForJoin(group: Group, tzOffsetMinutes: number, before: MemberWithUser[]) {
  const profile = (m: MemberWithUser) => ({ username: m.user.username, nickname: m.user.nickname, avatar: m.user.avatar });
  const owner = before.find((m) => m.user_id === group.user_id);
  return {
    ...groupObject(group, tzOffsetMinutes),
    ...(owner ? { user: profile(owner) } : {}),
    group_users: before
      .slice(0, GROUP_USERS_IN_MESSAGES)
      .map((m) => ({ nickname: m.nickname, avatar: m.avatar, user_id: m.user_id, status: m.status, user: profile(m) })),
  };
}

/** A membership row as the original's models render it: local `create_time` and the `groupId` association artefact. */
const memberRow = (m: Membership, tzOffsetMinutes: number) => ({
  create_time: formatLocalTime(m.create_time, tzOffsetMinutes),
  ...memberColumns(m),
  groupId: m.group_id,
});

/** The group inside the E38 "joined" notice: the active members before the approval. */
export function groupForApproval(group: Group, tzOffsetMinutes: number, activeBefore: Membership[]) {
  return {
    ...groupObject(group, tzOffsetMinutes),
    group_users: activeBefore.slice(0, GROUP_USERS_IN_MESSAGES).map((m) => memberRow(m, tzOffsetMinutes)),
  };
}

/** The group inside the E28 quit and dissolve notices: every membership before the change, with its member. */
export function groupForLeave(group: Group, tzOffsetMinutes: number, before: MemberWithUser[]) {
  return {
    ...groupObject(group, tzOffsetMinutes),
    group_users: before.slice(0, GROUP_USERS_IN_MESSAGES).map((m) => ({
      ...memberRow(m, tzOffsetMinutes),
      user: { id: m.user_id, username: m.user.username, avatar: m.user.avatar, nickname: m.user.nickname },
    })),
  };
}
