import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, vi } from 'vitest';
import { send, type Account } from '../../test/helpers/chat.js';
import type { Answer, Client } from '../../test/helpers/client.js';
import { tempDir } from '../../test/helpers/databases.js';
import { befriend as befriendOver } from '../../test/helpers/groups.js';
import { startServer, type TestServer } from '../../test/helpers/server.js';
import { BROWSER_REQUIRED, CHROMIUM, REPO, WEB_DIST } from './build.js';

/**
 * Browser tests: a real Natter server serving dist/web (see global-setup.ts), Debian's Chromium
 * driven by playwright-core, and HTTP helpers to set up users quickly. A suite:
 *
 *   describeBrowser('chat', () => {
 *     const h = useHarness();
 *     it('…', async () => { const alice = await h().newUser(); … alice.expectNoErrors(); });
 *   });
 */

export { CHROMIUM } from './build.js';

/** `describe` that is skipped when Chromium is missing, unless TEST_REQUIRE_BROWSER is set (then openHarness fails loudly). */
export function describeBrowser(name: string, fn: () => void): void {
  const skip = !CHROMIUM && !BROWSER_REQUIRED;
  describe.skipIf(skip)(skip ? `${name} [skipped: Chromium is not installed]` : name, fn);
}

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM) {
    throw new Error(
      `Chromium not found at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'} but TEST_REQUIRE_BROWSER is set: apt-get install chromium, or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

/** Every browser context is 127.0.0.1: lift the per-address limits a browser suite would reach. */
const BROWSER_FRIENDLY_ENV: Record<string, string> = {
  WEB_ENABLED: 'true',
  WEB_ROOT: WEB_DIST,
  WS_CONNECTS_PER_MINUTE: '0',
  LOGIN_MAX_FAILURES_PER_IP: '100000',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
};

/** A Natter server on one port and one SQLite database that survive `stop`/`start`/`restart`. */
export interface WebServer {
  readonly url: string;
  readonly port: number;
  /** The running server (a new one after each start); throws while stopped. */
  readonly current: TestServer;
  /** HTTP client of `url` (still valid after a restart). */
  readonly client: Client;
  readonly running: boolean;
  /** Stops at once: open sockets are dropped (clients see 1006), then the port is free. */
  stop(): Promise<void>;
  /** Starts again on the same port, database, uploads and token secret (tokens stay valid). */
  start(): Promise<void>;
  /** stop, wait `downMs` (default 0), start. */
  restart(downMs?: number): Promise<void>;
  /** Stops and deletes the database; fails when the server answered any 5xx. */
  close(): Promise<void>;
}

export async function startWebServer(opts: { env?: Record<string, string> } = {}): Promise<WebServer> {
  const buildError = inject('webBuildError');
  if (buildError) throw new Error(`the web client did not build:\n${buildError}`);
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error(`${WEB_DIST}/index.html is missing: npm run build:web`);
  const dir = tempDir();
  const env = { ...BROWSER_FRIENDLY_ENV, DATA_DIR: dir, ...opts.env };
  const databaseUrl = `sqlite:${path.join(dir, 'natter.db')}`;
  const boot = (port: number) => startServer({ databaseUrl, env: { ...env, PORT: String(port) } });
  let server: TestServer | undefined = await boot(0);
  const first = server;
  const stop = async () => {
    const s = server;
    server = undefined;
    await s?.close();
  };
  const start = async () => void (server ??= await boot(first.port));
  return {
    url: first.url,
    port: first.port,
    client: first.client,
    get current() {
      if (!server) throw new Error('the server is stopped');
      return server;
    },
    get running() {
      return server !== undefined;
    },
    stop,
    start,
    async restart(downMs = 0) {
      await stop();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async close() {
      try {
        await stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface NewUserOptions {
  viewport?: { width: number; height: number };
  /** Browser locale (default zh-CN). */
  locale?: string;
  /** Path opened first (default `/`). */
  path?: string;
}

/** One person at one browser: their own context (storage, cookies), one page, and what went wrong in it. */
export interface WebUser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Fails the test when the page logged a console error or threw. */
  expectNoErrors(): void;
  close(): Promise<void>;
}

/** A grey disc: what any picture from another host (default avatars on the seed's CDN) shows. */
const PLACEHOLDER = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#c8c8c8"/></svg>';

/** Tests run without the Internet: pictures from other hosts get PLACEHOLDER, anything else from them fails. */
async function offline(context: BrowserContext, url: string): Promise<void> {
  const origin = new URL(url).origin;
  await context.route(
    (u) => u.origin !== origin,
    (route) =>
      route.request().resourceType() === 'image'
        ? route.fulfill({ status: 200, contentType: 'image/svg+xml', body: PLACEHOLDER })
        : route.abort('blockedbyclient'),
  );
}

/** A fresh context and page in `browser`, opened at `url` + `opts.path`; pictures from other hosts are stubbed (see `offline`). */
export async function newUser(browser: Browser, url: string, opts: NewUserOptions = {}): Promise<WebUser> {
  const context = await browser.newContext({
    baseURL: url,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    locale: opts.locale ?? 'zh-CN',
  });
  // Fail within a test's time (30s) with playwright's own message rather than vitest's timeout.
  context.setDefaultTimeout(10_000);
  await offline(context, url);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(`console: ${m.text()} (${m.location().url})`)));
  page.on('pageerror', (e) => void errors.push(`pageerror: ${e.message}`));
  await page.goto(opts.path ?? '/');
  return {
    context,
    page,
    errors,
    expectNoErrors: () => expect(errors, 'errors in the page').toEqual([]),
    close: () => context.close(),
  };
}

/** Saves a PNG of the page: into docs/images/<name>.png with UPDATE_SCREENSHOTS=1, else a temp folder. Answers the path. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name ${name}: letters, digits, . _ - only`);
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO, 'docs', 'images') : path.join(os.tmpdir(), 'natter-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  return file;
}

