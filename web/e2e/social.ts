import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Answer } from '../../test/helpers/client.js';
import { screenshot, type Harness, type NewUserOptions, type WebAccount, type WebUser } from './harness.js';

/**
 * Steps of the contacts, groups and me suites (chat's use `person` too): people set up over HTTP
 * with a Chinese nickname and a portrait, so that screenshots look like the app in use; signing in
 * through the login form; what a person does and sees (tabs, toasts, messages, notices).
 */

/**
 * `vi.setConfig(PATIENT)` in a suite: what a page shows may take seconds on a busy machine, more
 * than vitest's default 1 s for `expect.poll` (10 s, as playwright's waits here).
 */
export const PATIENT = { expect: { poll: { timeout: 10_000, interval: 50 } } };

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** A registered account with the name others see. */
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

/** What the page keeps about who is signed in on it. */
export function accountOf(page: Page): Promise<{ id: number; token: string; role: string; username: string } | null> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('natter.account') ?? 'null'));
}

/** The token of the session the page holds (a page's sign-in ends the one `register` gave). */
export async function tokenOf(page: Page): Promise<string> {
  const a = await accountOf(page);
  if (!a) throw new Error('nobody is signed in on this page');
  return a.token;
}

/** Fills the login form and sends it; the caller checks the outcome. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
}

/**
 * A new device: the page opens as a guest (the "you are a guest" banner shows), the banner leads
 * to the login form, and `who` signs in; answers once the chat list shows without the banner.
 */
export async function signIn(h: Harness, who: WebAccount, opts: NewUserOptions = {}): Promise<WebUser> {
  const u = await h.newUser(opts);
  const { page } = u;
  await page.locator('a.visitor').click();
  await page.waitForFunction(() => location.hash === '#/login');
  await submitLogin(page, who.username, who.password);
  await page.waitForFunction(() => location.hash === '#/chats');
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

/** Types a text in the open conversation and sends it; answers once the server accepted it. */
export async function say(page: Page, text: string): Promise<void> {
  const box = page.locator('#composer-text');
  await box.fill(text);
  await box.press('Enter');
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
