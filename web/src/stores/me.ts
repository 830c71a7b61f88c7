/**
 * My own account: profile fields (E34), avatar upload (E30a + E34), "who may message me" (E18,
 * spec §8.1), password (E41). Each change is written to the session's account at once, so every
 * screen showing my name or avatar follows.
 */
import { defineStore } from 'pinia';
import { accounts, chat, friends } from '../api/endpoints.js';
import { useSession } from './session.js';

/** 0 = not allowed (must be friends / logged in), 1 = one message before being friends, 2 = unrestricted. */
export type SendCount = 0 | 1 | 2;

export interface Chatset {
  visitor: SendCount;
  user: SendCount;
}

/** What the server assumes when `userset` is empty or has no `chatset` (§8.1). */
export const DEFAULT_CHATSET: Readonly<Chatset> = Object.freeze({ visitor: 1, user: 1 });

export const NICKNAME_MAX = 30;
export const AVATAR_MAX = 1000;
export const PASSWORD_MIN = 6;
export const PASSWORD_MAX = 20;

function asObject(x: unknown): Record<string, unknown> | null {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
}

function parseJson(userset: string | null | undefined): Record<string, unknown> | null {
  if (!userset) return null;
  try {
    return asObject(JSON.parse(userset));
  } catch {
    return null;
  }
}

/**
 * The server compares `sendCount` with `===`: only the numbers 0 and 1 restrict; anything else
 * (2, a string, missing as in the legacy `{"visitor":0}` shape) lets everyone through.
 */
function sendCountOf(role: unknown): SendCount {
  const n = asObject(role)?.sendCount;
  return n === 0 || n === 1 ? n : 2;
}

/** Reads the chatset out of `user.userset`, as the server applies it. */
export function parseChatset(userset: string | null | undefined): Chatset {
  const chatset = asObject(parseJson(userset)?.chatset);
  if (!chatset) return { ...DEFAULT_CHATSET };
  return { visitor: sendCountOf(chatset.visitor), user: sendCountOf(chatset.user) };
}

/** The `userset` text to store: the chatset in the current shape, other settings kept. */
export function serializeUserset(chatset: Chatset, previous?: string | null): string {
  const rest = parseJson(previous) ?? {};
  return JSON.stringify({
    ...rest,
    chatset: {
      visitor: { sendCount: chatset.visitor, needFollow: false },
      user: { sendCount: chatset.user, needFollow: false },
    },
  });
}

/** Length as the server counts a nickname: characters, not UTF-16 units. */
export function nicknameLength(s: string): number {
  return [...s].length;
}

/** The client-side check of a password change, before asking the server; null when fine. */
export function passwordProblem(
  oldpassword: string,
  newpassword: string,
  checknewpassword: string,
): 'required' | 'length' | 'mismatch' | null {
  if (!oldpassword || !newpassword || !checknewpassword) return 'required';
  if (newpassword.length < PASSWORD_MIN || newpassword.length > PASSWORD_MAX) return 'length';
  if (newpassword !== checknewpassword) return 'mismatch';
  return null;
}

export const useMe = defineStore('me', () => {
  const session = useSession();
  /** Bumped by every change I make: a refresh started before one must not undo it. */
  let edits = 0;

  /** A failure that says the session is gone signs this device out (then the caller shows it). */
  async function guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      session.endedBy(e);
      throw e;
    }
  }

  /** E34 for one field; the account follows; answers the server's text (e.g. 修改昵称成功). */
  async function setNickname(nickname: string): Promise<string> {
    const text = await guard(() => accounts.updateUserinfo(session.token, 'nickname', nickname));
    edits++;
    session.patchAccount({ nickname });
    return text;
  }

  async function setInviteConfirm(value: 0 | 1): Promise<string> {
    const text = await guard(() => accounts.updateUserinfo(session.token, 'invite_confirm', value));
    edits++;
    session.patchAccount({ invite_confirm: value });
    return text;
  }

  /**
   * Uploads the picture to the server's avatars folder and makes it my avatar. The stored address
   * is the relative `/public/...` one the upload answers (the server accepts any text ≤ 1000
   * characters); clients resolve it against their API host, as they do for chat images.
   */
  async function setAvatar(file: Blob, name: string): Promise<string> {
    const { url } = await guard(() => chat.upload(session.token, file, name, 'avatars'));
    const text = await guard(() => accounts.updateUserinfo(session.token, 'avatar', url));
    edits++;
    session.patchAccount({ avatar: url });
    return text;
  }

  async function saveChatset(chatset: Chatset): Promise<void> {
    const userset = serializeUserset(chatset, session.account?.userset);
    await guard(() => accounts.userset(session.token, userset));
    edits++;
    session.patchAccount({ userset });
  }

  /** E41. Natter ends my other sessions; this device's token keeps working. */
  async function changePassword(oldpassword: string, newpassword: string, checknewpassword: string): Promise<string> {
    return guard(() => accounts.setPassword(session.token, oldpassword, newpassword, checknewpassword));
  }

  /**
   * Brings the stored account up to date with the server (changed on another device meanwhile):
   * E16 for name, avatar and settings; E39 on myself for invite_confirm (registered users only).
   * Best effort: failures leave the stored values.
   */
  async function refresh(): Promise<void> {
    const a = session.account;
    if (!a) return;
    const before = edits;
    const [profile, setInfo] = await Promise.allSettled([
      accounts.publicProfile(a.uuid),
      a.role === 'user' ? friends.setInfo(session.token, a.id) : Promise.reject(new Error('visitor')),
    ]);
    if (session.account?.id !== a.id || edits !== before) return;
    const fields: Partial<typeof a> = {};
    if (profile.status === 'fulfilled' && profile.value) {
      const p = profile.value;
      fields.nickname = p.nickname;
      fields.avatar = p.avatar;
      fields.userset = p.userset;
    }
    if (setInfo.status === 'fulfilled' && (setInfo.value.invite_confirm === 0 || setInfo.value.invite_confirm === 1)) {
      fields.invite_confirm = setInfo.value.invite_confirm;
    }
    if (Object.keys(fields).length) session.patchAccount(fields);
  }

  return { setNickname, setInviteConfirm, setAvatar, saveChatset, changePassword, refresh };
});
