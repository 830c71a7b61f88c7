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
