/** The groups I am in; refreshed on sign-in and when a group notice is pushed. */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { groups as api } from '../api/endpoints.js';
import type { Group, GroupMember, WireMessage } from '../api/types.js';
import { useChat } from './chat.js';
import type { Conversation } from './model.js';
import { useSession } from './session.js';

/** A request to join a group, waiting for the owner (from an approval-request notice, spec E36). */
export interface PendingJoin {
  /** The notice conversation it came in (`notice:redirect-applyAddGroup…`). */
  conv: string;
  groupId: number;
  userId: number;
  name: string;
  avatar: string;
  uuid: string;
  time: number;
  /** 用户自主进群 | 邀请进群, as the server wrote it. */
  kind: string;
  /** Who invited (empty when the person asked by themself). */
  inviter: string;
  desc: string;
}

/** The join policies of E37 the client offers (3–10 exist but are shown as "other"). */
export const POLICIES = [0, 1, 2] as const;

/** Reads an approval request's deep link (`/pages/setpageInfo/setpageInfo?action=applyAddGroup&id=…`). */
export function parseApplyUrl(url: string | undefined): Omit<PendingJoin, 'conv' | 'time'> | null {
  if (!url) return null;
  const at = url.indexOf('?');
  if (at < 0 || !url.slice(0, at).endsWith('/setpageInfo')) return null;
  const q = new URLSearchParams(url.slice(at + 1));
  if (q.get('action') !== 'applyAddGroup') return null;
  const groupId = Number(q.get('id'));
  const userId = Number(q.get('applyUserid'));
  if (!Number.isInteger(groupId) || groupId < 1 || !Number.isInteger(userId) || userId < 1) return null;
  let detail: Record<string, unknown> = {};
  try {
    const d: unknown = JSON.parse(q.get('applydesc') ?? '{}');
    if (d && typeof d === 'object') detail = d as Record<string, unknown>;
  } catch {
    // A damaged description only loses the details.
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  return {
    groupId,
    userId,
    name: q.get('applyUsername') ?? '',
    avatar: q.get('applyUseravatar') ?? '',
    uuid: q.get('applyUseruuid') ?? '',
    kind: str(detail.addGroupUserType),
    inviter: str(detail.inviteUser),
    desc: str(detail.addGroupDesc),
  };
}

/**
 * The join requests of group `groupId` among the notice conversations, newest first, one per
 * person. `skip`: conversations already handled here; `members`: people already in the group.
 */
export function pendingJoins(
  conversations: Iterable<Conversation>,
  groupId: number,
  skip: ReadonlySet<string> = new Set(),
  members: ReadonlySet<number> = new Set(),
): PendingJoin[] {
  const byUser = new Map<number, PendingJoin>();
  for (const c of conversations) {
    if (c.chatType !== 'notice' || skip.has(c.conv)) continue;
    const p = parseApplyUrl(c.redirect);
    if (!p || p.groupId !== groupId || members.has(p.userId)) continue;
    const prev = byUser.get(p.userId);
    if (!prev || c.time > prev.time) byUser.set(p.userId, { ...p, conv: c.conv, time: c.time });
  }
  return [...byUser.values()].sort((a, b) => b.time - a.time);
}

/** The name a member shows in a group: group nickname, else nickname, else username. */
export function memberName(m: GroupMember): string {
  return m.nickname || m.user?.nickname || m.user?.username || String(m.user_id);
}

export function memberAvatar(m: GroupMember): string {
  return m.avatar || m.user?.avatar || '';
}

/** The group I just created: the newest one not in `before` (E23 lists newest first). */
export function newGroupOf(list: Group[], before: ReadonlySet<number>): Group | null {
  return list.filter((g) => !before.has(g.id)).sort((a, b) => b.id - a.id)[0] ?? null;
}

/** A pushed "group created" notice for a group not in `before`. */
export function isCreatedNotice(m: WireMessage | null, before: ReadonlySet<number>): boolean {
  return !!m && m.chatType === 'group' && m.type === 'systemNotice' && !before.has(Number(m.to_id));
}

const HANDLED_KEY = 'natter.groupHandled';
const HANDLED_MAX = 300;

export const useGroups = defineStore('groups', () => {
  const session = useSession();
  const chat = useChat();
  const list = ref<Group[]>([]);
  const loaded = ref(false);
  /** Approval-request notices answered on this device (by conversation key, per account). */
  const handled = ref<string[]>([]);

  async function refresh(): Promise<void> {
    if (!session.account) return void (list.value = []);
    try {
      list.value = await api.list(session.token);
      loaded.value = true;
    } catch (e) {
      session.endedBy(e);
    }
  }

  watch(
    () => chat.lastPush,
    (m) => {
      if (m && m.chatType === 'group' && m.type === 'systemNotice') void refresh();
    },
  );

  watch(
    () => session.me,
    (me) => {
      try {
        const v: unknown = JSON.parse(globalThis.localStorage?.getItem(`${HANDLED_KEY}.${me}`) ?? '[]');
        handled.value = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
      } catch {
        handled.value = [];
      }
    },
    { immediate: true },
  );

  const handledSet = computed(() => new Set(handled.value));

  function markHandled(conv: string): void {
    if (handledSet.value.has(conv)) return;
    handled.value = [...handled.value, conv].slice(-HANDLED_MAX);
    globalThis.localStorage?.setItem(`${HANDLED_KEY}.${session.me}`, JSON.stringify(handled.value));
  }

  /** Join requests waiting for me as the owner of `groupId` (only those this device received). */
  function pendingFor(groupId: number, members: ReadonlySet<number> = new Set()): PendingJoin[] {
    return pendingJoins(Object.values(chat.conversations), groupId, handledSet.value, members);
  }

  /** Waits up to `ms` for a pushed message that satisfies `test`. */
  function pushed(test: (m: WireMessage | null) => boolean, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const stop = watch(
        () => chat.lastPush,
        (m) => test(m) && done(true),
      );
      function done(ok: boolean) {
        clearTimeout(timer);
        stop();
        resolve(ok);
      }
    });
  }

  /**
   * E21 with goodfriend ROW ids; answers the new group (found in E23, newest first, or after the
   * pushed "created" notice), or null when it could not be found. Errors are the server's.
   */
  async function create(friendRowIds: number[]): Promise<Group | null> {
    const before = new Set(list.value.map((g) => g.id));
    const notice = pushed((m) => isCreatedNotice(m, before), 5000);
    await api.create(session.token, friendRowIds);
    await refresh();
    let g = newGroupOf(list.value, before);
    if (!g && (await notice)) {
      await refresh();
      g = newGroupOf(list.value, before);
    }
    return g;
  }

  /** Resolves when a notice of group `gid` is pushed (true) or after `ms` (false). Call before the request. */
  function noticeOf(gid: number, ms = 3000): Promise<boolean> {
    return pushed((m) => !!m && m.chatType === 'group' && m.type === 'systemNotice' && Number(m.to_id) === gid, ms);
  }

  /**
   * After leaving or dissolving group `gid`: its conversation leaves the list, and so does the
   * one the "dissolved" notice (pushed to me as well) would bring back. `notice`: from noticeOf().
   */
  async function forgetConversation(gid: number, notice?: Promise<boolean>): Promise<void> {
    const conv = `group:${gid}`;
    await chat.forget(conv);
    if (!notice || !(await notice)) return;
    // The notice is stored after it is announced: wait for it to land, then drop it again.
    for (let i = 0; i < 20 && !(conv in chat.conversations); i++) await new Promise((r) => setTimeout(r, 50));
    if (conv in chat.conversations) await chat.forget(conv);
  }

  return { list, loaded, refresh, handled, markHandled, pendingFor, create, noticeOf, forgetConversation };
});