/** A registered account with its password (to log in through the page). */
export interface WebAccount extends Account {
  password: string;
}

/** One browser and one server per suite, with shortcuts over HTTP for the setup. */
export interface Harness {
  browser: Browser;
  server: WebServer;
  url: string;
  newUser(opts?: NewUserOptions): Promise<WebUser>;
  /** Registers over HTTP (unique name unless given; password 123456 unless given). */
  register(username?: string, password?: string): Promise<WebAccount>;
  /** Makes `me` friends with each of `others` (autoAddFriendAndAgree). */
  befriend(me: Account, ...others: Account[]): Promise<void>;
  /** Sends a 1:1 text over HTTP, as the seed's clients do; the answer is returned, not checked. */
  sendText(from: Account, to: Account, text: string): Promise<Answer>;
  /** Closes every context, the browser and the server. */
  close(): Promise<void>;
}

export async function openHarness(opts: { env?: Record<string, string> } = {}): Promise<Harness> {
  const server = await startWebServer(opts);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (e) {
    await server.close();
    throw e;
  }
  const users: WebUser[] = [];
  return {
    browser,
    server,
    url: server.url,
    async newUser(o) {
      const u = await newUser(browser, server.url, o);
      users.push(u);
      return u;
    },
    async register(username, password = '123456') {
      return { ...(await server.client.register(username, password)), password };
    },
    async befriend(me, ...others) {
      await befriendOver(server.current, me, others);
    },
    sendText: (from, to, text) => send(server.current, from.token, to.id, text),
    async close() {
      try {
        for (const u of users) await u.close().catch(() => undefined);
        await browser.close();
      } finally {
        await server.close();
      }
    },
  };
}

/**
 * `expect.poll` in browser suites: what a page shows may take seconds on a busy machine (uploads,
 * reconnects), more than vitest's default 1 s.
 */
export const PATIENT_POLL = { expect: { poll: { timeout: 15_000, interval: 50 } } };

/**
 * One harness for the enclosing `describe`: opened in `beforeAll` (with `PATIENT_POLL` set), closed
 * in `afterAll`. Answers an accessor for the tests (the harness exists only once `beforeAll` ran).
 */
export function useHarness(opts: { env?: Record<string, string> } = {}): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    vi.setConfig(PATIENT_POLL);
    h = await openHarness(opts);
  });
  afterAll(async () => {
    vi.resetConfig();
    await h?.close();
  });
  return () => {
    if (!h) throw new Error('the harness is not open: use it inside a test or a hook');
    return h;
  };
}
