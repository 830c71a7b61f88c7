import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { FFMPEG, itFfmpeg, png, pngSize, sample } from '../../test/helpers/media.js';
import { describeBrowser, screenshot, useHarness } from './harness.js';
import {
  convRow,
  friends,
  FRIENDS_NOW,
  goTo,
  myStates,
  openChat,
  person,
  PHONE,
  signIn,
  SLOW,
  transcript,
  typeAndEnter,
} from './social.js';

/** 1:1 chat in real browsers: live both ways, pictures and videos, revoking; screens for the docs. */

/** A picture to send: a fractal drawn by ffmpeg when it is there, a QR code otherwise. */
const picture = async () => (FFMPEG ? sample('png', 'mandelbrot=size=480x300', ['-frames:v', '1']) : await png());
/** A 2 s clip (getVideoScreenshot takes its frame at 1 s). */
const clip = () => sample('mp4', 'testsrc2=duration=2:size=320x180:rate=10', ['-pix_fmt', 'yuv420p']);

async function sendFile(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await page.setInputFiles('input[type=file]', { name, mimeType, buffer });
}

/** The width of the picture at `src` once the page loaded it (0: it did not load). */
function loadedWidth(page: Page, src: string): Promise<number> {
  return page.evaluate(async (s) => {
    const i = new Image();
    i.src = s;
    await i.decode().catch(() => undefined);
    return i.naturalWidth;
  }, src);
}

const allPicturesLoaded = (page: Page) =>
  page.locator('img').evaluateAll((imgs) => (imgs as HTMLImageElement[]).every((i) => i.complete && i.naturalWidth > 0));

