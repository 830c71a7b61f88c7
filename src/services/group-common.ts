import { formatLocalTime, isoTime } from '../domain/time.js';
import { Conversation, type ChatMessage } from '../domain/message.js';
import {
  GROUP_AVATAR_TILES, GROUP_USERS_IN_MESSAGES, composeGroupAvatar, type Group, type Membership,
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
