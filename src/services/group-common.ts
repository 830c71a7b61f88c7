import { formatLocalTime, isoTime } from '../domain/time.js';
import { Conversation, type ChatMessage } from '../domain/message.js';
import {
  GROUP_AVATAR_TILES, GROUP_USERS_IN_MESSAGES, composeGroupAvatar, type Group, type MemberWithUser, type Membership,
} from '../domain/group.js';
import type { Repos } from '../store/port.js';
import type { Outgoing } from './delivery.js';

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
        : list.map((m) => ({ id: m.id, group_id: m.group_id, user_id: m.user_id, nickname: m.nickname, avatar: m.avatar, status: m.status, order: m.order })),
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
    group_users: before.slice(0, GROUP_USERS_IN_MESSAGES).map((m) => ({ nickname: m.nickname, avatar: m.avatar, user_id: m.user_id, status: m.status, user: profile(m) })),
  };
}

/** A membership row as the original's models render it: local `create_time` and the `groupId` association artefact. */
const memberRow = (m: Membership, tzOffsetMinutes: number) => ({
  create_time: formatLocalTime(m.create_time, tzOffsetMinutes),
  id: m.id,
  group_id: m.group_id,
  user_id: m.user_id,
  nickname: m.nickname,
  avatar: m.avatar,
  status: m.status,
  order: m.order,
  groupId: m.group_id,
});

/** The group inside the E38 "joined" notice: the active members before the approval. */
export function groupForApproval(group: Group, tzOffsetMinutes: number, activeBefore: Membership[]) {
  return { ...groupObject(group, tzOffsetMinutes), group_users: activeBefore.slice(0, GROUP_USERS_IN_MESSAGES).map((m) => memberRow(m, tzOffsetMinutes)) };
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

/**
 * A message for the group's conversation: stored once, pushed to the given members. With a
 * sender it is not pushed back to them; without one every receiver gets it.
 */
export function toGroup(groupId: number, message: ChatMessage, receivers: number[], senderId: number | null): Outgoing {
  return { conversation: Conversation.group(groupId), kind: 'group', members: [], senderId, receivers, message };
}

/** A message for one user's own notice stream. */
export function toUser(userId: number, message: ChatMessage): Outgoing {
  return { conversation: Conversation.notices(userId), kind: 'notice', members: [userId], senderId: null, receivers: [userId], message };
}

/** Recomputes the group avatar from its first active members (spec §8.4); returns it. */
export async function recomputeAvatar(tx: Repos, groupId: number, now: number): Promise<string | undefined> {
  const avatars = await tx.groups.firstAvatars(groupId, GROUP_AVATAR_TILES);
  if (avatars.length === 0) return undefined;
  const avatar = composeGroupAvatar(avatars);
  await tx.groups.update(groupId, { avatar }, now);
  return avatar;
}