describeBrowser('web chat', () => {
  const h = useHarness();

  it(
    'two people chat both ways live: unread badge and preview in the list, read on open, order and states',
    async () => {
      const [a, b] = await friends(h(), ['林晓', '陈默']);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b)]);

      // Opened by its address alone (no conversation yet on this device, no label in the link).
      await openChat(alice.page, b.id);
      await typeAndEnter(alice.page, '晚上一起吃饭吗？');
      await expect.poll(() => myStates(alice.page)).toEqual([['晚上一起吃饭吗？', 'sent']]);
      await expect.poll(() => alice.page.locator('main .page-head h1').textContent()).toBe('陈默');

      const row = convRow(bob.page, `single:${a.id}`);
      await expect.poll(() => row.locator('.title').textContent()).toBe('林晓');
      await expect.poll(() => row.locator('.sub').textContent()).toBe('晚上一起吃饭吗？');
      await expect.poll(() => row.locator('.badge.unread').textContent()).toBe('1');

      await row.click();
      await bob.page.locator('#composer-text').waitFor();
      await row.locator('.badge.unread').waitFor({ state: 'detached' });
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '晚上一起吃饭吗？']);

      await bob.page.fill('#composer-text', '好啊，七点老地方 see you');
      await bob.page.click('button.send');
      await expect.poll(() => myStates(bob.page)).toEqual([['好啊，七点老地方 see you', 'sent']]);

      const both = [FRIENDS_NOW, '晚上一起吃饭吗？', '好啊，七点老地方 see you'];
      await expect.poll(() => transcript(alice.page)).toEqual(both);
      await expect.poll(() => transcript(bob.page)).toEqual(both);
      // Alice is looking at the conversation: Bob's reply is read at once, and the list says it.
      await expect.poll(() => convRow(alice.page, `single:${b.id}`).locator('.sub').textContent()).toBe('好啊，七点老地方 see you');
      expect(await convRow(alice.page, `single:${b.id}`).locator('.badge.unread').count()).toBe(0);
      await expect.poll(() => myStates(alice.page)).toEqual([['晚上一起吃饭吗？', 'sent']]);
      alice.expectNoErrors();
      bob.expectNoErrors();
    },
    SLOW,
  );

  it(
    'a picture: the receiver sees it loaded, the list says [图片]',
    async () => {
      const [a, b] = await friends(h(), ['Mia', '周舟']);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b)]);
      await openChat(alice.page, b.id);
      await openChat(bob.page, a.id);

      const buf = await picture();
      await sendFile(alice.page, 'sunset.png', 'image/png', buf);
      await expect.poll(() => myStates(alice.page)).toEqual([['[image]', 'sent']]);
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '[image]']);

      const img = bob.page.locator('[role=log] .msg[data-kind=image] .bubble img');
      const src = await img.getAttribute('src');
      expect(src).toMatch(/^\/public\/.+\.png$/);
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(pngSize(buf).width);
      // The sender's bubble now shows the stored picture too, not the local copy.
      await expect.poll(() => alice.page.locator('[role=log] .msg[data-kind=image] .bubble img').getAttribute('src')).toBe(src);
      await expect.poll(() => convRow(bob.page, `single:${a.id}`).locator('.sub').textContent()).toBe('[图片]');
      alice.expectNoErrors();
      bob.expectNoErrors();
    },
    SLOW,
  );

  itFfmpeg(
    'a video: the receiver sees it with a poster the server made (getVideoScreenshot)',
    async () => {
      const [a, b] = await friends(h(), ['Mia', '周舟']);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b)]);
      await openChat(alice.page, b.id);
      await openChat(bob.page, a.id);

      await sendFile(alice.page, 'clip.mp4', 'video/mp4', clip());
      await expect.poll(() => myStates(alice.page)).toEqual([['[video]', 'sent']]);
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '[video]']);

      const video = bob.page.locator('[role=log] .msg[data-kind=video] video');
      const poster = await video.getAttribute('poster');
      expect(poster).toMatch(/^\/public\/.+\.jpe?g$/);
      expect(await loadedWidth(bob.page, poster!)).toBe(320);
      const src = await video.getAttribute('src');
      expect(src).toMatch(/^\/public\/.+\.mp4$/);
      const res = await bob.page.request.get(src!);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toMatch(/^video\/mp4/);
      await expect.poll(() => convRow(bob.page, `single:${a.id}`).locator('.sub').textContent()).toBe('[视频]');
      alice.expectNoErrors();
      bob.expectNoErrors();
    },
    SLOW,
  );

  it(
    'revoking: both screens show the notice in place of the message, and the list preview says it',
    async () => {
      const [a, b] = await friends(h(), ['林晓', '陈默']);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b)]);
      await openChat(alice.page, b.id);
      await openChat(bob.page, a.id);
      await typeAndEnter(alice.page, '这条发错了');
      await typeAndEnter(alice.page, '刚才那条不算');
      await expect
        .poll(() => myStates(alice.page))
        .toEqual([
          ['这条发错了', 'sent'],
          ['刚才那条不算', 'sent'],
        ]);
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '这条发错了', '刚才那条不算']);

      const last = alice.page.locator('[role=log] .msg', { hasText: '刚才那条不算' });
      await last.hover();
      await last.locator('.revoke').click();

      await expect.poll(() => transcript(alice.page)).toEqual([FRIENDS_NOW, '这条发错了', '(你撤回了一条消息)']);
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '这条发错了', '(林晓撤回了一条消息)']);
      await expect.poll(() => convRow(bob.page, `single:${a.id}`).locator('.sub').textContent()).toBe('林晓撤回了一条消息');
      await expect.poll(() => convRow(alice.page, `single:${b.id}`).locator('.sub').textContent()).toBe('你撤回了一条消息');
      // Kept on the device.
      await bob.page.reload();
      await expect.poll(() => transcript(bob.page)).toEqual([FRIENDS_NOW, '这条发错了', '(林晓撤回了一条消息)']);
      alice.expectNoErrors();
      bob.expectNoErrors();
    },
    SLOW,
  );

  it(
    'screens for the docs: a conversation on a desktop, the list and a conversation on a phone',
    async () => {
      const [a, b] = await friends(h(), ['林晓', '陈默'], { avatars: true });
      const others = [
        await person(h(), '王芳', { avatar: true }),
        await person(h(), 'Lucas', { avatar: true }),
        await person(h(), '张伟', { avatar: true }),
      ];
      for (const o of others) await h().befriend(o, a, b);
      const [alice, bob] = await Promise.all([signIn(h(), a), signIn(h(), b, { viewport: PHONE })]);
      // Friends write while both are online (the list shows them above the sign-in notices).
      const notes = ['周末去爬山吗？天气预报说是晴天 ☀️', 'The PR is merged, thanks!', '明天上午十点开会，别迟到'];
      for (const [i, o] of others.entries()) {
        for (const to of [a, b]) expect((await h().sendText(o, to, notes[i]!)).status).toBe(200);
      }
      for (const page of [alice.page, bob.page]) {
        await expect.poll(() => convRow(page, `single:${others[2]!.id}`).locator('.sub').textContent()).toBe(notes[2]);
      }
      await openChat(alice.page, b.id);
      await convRow(bob.page, `single:${a.id}`).click();
      await bob.page.locator('#composer-text').waitFor();

      const lines: [Page, string][] = [
        [bob.page, '林晓，下午的设计评审改到三点了'],
        [alice.page, '收到！我把新版首页的截图发你看看'],
      ];
      for (const [page, text] of lines) await typeAndEnter(page, text);
      await sendFile(alice.page, 'home-v2.png', 'image/png', await picture());
      await expect.poll(async () => (await myStates(alice.page)).at(-1)).toEqual(['[image]', 'sent']);
      await typeAndEnter(bob.page, '配色好看多了 👍 动效也录个视频？');
      if (FFMPEG) {
        await sendFile(alice.page, 'demo.mp4', 'video/mp4', clip());
        await expect.poll(async () => (await myStates(alice.page)).at(-1)).toEqual(['[video]', 'sent']);
      }
      await typeAndEnter(bob.page, 'Looks great, ship it!');
      await typeAndEnter(alice.page, '好的，今晚发版 🚀');

      const expected = [
        FRIENDS_NOW,
        '林晓，下午的设计评审改到三点了',
        '收到！我把新版首页的截图发你看看',
        '[image]',
        '配色好看多了 👍 动效也录个视频？',
        ...(FFMPEG ? ['[video]'] : []),
        'Looks great, ship it!',
        '好的，今晚发版 🚀',
      ];
      await expect.poll(() => transcript(alice.page)).toEqual(expected);
      await expect.poll(() => transcript(bob.page)).toEqual(expected);
      for (const page of [alice.page, bob.page]) {
        await expect.poll(async () => (await myStates(page)).every(([, s]) => s === 'sent')).toBe(true);
        // Every picture shown (avatars, the image, the poster) has loaded.
        await expect.poll(() => allPicturesLoaded(page)).toBe(true);
      }
      // The pointer rests on a title bar, not on a message (whose revoke button would show).
      for (const page of [alice.page, bob.page]) await page.mouse.move(200, 20);
      await screenshot(alice.page, 'desktop-chat');
      await screenshot(bob.page, 'phone-chat');
      await goTo(bob.page, '#/chats');
      await convRow(bob.page, `single:${others[0]!.id}`).waitFor();
      await expect.poll(() => allPicturesLoaded(bob.page)).toBe(true);
      await screenshot(bob.page, 'phone-chats');
      alice.expectNoErrors();
      bob.expectNoErrors();
    },
    SLOW,
  );
});
