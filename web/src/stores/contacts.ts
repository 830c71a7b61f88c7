/** Friends and friend requests; refreshed on sign-in and when a friend notice is pushed. */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { friends as api, type FriendFlags } from '../api/endpoints.js';
import type { Apply, FriendRow } from '../api/types.js';
import { useChat } from './chat.js';
import { useSession } from './session.js';

export interface ContactGroup {
  title: string;
  list: FriendRow[];
}

/** Requests fetched per page of "新的朋友". */
export const APPLIES_PAGE = 50;
/** Length rules of the seed: search keyword (E04) and request message / remark (E05, E07). */
export const KEYWORD_MAX = 50;
export const MESSAGE_MAX = 50;

/** What I set for a friend: star, blacklist and the two feed-visibility flags. */
export interface FriendState {
  isblack: boolean;
  star: boolean;
  /** The friend may see my feed (E12 `friendlookme`). */
  friendLooksMe: boolean;
  /** I see the friend's feed (E12 `melookfriend`). */
  meLooksFriend: boolean;
  /** False when the server did not say (a blacklisted friend: E19 hides the row). */
  known: boolean;
}

/**
 * The state shown on a friend's page, from E19. E19 answers `不是好友` for a friend I blacklisted
 * (`flags` null while the friend is still mine): that is a blacklisted friend whose other flags
 * the server does not tell (and refuses to change while blacklisted).
 */
export function friendState(flags: FriendFlags | null): FriendState {
  if (!flags) return { isblack: true, star: false, friendLooksMe: true, meLooksFriend: true, known: false };
  return {
    isblack: flags.isblack !== 0,
    star: flags.ismystarfriend === 1,
    friendLooksMe: flags.friendlookme !== 0,
    meLooksFriend: flags.melookfriend !== 0,
    known: true,
  };
}

/** The name a friend goes by: my remark, else their nickname, else their username (as E08's `name`). */
export function friendName(f: { beizhu?: string | null; friend_nickname?: string | null; username: string }): string {
  return f.beizhu || f.friend_nickname || f.username;
}

/**
 * Friends whose name, nickname, remark or username contains `query` (case-insensitive), keeping
 * E08's groups and order; groups left empty are dropped. An empty query keeps everything.
 */
export function filterGroups(groups: ContactGroup[], query: string): ContactGroup[] {
  const q = query.trim().toLowerCase();
  if (!q) return groups;
  const hit = (f: FriendRow) => [f.name, f.beizhu, f.friend_nickname, f.username].some((s) => (s ?? '').toLowerCase().includes(q));
  return groups.map((g) => ({ title: g.title, list: g.list.filter(hit) })).filter((g) => g.list.length > 0);
}

/** The keyword as E04 takes it (trimmed, 1–50 characters), or null when there is nothing to search. */
export function searchKeyword(input: string): string | null {
  const k = input.trim();
  return k ? k.slice(0, KEYWORD_MAX) : null;
}

/** An optional text for E05/E07 (`nickname`, 1–50 characters when given): trimmed and cut to fit. */
export function shortText(input: string): string {
  return input.trim().slice(0, MESSAGE_MAX);
}

/**
 * The requests shown after page 1 was fetched again: page 1, then the older ones already fetched
 * from further pages (requests come newest first, by id). A page 1 that is not full is all there is.
 */
export function withFirstPage(first: Apply[], shown: Apply[], pageSize = APPLIES_PAGE): Apply[] {
  if (first.length < pageSize) return first;
  const oldest = Math.min(...first.map((a) => a.id));
  return [...first, ...shown.filter((a) => a.id < oldest)];
}

/** Merges a further page of requests into those shown, by id (a request seen twice is kept once). */
export function mergeApplies(shown: Apply[], page: Apply[]): Apply[] {
  const seen = new Set(shown.map((a) => a.id));
  return [...shown, ...page.filter((a) => !seen.has(a.id))];
}

