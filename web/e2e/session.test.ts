import { expect, it } from 'vitest';
import { describeBrowser, screenshot, useHarness } from './harness.js';
import {
  connState,
  convRow,
  friends,
  FRIENDS_NOW,
  goTo,
  logIn,
  myStates,
  online,
  openChat,
  PHONE,
  signIn,
  SLOW,
  storedAccount,
  transcript,
  typeAndEnter,
} from './social.js';

/** What a device keeps across a sign-up, a login elsewhere, a closed page and a server restart. */

/** auth.signedOutElsewhere (web/src/i18n/messages/core.ts). */
const SIGNED_OUT_ELSEWHERE = '你的账号已在其他设备登录，当前设备已下线。如果不是你本人操作，请及时修改密码。';

let names = 0;
/** A username nobody has (4–20 letters, digits, _). */
const freshName = () => `w${process.pid % 1000}_${Date.now() % 1_000_000}_${names++}`;

describeBrowser('web session', () => {
  const h = useHarness();

  it(
    'a visitor signs up from the page and keeps the same account, now a user',
    async () => {
      const guest = await h().newUser({ viewport: PHONE });
      const { page } = guest;
      const before = await online(page);
      expect(before.role).toBe('visitor');
      const banner = page.locator('a.visitor');
      expect(await banner.getAttribute('href')).toBe('#/login');
      expect(await banner.textContent()).toContain('游客');

      await goTo(page, '#/register');
      await page.locator('.callout').waitFor(); // "your guest chats, friends and groups are kept"
      const username = freshName();
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', '123456');
      await page.fill('input[name=repassword]', '123456');
      await page.click('button[type=submit]');
      await page.waitForFunction(() => location.hash === '#/chats');
      await banner.waitFor({ state: 'detached' });

      const after = await storedAccount(page);
      expect(after).toMatchObject({ id: before.id, username, role: 'user' });
      await online(page);
      // The server agrees: the name and password log in to that same account.
      const login = await h().server.client.post('/api/loginChat', { username, password: '123456' });
      expect(login.status).toBe(200);
      expect(login.body.data.id).toBe(before.id);
      guest.expectNoErrors();
    },
    SLOW,
  );

  it(
    'a login on another device signs this one out with a notice; it goes on as a new visitor, the other device works',
    async () => {
      const [a, b] = await friends(h(), ['林晓', '陈默']);
      const first = await signIn(h(), a);
      await openChat(first.page, b.id);
      await typeAndEnter(first.page, '我先用电脑登录');
      await expect.poll(() => myStates(first.page)).toEqual([['我先用电脑登录', 'sent']]);

      const second = await h().newUser({ viewport: PHONE });
      await online(second.page);
      await logIn(second.page, a);

      const dialog = first.page.getByRole('alertdialog');
      await dialog.waitFor();
      expect((await dialog.textContent())?.trim()).toContain(SIGNED_OUT_ELSEWHERE);
      await expect.poll(async () => (await storedAccount(first.page))?.role).toBe('visitor');
      const now = await online(first.page);
      expect(now.id).not.toBe(a.id);
      await first.page.locator('a.visitor').waitFor();
      // The conversation on show was the account's: the page went back to the (visitor's) list.
      await first.page.waitForFunction(() => location.hash === '#/chats');
      await first.page.mouse.move(640, 20);
      await screenshot(first.page, 'signed-out');
      await dialog.getByRole('button', { name: '知道了' }).click();
      await dialog.waitFor({ state: 'detached' });
      // The new visitor sees none of the account's conversations.
      expect(await convRow(first.page, `single:${b.id}`).count()).toBe(0);

      // The phone carries on as the account.
      expect((await storedAccount(second.page))?.id).toBe(a.id);
      await openChat(second.page, b.id);
      await typeAndEnter(second.page, '现在换手机了');
      await expect.poll(() => myStates(second.page)).toEqual([['现在换手机了', 'sent']]);
      const bob = await signIn(h(), b);
      await openChat(bob.page, a.id);
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '我先用电脑登录', '现在换手机了']);
      await expect.poll(() => storedAccount(second.page).then((x) => x?.id)).toBe(a.id);
      expect(await second.page.getByRole('alertdialog').count()).toBe(0);
      first.expectNoErrors();
      second.expectNoErrors();
    },
    SLOW,
  );

  it(
    'a closed page gets what was sent meanwhile when it opens again: all of it, once, in order',
    async () => {
      const [a, b] = await friends(h(), ['林晓', '陈默']);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b)]);
      await openChat(alice.page, b.id);
      await typeAndEnter(alice.page, '在吗');
      await expect.poll(() => convRow(bob.page, `single:${a.id}`).locator('.sub').textContent()).toBe('在吗');

      await bob.page.close();
      const texts = ['第一条：明天的会改到十点', '第二条：记得带电脑', 'third: slides are in the shared folder'];
      for (const text of texts) await typeAndEnter(alice.page, text);
      await expect.poll(() => myStates(alice.page)).toEqual(['在吗', ...texts].map((t) => [t, 'sent']));

      // The same browser (its localStorage and IndexedDB) opens the app again.
      const page = await bob.context.newPage();
      await page.goto('/');
      const row = convRow(page, `single:${a.id}`);
      await expect.poll(() => row.locator('.sub').textContent()).toBe(texts[2]);
      await expect.poll(() => row.locator('.badge.unread').textContent()).toBe('4');
      await row.click();
      await expect.poll(() => transcript(page)).toEqual([FRIENDS_NOW, '在吗', ...texts]);

      await page.reload();
      await online(page);
      // Sent now, it comes after anything the server could still push: nothing came twice.
      await typeAndEnter(alice.page, '收到请回复');
      await expect.poll(() => transcript(page)).toEqual([FRIENDS_NOW, '在吗', ...texts, '收到请回复']);
      alice.expectNoErrors();
    },
    SLOW,
  );

  it(
    'the server restarts mid-conversation: offline bar, a failed message sent again by itself, nothing lost or doubled',
    async () => {
      const [a, b] = await friends(h(), ['林晓', '陈默']);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b)]);
      await openChat(alice.page, b.id);
      await openChat(bob.page, a.id);
      await typeAndEnter(alice.page, '服务器要重启了吗？');
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '服务器要重启了吗？']);

      await h().server.stop();
      try {
        // Read state and text together: while the server is down the bar goes offline ↔ connecting
        // with each attempt, so reading the text after the state could meet the next attempt.
        await alice.page.locator('.conn[data-state="offline"]', { hasText: '未连接' }).first().waitFor();
        await typeAndEnter(alice.page, '这条是断线时发的');
        await expect
          .poll(() => myStates(alice.page))
          .toEqual([
            ['服务器要重启了吗？', 'sent'],
            ['这条是断线时发的', 'failed'],
          ]);
      } finally {
        await h().server.start();
      }

      // Back by itself (no reload, no click): the failed message goes out again.
      await expect.poll(() => connState(alice.page), { timeout: 20_000 }).toBe('online');
      await expect
        .poll(() => myStates(alice.page))
        .toEqual([
          ['服务器要重启了吗？', 'sent'],
          ['这条是断线时发的', 'sent'],
        ]);
      await typeAndEnter(alice.page, 'back online');
      await expect.poll(() => connState(bob.page), { timeout: 20_000 }).toBe('online');
      await typeAndEnter(bob.page, '收到三条');

      const all = [FRIENDS_NOW, '服务器要重启了吗？', '这条是断线时发的', 'back online', '收到三条'];
      await expect.poll(() => transcript(bob.page)).toEqual(all);
      await expect.poll(() => transcript(alice.page)).toEqual(all);
      await expect
        .poll(() => myStates(alice.page))
        .toEqual([
          ['服务器要重启了吗？', 'sent'],
          ['这条是断线时发的', 'sent'],
          ['back online', 'sent'],
        ]);
      // And so after a reload (what the device kept).
      await bob.page.reload();
      await expect.poll(() => transcript(bob.page)).toEqual(all);
      // The only errors: the browser's own lines about the requests the stopped server refused.
      for (const u of [alice, bob]) expect(u.errors.filter((e) => !e.includes('net::ERR_CONNECTION_REFUSED'))).toEqual([]);
    },
    SLOW,
  );
});
