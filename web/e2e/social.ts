import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Answer } from '../../test/helpers/client.js';
import { screenshot, type Harness, type NewUserOptions, type WebAccount, type WebUser } from './harness.js';

/**
 * Steps of the browser suites, as a person takes them: people set up over HTTP with a Chinese
 * nickname and a portrait, so that screenshots look like the app in use; signing in through the
 * login form; what a person does (tabs, a conversation, typing) and sees (toasts, messages,
 * notices, send states).
 */

/**
 * A test's time: signing a browser in through the form takes 1–3 s (up to 10 s on a machine busy
 * with other suites), and most tests sign in two or three.
 */
export const SLOW = 60_000;

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** A registered account with the nickname others see. */
export interface Person extends WebAccount {
  name: string;
}

/** One POST with a token; the answer is returned, not checked. */
export function post(h: Harness, token: string, path: string, body: Record<string, unknown> = {}): Promise<Answer> {
  return h.server.client.post(path, body, { token });
}

/** A POST that must answer 200; answers `data`. */
export async function postOk<T = unknown>(h: Harness, token: string, path: string, body: Record<string, unknown> = {}): Promise<T> {
  const res = await post(h, token, path, body);
  if (res.status !== 200) throw new Error(`${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { data: T }).data;
}

/** Portrait colours; a name always gets the same one (screenshots stay alike from run to run). */
const COLOURS = ['#3f8efc', '#f0883e', '#2da44e', '#a371f7', '#e5534b', '#0fa3a3', '#d4a72c', '#db61a2'];
const colourOf = (name: string) => COLOURS[[...name].reduce((h, c) => (h * 7 + c.codePointAt(0)!) % 1_000_003, 0) % COLOURS.length]!;

/**
 * A square PNG with the first character of `name` on a colour, drawn by Chromium (its CJK font),
 * as the default avatars of many chat apps look.
 */
export async function portrait(h: Harness, name: string): Promise<Buffer> {
  const colour = colourOf(name);
  let pending = painters.get(h.browser);
  if (!pending) painters.set(h.browser, (pending = h.browser.newPage({ viewport: { width: 160, height: 160 } })));
  const page = await pending;
  await page.setContent(
    `<body style="margin:0"><div id="a" style="width:160px;height:160px;display:flex;align-items:center;justify-content:center;` +
      `background:linear-gradient(135deg,${colour},${colour}bb);color:#fff;font:500 72px 'WenQuanYi Micro Hei',sans-serif">` +
      `${[...name][0] ?? '?'}</div></body>`,
  );
  return page.locator('#a').screenshot({ type: 'png' });
}

/** One page per browser draws the portraits (closed with the browser). */
const painters = new WeakMap<Browser, Promise<Page>>();

/** Uploads a picture as `token`'s avatar (E30a + E34); answers its address. */
export async function setAvatar(h: Harness, token: string, png: Buffer): Promise<string> {
  const form = new FormData();
  form.append('token', token);
  form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'avatar.png');
  const res = await fetch(`${h.url}/api/chat/uploadStreamSingleToServerDiy/avatars`, { method: 'POST', headers: { token }, body: form });
  const body = (await res.json()) as { data: { url: string } };
  if (res.status !== 200) throw new Error(`avatar upload failed: ${res.status} ${JSON.stringify(body)}`);
  await postOk(h, token, '/api/chat/updateUserinfo', { fieldname: 'avatar', fieldValue: body.data.url });
  return body.data.url;
}

/**
 * Registers someone over HTTP with `nickname` and a portrait (`avatar: false`: the server's
 * default picture); `username` when it shows on screen (else a unique test name); `inviteConfirm`
 * 1: adding them needs their approval. The token is valid until they sign in through a page (one
 * session per user).
 */