export const useContacts = defineStore('contacts', () => {
  const session = useSession();
  const chat = useChat();
  const groups = ref<ContactGroup[]>([]);
  const applies = ref<Apply[]>([]);
  const pendingCount = ref(0);
  const loaded = ref(false);
  /** Pages of requests fetched so far, and whether the last one was full (there may be more). */
  const appliesPages = ref(1);
  const appliesMore = ref(false);

  const all = computed(() => groups.value.flatMap((g) => g.list));
  const byUserId = computed(() => new Map(all.value.map((f) => [f.friend_id, f])));

  async function refresh(): Promise<void> {
    if (!session.account || session.isVisitor) {
      groups.value = [];
      applies.value = [];
      pendingCount.value = 0;
      appliesPages.value = 1;
      appliesMore.value = false;
      return;
    }
    try {
      const [list, ap] = await Promise.all([api.list(session.token), api.applies(session.token, 1, APPLIES_PAGE)]);
      groups.value = Array.isArray(list.rows) ? [] : list.rows.newList;
      const shown = withFirstPage(ap.alldata, applies.value);
      if (shown.length <= ap.alldata.length) {
        appliesPages.value = 1;
        appliesMore.value = ap.alldata.length >= APPLIES_PAGE;
      }
      applies.value = shown;
      pendingCount.value = ap.pendingCount;
      loaded.value = true;
    } catch (e) {
      session.endedBy(e);
    }
  }

  /** The next page of friend requests (throws the server's error). */
  async function moreApplies(): Promise<void> {
    const page = appliesPages.value + 1;
    const ap = await api.applies(session.token, page, APPLIES_PAGE);
    applies.value = mergeApplies(applies.value, ap.alldata);
    pendingCount.value = ap.pendingCount;
    appliesPages.value = page;
    appliesMore.value = ap.alldata.length >= APPLIES_PAGE;
  }

  /**
   * Adds a user as a friend the way the app does: instantly when they accept anyone (E39
   * `invite_confirm` 0, then E40), else the caller asks for a message and calls `apply`.
   */
  async function befriend(userId: number): Promise<'added' | 'needsApply'> {
    const set = await api.setInfo(session.token, userId);
    if (set.invite_confirm !== 0) return 'needsApply';
    await api.addInstantly(session.token, userId);
    await refresh();
    return 'added';
  }

  /** Sends a friend request (E05) with an optional self-introduction. */
  async function apply(userId: number, message: string): Promise<void> {
    await api.apply(session.token, userId, shortText(message));
  }

  /** Agrees to, refuses or ignores a request (E07); `remark` is my remark for the new friend. */
  async function handle(applyId: number, status: 'agree' | 'refuse' | 'ignore', remark = ''): Promise<void> {
    await api.handle(session.token, applyId, status, status === 'agree' ? shortText(remark) : '');
    applies.value = applies.value.map((a) => (a.id === applyId ? { ...a, status } : a));
    pendingCount.value = Math.max(0, pendingCount.value - 1);
    await refresh();
  }

  /** Deletes a friend (E33) and their conversation from the chat list; answers the server's text. */
  async function remove(userId: number): Promise<string> {
    const text = await api.remove(session.token, userId);
    await chat.forget(`single:${userId}`);
    await refresh();
    return text;
  }

  // Another account signed in on this device: nothing of the previous one stays on screen.
  watch(
    () => session.me,
    () => {
      groups.value = [];
      applies.value = [];
      pendingCount.value = 0;
      appliesPages.value = 1;
      appliesMore.value = false;
      loaded.value = false;
    },
  );

  // Friend requests and "we are friends now" notices change these lists.
  watch(
    () => chat.lastPush,
    (m) => {
      if (!m) return;
      const from = String(m.from_id);
      const friendly = from.startsWith('redirect-applyFriend') || (m.type === 'systemNotice' && m.chatType === 'single');
      if (friendly) void refresh();
    },
  );

  return {
    groups,
    applies,
    pendingCount,
    loaded,
    appliesMore,
    all,
    byUserId,
    refresh,
    moreApplies,
    befriend,
    apply,
    handle,
    remove,
  };
});
