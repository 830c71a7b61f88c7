/** Contact entries (`goodfriend`) and friend applications (`goodfriendapply`), as stored. */

/** `goodfriend.status`: 1 normal; anything else means the system blocked the pair. */
export const FriendStatus = { active: 1 } as const;

export interface FriendRow {
  id: number;
  user_id: number;
  friend_id: number;
  nickname: string;
  friendlookme: number;
  melookfriend: number;
  ismystarfriend: number;
  isblack: number;
  status: number;
}

export interface ContactRow {
  id: number;
  nickname: string;
  friend_id: number;
  username: string;
  avatar: string | null;
  friend_nickname: string;
  uuid: string;
}

export interface ApplyRow extends Omit<FriendRow, 'status'> {
  status: string;
  order: number | null;
  create_time: number;
  update_time: number;
}

export interface ApplyWithApplicant extends ApplyRow {
  user: { id: number; username: string; avatar: string | null; nickname: string; uuid: string };
}

export interface UserSearchRow {
  id: number;
  username: string;
  avatar: string | null;
  role: string;
  uuid: string;
  nickname: string;
}

export type ApplyStatus = 'pending' | 'refuse' | 'agree' | 'ignore';

export type FriendFlags = Partial<Pick<FriendRow, 'isblack' | 'ismystarfriend' | 'friendlookme' | 'melookfriend'>>;