export async function person(
  h: Harness,
  nickname: string,
  opts: { username?: string; inviteConfirm?: 0 | 1; avatar?: boolean } = {},
): Promise<Person> {
  const a = await h.register(opts.username);
  await postOk(h, a.token, '/api/chat/updateUserinfo', { fieldname: 'nickname', fieldValue: nickname });
  if (opts.avatar !== false) await setAvatar(h, a.token, await portrait(h, nickname));
  if (opts.inviteConfirm !== undefined) {
    await postOk(h, a.token, '/api/chat/updateUserinfo', { fieldname: 'invite_confirm', fieldValue: opts.inviteConfirm });
  }
  return { ...a, name: nickname };
}

/** Two friends with these nicknames (portraits only when asked: they take a moment to draw). */
export async function friends(h: Harness, names: [string, string], opts: { avatars?: boolean } = {}): Promise<[Person, Person]> {
  const a = await person(h, names[0], { avatar: opts.avatars === true });
  const b = await person(h, names[1], { avatar: opts.avatars === true });
  await h.befriend(a, b);
  return [a, b];
}

/** The account this page keeps in localStorage (who the client thinks it is). */
export interface StoredAccount {
  id: number;
  username: string;
  role: 'user' | 'visitor';
  token: string;
}

export function storedAccount(page: Page): Promise<StoredAccount | null> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('natter.account') ?? 'null') as StoredAccount | null);
}

/** The token of the session the page holds (a page's sign-in ends the one `register` gave). */
export async function tokenOf(page: Page): Promise<string> {
  const a = await storedAccount(page);
  if (!a) throw new Error('nobody is signed in on this page');
  return a.token;
}

/** The connection bar's state (`online`, `offline`, `connecting`, `stopped`). */
export const connState = (page: Page) => page.locator('.conn').first().getAttribute('data-state');

/** Waits until the page's push channel is open; answers the account it holds. */
export async function online(page: Page): Promise<StoredAccount> {
  await page.locator('.conn[data-state="online"]').first().waitFor({ state: 'attached' });
  const a = await storedAccount(page);
  if (!a) throw new Error('online without an account');
  return a;
}

/** Sets the hash route, as following a link does. */
export async function goTo(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
}

/** Fills the login form and sends it; the caller checks the outcome. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
}

/** On the login form: signs in as `who` and waits until the page is signed in as them, online. */
async function loginAs(page: Page, who: { id: number; username: string; password: string }): Promise<void> {
  await submitLogin(page, who.username, who.password);
  await page.waitForFunction(() => location.hash === '#/chats');
  await expect.poll(async () => (await storedAccount(page))?.id).toBe(who.id);
  await online(page);
}

/** Opens the login form by its address and signs in as `who` (see `loginAs`). */
export async function logIn(page: Page, who: { id: number; username: string; password: string }): Promise<void> {
  await goTo(page, '#/login');
  await loginAs(page, who);
}

/**
 * A new device: the page opens as a guest, online, with the "you are a guest" banner; the banner
 * leads to the login form, and `who` signs in; answers once the page is signed in as `who`, online,
 * without the banner.
 */
export async function signIn(h: Harness, who: WebAccount, opts: NewUserOptions = {}): Promise<WebUser> {
  const u = await h.newUser(opts);
  const { page } = u;
  await online(page);
  await page.locator('a.visitor').click();
  await page.waitForFunction(() => location.hash === '#/login');
  await loginAs(page, who);
  await page.locator('a.visitor').waitFor({ state: 'detached' });
  return u;
}

/** Opens one of the four sections from the tab bar. */
export async function tab(page: Page, id: 'chats' | 'contacts' | 'groups' | 'me'): Promise<void> {
  await page.locator(`[data-tab=${id}]`).click();
  await page.waitForFunction((t) => location.hash.startsWith(`#/${t}`), id);
}

/** Waits for a toast saying `text` (exactly, or matching). */
export async function toast(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('.toast', { hasText: text }).first().waitFor();
}

/**
 * A screenshot for the docs once the page has settled: the toasts of the last actions are gone
 * (they last 3–5 s) and every picture on screen has loaded.
 */
