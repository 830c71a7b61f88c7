/**
 * Conversations and their messages on this device: what the socket pushes, what the person
 * sends (sending → sent | failed, retry), revoking, unread counts, all kept in IndexedDB.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { encode, extraOf } from '../api/content.js';
import { chat as api, friends, groups as groupsApi, sendFields } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { uuid4 } from '../api/sign.js';
import type { ChatType, WireMessage } from '../api/types.js';
import { t } from '../i18n/index.js';
import { openHistory, type History } from '../storage/db.js';
import {
  convKey,
  isRepeatNotice,
  placeOf,
  sortConversations,
  upsertSorted,
  withMessage,
  type Conversation,
  type Labels,
  type LocalMessage,
} from './model.js';
import { useSession } from './session.js';
import { useUi } from './ui.js';

const labels = (): Labels => ({
  image: t('kind.image'),
  video: t('kind.video'),
  audio: t('kind.audio'),
  file: t('kind.file'),
  emoticon: t('kind.emoticon'),
});

/** What a person sends: text, or a file already chosen (uploaded first). */
export type Outgoing = { kind: 'text'; text: string } | { kind: 'image' | 'video' | 'file'; file: File; localUrl?: string };

export const useChat = defineStore('chat', () => {
  const session = useSession();
  const ui = useUi();
  let history: History | null = null;
  const conversations = ref<Record<string, Conversation>>({});
  const activeConv = ref<string | null>(null);
  /** The open conversation's messages in time order (shallow: 10,000 messages stay cheap). */
  const messages = shallowRef<LocalMessage[]>([]);
  /** Every message pushed, for the stores that react to notices (contacts, groups). */
  const lastPush = shallowRef<WireMessage | null>(null);
  /** Files picked for sending, by local key, so a failed upload can be retried. */
  const pendingFiles = new Map<string, Outgoing>();
  let loadedOwner = 0;

  const list = computed(() => sortConversations(Object.values(conversations.value)));
  const unreadTotal = computed(() => list.value.reduce((n, c) => n + c.unread, 0));

  async function db(): Promise<History> {
    return (history ??= await openHistory());
  }

  /**
   * Settles once the account's conversations are in memory: opening a conversation or taking a
   * pushed message before would build its entry from nothing and overwrite the stored one.
   */
  let loaded: Promise<void> = Promise.resolve();

  /** Loads this account's conversations (called whenever the account changes). */
  async function load(owner: number): Promise<void> {
    loaded = readConversations(owner).catch(() => undefined);
    await loaded;
    // The conversation on screen now shows this account's messages (it gets no list entry: it was
    // opened by the account before).
    if (activeConv.value && loadedOwner === owner) await open(activeConv.value, undefined, false);
  }

  async function readConversations(owner: number): Promise<void> {
    loadedOwner = owner;
    conversations.value = {};
    messages.value = [];
    if (!owner) return;
    const rows = await (await db()).conversations(owner);
    if (loadedOwner !== owner) return;
    conversations.value = Object.fromEntries(rows.map((c) => [c.conv, c]));
  }

  function isActive(conv: string): boolean {
    return activeConv.value === conv && document.visibilityState === 'visible';
  }

  /** Changes of the list (and the messages that make them), one after another. */
  let changes: Promise<unknown> = Promise.resolve();
  function serially(job: () => Promise<void>): Promise<void> {
    const next = changes.then(job);
    changes = next.catch(() => undefined);
    return next;
  }

  /**
   * Changes a conversation's list entry: `update` gets the entry as it is when its turn comes
   * (undefined: none) and answers the new one, or undefined for no change. The entry and the
   * messages of `list` are stored in one transaction, and only then shown: a page closed at any
   * moment keeps a message with its preview and unread count, or neither.
   */
  function change(
    conv: string,
    update: (prev: Conversation | undefined) => Conversation | undefined,
    list: LocalMessage[] = [],
  ): Promise<void> {
    return serially(async () => {
      const next = update(conversations.value[conv]);
      if (!next) {
        if (list.length > 0) await (await db()).putMessages(list);
        return;
      }
      await (await db()).save(list, next);
      // The account may have changed meanwhile: its list is not this one.
      if (next.owner === loadedOwner) conversations.value = { ...conversations.value, [conv]: next };
    });
  }

  /** A new array each time: the views watch the list, not its items. */
  function showInOpen(m: LocalMessage): void {
    const next = messages.value.slice();
    upsertSorted(next, m);
    messages.value = next;
  }

  async function track(m: LocalMessage): Promise<void> {
    await change(m.conv, (prev) => withMessage(prev, m, labels(), isActive(m.conv)), [m]);
    if (m.conv === activeConv.value) showInOpen(m);
  }

  /** Pushed messages are handled one at a time, in the order they arrived. */
  let inbox: Promise<void> = Promise.resolve();

  /** A `singleChat` frame. Messages are keyed by id: one pushed twice is kept once. */
  function receive(w: WireMessage): Promise<void> {
    inbox = inbox.then(() => accept(w)).catch(() => undefined);
    return inbox;
  }

  async function accept(w: WireMessage): Promise<void> {
    await loaded;
    const me = session.me;
    if (!me) return;
    lastPush.value = w;
    if (w.from_id === 0 || String(w.msgidKey ?? '').startsWith('redirect-forceLogout')) return;
    if (w.actionType === 'revoke') return markRevoked(w);
    if (await (await db()).message(me, w.id)) return;
    const conv = placeOf(w, me).conv;
    if (isRepeatNotice(w, conversations.value[conv])) return;
    await track({ ...w, owner: me, key: w.id, conv, state: 'received', mine: Number(w.from_id) === me });
  }

  async function markRevoked(w: WireMessage): Promise<void> {
    const me = session.me;
    const target = await (await db()).message(me, w.id);
    if (!target) return;
    const conv = target.conv;
    const text = Number(w.from_id) === me ? t('chat.revokedByMe') : typeof w.data === 'object' ? String(w.data.data) : String(w.data);
    const revoked: LocalMessage = { ...target, isremove: 1, revokedText: text };
    await change(
      conv,
      (prev) => (prev && target.create_time >= prev.time ? { ...prev, preview: text, previewKind: 'notice' } : undefined),
      [revoked],
    );
    if (conv === activeConv.value) showInOpen(revoked);
  }

  /** Opens a conversation (creating its list entry when it starts here). */
  async function open(conv: string, label?: { name: string; avatar: string }, create = true): Promise<void> {
    activeConv.value = conv;
    await loaded;
    if (activeConv.value !== conv) return;
    const me = session.me;
    const rows = me ? await (await db()).messages(me, conv) : [];
    if (activeConv.value !== conv) return;
    // A message left "sending" by a closed page was never answered: offer to send it again.
    messages.value = rows.map((m) => (m.state === 'sending' && !inFlight.has(m.key) ? { ...m, state: 'failed' } : m));
    const [chatType, peer] = conv.split(':') as [ChatType | 'notice', string];
    // A conversation opened by its address alone (a bookmark, a reload, a link without a label)
    // still gets its list entry, or there would be nothing to send into; its label comes from the
    // server.
    const creates = create && me && (chatType === 'single' || chatType === 'group') && /^[1-9]\d*$/.test(peer);
    let created = false;
    await change(conv, (prev) => {
      if (prev) return prev.unread > 0 ? { ...prev, unread: 0 } : undefined;
      if (!creates) return undefined;
      created = true;
      return {
        owner: me,
        conv,
        chatType,
        peerId: Number(peer),
        name: label?.name ?? '',
        avatar: label?.avatar ?? '',
        preview: '',
        previewKind: 'text',
        time: Date.now(),
        unread: 0,
      };
    });
    if (created && !label?.name) void labelFromServer(conv, chatType as ChatType, Number(peer));
  }

  /** The name and picture of a conversation that was opened without them (a friend's, a group's). */
  async function labelFromServer(conv: string, chatType: ChatType, peer: number): Promise<void> {
    try {
      let name: string;
      let avatar: string;
      if (chatType === 'group') {
        const g = await groupsApi.info(session.token, peer);
        name = g.name;
        avatar = g.avatar ?? '';
      } else {
        const f = await friends.info(session.token, peer);
        name = f.nickname || f.friendinfo.nickname || f.friendinfo.username;
        avatar = f.friendinfo.avatar ?? '';
      }
      await change(conv, (c) => (c && !c.name ? { ...c, name, avatar: c.avatar || avatar } : undefined));
    } catch {
      // Not a friend (or no longer in the group): the first message names the conversation.
    }
  }

  function close(): void {
    activeConv.value = null;
    messages.value = [];
  }

  /** The page became visible again: what the person now sees is read. */
  async function markActiveRead(): Promise<void> {
    const conv = activeConv.value;
    if (conv) await change(conv, (c) => (c && c.unread > 0 && isActive(c.conv) ? { ...c, unread: 0 } : undefined));
  }

  function draft(c: Conversation, type: string, data: string, options: Record<string, unknown> = {}): LocalMessage {
    const a = session.account!;
    return {
      id: '',
      key: `local-${uuid4()}`,
      owner: a.id,
      conv: c.conv,
      from_id: a.id,
      from_name: a.nickname || a.username,
      from_avatar: a.avatar ?? '',
      to_id: Number(c.peerId),
      to_name: c.name,
      to_avatar: c.avatar,
      chatType: c.chatType === 'group' ? 'group' : 'single',
      type,
      data,
      options,
      create_time: Date.now(),
      isremove: 0,
      state: 'sending',
      mine: true,
    };
  }

  async function send(conv: string, out: Outgoing): Promise<void> {
    const c = conversations.value[conv];
    if (!c || c.chatType === 'notice' || !session.account) return;
    const m =
      out.kind === 'text'
        ? draft(c, 'text', encode(out.text))
        : draft(c, out.kind, encode(out.localUrl ?? '', out.kind, { name: out.file.name, size: out.file.size, local: true }));
    if (out.kind !== 'text') pendingFiles.set(m.key, out);
    await track(m);
    await deliver(m);
  }

  async function uploadFor(m: LocalMessage): Promise<LocalMessage> {
    const out = pendingFiles.get(m.key);
    if (!out || out.kind === 'text') return m;
    const tok = session.token;
    const dir = out.kind === 'image' ? 'chatImgs' : out.kind === 'video' ? 'chatVideos' : 'chatFiles';
    const { url } = await api.upload(tok, out.file, out.file.name, dir);
    const other: Record<string, unknown> = { name: out.file.name, size: out.file.size };
    if (out.kind === 'video') {
      other.poster = await api.videoCover(tok, url).then(
        (r) => r.url,
        () => '',
      );
    }
    return { ...m, data: encode(url, out.kind, other) };
  }

  /** Keys of messages being sent now, and of those that failed for want of a connection. */
  const inFlight = new Set<string>();
  const retryOnReconnect = new Set<string>();

  /** Sends a message; `resend` when it was tried before and failed (it may have been stored). */
  async function deliver(m: LocalMessage, resend = false): Promise<void> {
    let ready = m;
    inFlight.add(m.key);
    try {
      ready = await uploadFor(m);
      const input = {
        sendto_id: m.to_id,
        chatType: m.chatType,
        type: ready.type,
        data: typeof ready.data === 'string' ? ready.data : JSON.stringify(ready.data),
        options: m.options ?? {},
      };
      // Over the socket when the server offers it, with the local key as the client id: sent
      // again after a reconnect (the ack was lost), it is still stored once. Otherwise HTTP.
      const sent = (await session.socket.sendMessage(m.key, sendFields(input), resend)) ?? (await api.send(session.token, input));
      pendingFiles.delete(m.key);
      retryOnReconnect.delete(m.key);
      await replaceLocal(m, { ...ready, ...sent, key: sent.id, owner: m.owner, conv: m.conv, state: 'sent', mine: true });
    } catch (e) {
      if (!session.endedBy(e)) {
        if (e instanceof ApiError && e.status < 500) ui.fail(e);
        else retryOnReconnect.add(m.key);
      }
      await track({ ...ready, state: 'failed' });
    } finally {
      inFlight.delete(m.key);
    }
  }

  /** The connection is back: send again what failed because it was down. */
  async function resendFailed(): Promise<void> {
    const keys = [...retryOnReconnect];
    retryOnReconnect.clear();
    for (const key of keys) {
      const m = await (await db()).message(session.me, key);
      if (m?.state === 'failed') await retry(m);
    }
  }

  async function replaceLocal(local: LocalMessage, sent: LocalMessage): Promise<void> {
    await (await db()).removeMessage(local.owner, local.key);
    if (local.conv === activeConv.value) messages.value = messages.value.filter((x) => x.key !== local.key);
    await track(sent);
  }

  async function retry(m: LocalMessage): Promise<void> {
    if (m.state !== 'failed') return;
    if (m.type !== 'text' && extraOf(m).local && !pendingFiles.has(m.key)) return ui.toast(t('chat.fileGone'), 'error');
    const again = { ...m, state: 'sending' as const };
    await track(again);
    await deliver(again, true);
  }

  async function revoke(m: LocalMessage): Promise<void> {
    const c = conversations.value[m.conv];
    if (!c) return;
    try {
      await api.revoke(session.token, {
        to_id: m.to_id,
        to_name: (c.name || String(c.peerId)).slice(0, 50),
        to_avatar: c.avatar && c.avatar.length >= 10 ? c.avatar.slice(0, 1000) : `${location.origin}/favicon.svg`,
        id: m.key,
        chatType: m.chatType,
        create_time: m.create_time,
      });
      await markRevoked({ ...m, from_id: session.me, data: t('chat.revokedByMe') });
    } catch (e) {
      ui.fail(e);
    }
  }

  /** Drops a conversation from the list (and optionally its history), e.g. after leaving a group. */
  async function forget(conv: string, withMessages = false): Promise<void> {
    const owner = session.me;
    await serially(async () => {
      if (owner === loadedOwner) {
        const { [conv]: _gone, ...rest } = conversations.value;
        conversations.value = rest;
      }
      await (await db()).removeConversation(owner, conv, withMessages);
    });
  }

  /** Offline messages are pushed over the socket; this asks for them, then resends what failed. */
  async function catchUp(): Promise<void> {
    try {
      await api.fetchOffline(session.token);
      await resendFailed();
    } catch (e) {
      session.endedBy(e);
    }
  }

  return {
    conversations,
    list,
    unreadTotal,
    activeConv,
    messages,
    lastPush,
    load,
    receive,
    open,
    close,
    markActiveRead,
    send,
    retry,
    revoke,
    forget,
    catchUp,
    convKey,
  };
});
