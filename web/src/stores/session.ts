/**
 * Who is signed in on this device, and the push channel that goes with it.
 *
 * The first visit becomes a visitor (a device id kept in localStorage, signed requests), as the
 * app does; registering from that device upgrades the visitor in place. Logging out, or being
 * signed out from elsewhere (a login on another device, a password change, with a notice), goes
 * on as a new visitor under a new device id: the old id is bound to the account, and signing in
 * with it would take the account's session back from the device that just signed in.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { accounts } from '../api/endpoints.js';
import { ApiError } from '../api/http.js';
import { uuid4 } from '../api/sign.js';
import { PushSocket, type SignOutReason, type SocketState } from '../api/socket.js';
import type { Account, WireMessage } from '../api/types.js';

const ACCOUNT_KEY = 'natter.account';
const DEVICE_KEY = 'device_id';

function loadAccount(): Account | null {
  try {
    const a = JSON.parse(localStorage.getItem(ACCOUNT_KEY) ?? 'null') as Account | null;
    return a && typeof a.token === 'string' && typeof a.id === 'number' ? a : null;
  } catch {
    return null;
  }
}

function deviceId(fresh = false): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (fresh || !id || !/^[A-Za-z0-9_-]{36}$/.test(id)) {
    id = uuid4();
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export interface PushHandlers {
  ready(): void;
  message(m: WireMessage): void;
}

export const useSession = defineStore('session', () => {
  const account = ref<Account | null>(loadAccount());
  let device = deviceId();
  const connection = ref<SocketState>('stopped');
  const signedOut = ref<SignOutReason | null>(null);
  const starting = ref(false);
  const startError = ref<string | null>(null);
  const handlers = shallowRef<PushHandlers | null>(null);

  const token = computed(() => account.value?.token ?? null);
  const isVisitor = computed(() => account.value?.role === 'visitor');
  const me = computed(() => account.value?.id ?? 0);
  const displayName = computed(() => account.value?.nickname || account.value?.username || '');

  const socket = new PushSocket(
    {
      state: (s) => (connection.value = s),
      ready: () => handlers.value?.ready(),
      message: (m) => handlers.value?.message(m),
      signedOut: (reason) => void onSignedOut(reason),
    },
    { url: (tok) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(tok)}` },
  );

  function setAccount(a: Account | null): void {
    account.value = a;
    if (a) localStorage.setItem(ACCOUNT_KEY, JSON.stringify(a));
    else localStorage.removeItem(ACCOUNT_KEY);
    if (a) socket.start(a.token);
    else socket.stop();
  }

  /** Signs in as this device's visitor when nobody is signed in; (re)opens the socket. */
  async function start(): Promise<void> {
    if (account.value) return socket.start(account.value.token);
    starting.value = true;
    startError.value = null;
    try {
      setAccount(await accounts.visitor(device));
    } catch (e) {
      startError.value = e instanceof Error ? e.message : String(e);
    } finally {
      starting.value = false;
    }
  }

  async function login(username: string, password: string): Promise<void> {
    setAccount(await accounts.login(device, username, password));
    signedOut.value = null;
  }

  async function register(username: string, password: string): Promise<void> {
    setAccount(await accounts.register(device, username, password));
    signedOut.value = null;
  }

  /** Logs out and continues as this device's visitor (the app's behaviour). */
  async function logout(): Promise<void> {
    try {
      if (!isVisitor.value) await accounts.logout(token.value);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    setAccount(null);
    device = deviceId(true);
    await start();
  }

  async function onSignedOut(reason: SignOutReason): Promise<void> {
    signedOut.value = reason;
    setAccount(null);
    device = deviceId(true);
    await start();
  }

  /**
   * Whether `e` is an answer saying the request's session is gone. If that session is the current
   * one, the device is signed out as when the socket says so; an answer to a request made before
   * sign-in or for an account since replaced changes nothing.
   */
  function endedBy(e: unknown): boolean {
    if (!(e instanceof ApiError) || !e.sessionEnded) return false;
    if (e.token !== null && e.token === token.value) void onSignedOut('ended');
    return true;
  }

  function patchAccount(fields: Partial<Account>): void {
    if (!account.value) return;
    account.value = { ...account.value, ...fields };
    localStorage.setItem(ACCOUNT_KEY, JSON.stringify(account.value));
  }

  function onHandlers(h: PushHandlers): void {
    handlers.value = h;
  }

  return {
    account,
    connection,
    signedOut,
    starting,
    startError,
    token,
    isVisitor,
    me,
    displayName,
    socket,
    start,
    login,
    register,
    logout,
    endedBy,
    patchAccount,
    onHandlers,
  };
});