export async function docShot(page: Page, name: string): Promise<string> {
  await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, undefined, { timeout: 8000 });
  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
  return screenshot(page, name);
}

/** The chat list's row of a conversation (`single:<id>`). */
export const convRow = (page: Page, conv: string) => page.locator(`[data-conv="${conv}"]`);

/** Opens the 1:1 conversation with user `peerId` by its address and waits for the composer. */
export async function openChat(page: Page, peerId: number): Promise<void> {
  await goTo(page, `#/chat/single/${peerId}`);
  await page.locator('#composer-text').waitFor();
}

/** Types `text` in the composer and presses Enter; answers once the composer is empty again. */
export async function typeAndEnter(page: Page, text: string): Promise<void> {
  const box = page.locator('#composer-text');
  await box.fill(text);
  await box.press('Enter');
  await expect.poll(() => box.inputValue()).toBe('');
}

/** Types a text in the open conversation and sends it; answers once the server accepted it. */
export async function say(page: Page, text: string): Promise<void> {
  await typeAndEnter(page, text);
  await page.locator('.msg.mine[data-state=sent]', { hasText: text }).waitFor();
}

export interface Shown {
  /** The sender's name above the bubble ('' for my own messages, which show none). */
  name: string;
  text: string;
  mine: boolean;
}

/** The text messages the open conversation shows, top to bottom. */
export function shownMessages(page: Page): Promise<Shown[]> {
  return page.locator('.msg').evaluateAll((els) =>
    els
      .map((e) => ({
        top: e.getBoundingClientRect().top,
        name: e.querySelector('.name')?.textContent?.trim() ?? '',
        text: e.querySelector('span.text')?.textContent ?? '',
        mine: e.classList.contains('mine'),
      }))
      .sort((a, b) => a.top - b.top)
      .map(({ name, text, mine }) => ({ name, text, mine })),
  );
}

/** The notices (centred lines) the open conversation shows, top to bottom. */
export function shownNotices(page: Page): Promise<string[]> {
  return page
    .locator('.notice[data-kind=notice]')
    .evaluateAll((els) =>
      els.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((e) => e.textContent?.trim() ?? ''),
    );
}

/** Polls until the open conversation shows a notice containing `text`. */
export async function expectNotice(page: Page, text: string | RegExp): Promise<void> {
  await expect
    .poll(async () => (await shownNotices(page)).some((n) => (typeof text === 'string' ? n.includes(text) : text.test(n))), {
      message: `a notice ${String(text)}`,
    })
    .toBe(true);
}

/**
 * The open conversation top to bottom: texts; `[image]`, `[video]` for media; `(…)` for centred
 * lines (notices, revoked messages).
 */
export function transcript(page: Page): Promise<string[]> {
  return page.locator('[role=log] [data-key]').evaluateAll((els) =>
    els
      .map((e) => ({ e: e as HTMLElement, top: e.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map(({ e }) => {
        if (e.classList.contains('notice')) return `(${e.textContent?.trim() ?? ''})`;
        const kind = e.dataset.kind ?? 'text';
        return kind === 'text' ? (e.querySelector('.text')?.textContent ?? '') : `[${kind}]`;
      }),
  );
}

/** My messages in the open conversation, top to bottom: [text or `[kind]`, data-state]. */
export function myStates(page: Page): Promise<[string, string][]> {
  return page.locator('[role=log] .msg.mine').evaluateAll((els) =>
    els
      .map((e) => ({ e: e as HTMLElement, top: e.getBoundingClientRect().top }))
      .sort((a, b) => a.top - b.top)
      .map(({ e }) => {
        const kind = e.dataset.kind ?? 'text';
        return [kind === 'text' ? (e.querySelector('.text')?.textContent ?? '') : `[${kind}]`, e.dataset.state ?? ''] as [string, string];
      }),
  );
}

/** The notice both friends get when they become friends (first line of their conversation). */
export const FRIENDS_NOW = '(我们已经是好友了，可以开始聊天了)';
