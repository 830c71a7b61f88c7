import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeBrowser, useHarness } from './harness.js';
import { DESKTOP, person, signIn } from './social.js';

/**
 * Long lists stay light: with 10,000 messages in one conversation and 1,000 conversations kept
 * on the device, the pages render only what is near the view, yet every row can be reached.
 * Times are printed, not asserted (they depend on the machine).
 */

const MESSAGES = 10_000;
const CONVERSATIONS = 1_000;
/** Peers of the seeded conversations: user ids no one has (only this device knows them). */
const FIRST_PEER = 900_000;
const BIG = `single:${FIRST_PEER}`;
const OLDEST = `single:${FIRST_PEER + CONVERSATIONS - 1}`;

interface Seed {
  owner: number;
  messages: number;
  conversations: number;
  firstPeer: number;
  now: number;
}

/**
 * Writes the history straight into IndexedDB, in the schema of web/src/storage/db.ts (database
 * `natter` v1; `messages` keyed [owner, key] with index byConv [owner, conv, create_time];
 * `conversations` keyed [owner, conv]): conversation 0 holds every message, the others one each.
 */
function seed(page: Page, s: Seed): Promise<void> {
  return page.evaluate(async ({ owner, messages, conversations, firstPeer, now }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('natter', 1);
      req.onupgradeneeded = () => {
        const m = req.result.createObjectStore('messages', { keyPath: ['owner', 'key'] });
        m.createIndex('byConv', ['owner', 'conv', 'create_time']);
        req.result.createObjectStore('conversations', { keyPath: ['owner', 'conv'] });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const text = (t: string) => JSON.stringify({ data: t, dataType: false, otherData: null });
    const tx = db.transaction(['messages', 'conversations'], 'readwrite');
    const store = tx.objectStore('messages');
    const peer = firstPeer;
    // Message k (1 = oldest) a few seconds after k − 1; the newest a minute ago.
    const start = now - 60_000 - messages * 5_000;
    for (let k = 1; k <= messages; k++) {
      const mine = k % 3 === 0;
      store.put({
        id: `seed-${k}`,
        key: `seed-${k}`,
        owner,
        conv: `single:${peer}`,
        from_id: mine ? owner : peer,
        from_name: mine ? '我' : '老朋友',
        from_avatar: '',
        to_id: mine ? peer : owner,
        to_name: mine ? '老朋友' : '我',
        to_avatar: '',
        chatType: 'single',
        type: 'text',
        data: text(`第 ${k} 条消息`),
        options: {},
        create_time: start + k * 5_000,
        isremove: 0,
        state: mine ? 'sent' : 'received',
        mine,
      });
    }
    const convs = tx.objectStore('conversations');
    for (let i = 0; i < conversations; i++) {
      convs.put({
        owner,
        conv: `single:${firstPeer + i}`,
        chatType: 'single',
        peerId: firstPeer + i,
        name: i === 0 ? '老朋友' : `联系人 ${i + 1}`,
        avatar: '',
        preview: i === 0 ? `第 ${messages} 条消息` : `会话 ${i + 1} 的最后一条消息`,
        previewKind: 'text',
        // Newest first: conversation 0 a minute ago, each next one an hour older.
        time: now - 60_000 - i * 3_600_000,
        unread: 0,
      });
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, s);
}

/** Scrolls an element to its top or bottom (a person dragging the scrollbar all the way). */
function scrollTo(page: Page, selector: string, where: 'top' | 'bottom'): Promise<void> {
  return page.locator(selector).evaluate((el, w) => {
    el.scrollTop = w === 'top' ? 0 : el.scrollHeight;
    el.dispatchEvent(new Event('scroll'));
  }, where);
}

describeBrowser('web client at scale', () => {
  const h = useHarness();

  it('1,000 conversations and a 10,000-message conversation: few rows rendered, the oldest reachable', async () => {
    const p = await person(h(), '林晓', { username: 'linxiao', avatar: false });
    const me = await signIn(h(), p, { viewport: DESKTOP });
    const seeding = Date.now();
    await seed(me.page, { owner: p.id, messages: MESSAGES, conversations: CONVERSATIONS, firstPeer: FIRST_PEER, now: Date.now() });
    const seeded = Date.now() - seeding;

    const loading = Date.now();
    await me.page.reload();
    const list = '[role=list]';
    await me.page.locator(`[data-conv="${BIG}"]`).waitFor();
    const listed = Date.now() - loading;
    const rowsAtTop = await me.page.locator('[data-conv]').count();
    expect(rowsAtTop).toBeGreaterThan(5);
    expect(rowsAtTop).toBeLessThan(60);

    // All the way down: the oldest conversation is there, and still only a few rows are.
    await expect
      .poll(async () => {
        await scrollTo(me.page, list, 'bottom');
        return me.page.locator(`[data-conv="${OLDEST}"]`).isVisible();
      })
      .toBe(true);
    expect(await me.page.locator(`[data-conv="${OLDEST}"] .title`).textContent()).toBe(`联系人 ${CONVERSATIONS}`);
    expect(await me.page.locator('[data-conv]').count()).toBeLessThan(60);

    // The big conversation: opened, the newest message is at the bottom of the view.
    await scrollTo(me.page, list, 'top');
    const opening = Date.now();
    await me.page.locator(`[data-conv="${BIG}"]`).click();
    const newest = me.page.locator(`.msg[data-key="seed-${MESSAGES}"]`);
    await newest.waitFor();
    const opened = Date.now() - opening;
    const log = me.page.locator('[role=log]');
    await expect
      .poll(async () => {
        const [m, l] = [await newest.boundingBox(), await log.boundingBox()];
        return !!m && !!l && m.y + m.height <= l.y + l.height + 1 && m.y + m.height > l.y + l.height - 80;
      })
      .toBe(true);
    expect(await newest.locator('span.text').textContent()).toBe(`第 ${MESSAGES} 条消息`);
    const bottoms = await me.page
      .locator('.msg')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().bottom).filter((b) => b <= innerHeight));
    expect(Math.max(...bottoms)).toBe((await newest.boundingBox())!.y + (await newest.boundingBox())!.height);
    const rendered = await me.page.locator('.msg').count();
    expect(rendered).toBeGreaterThan(3);
    expect(rendered).toBeLessThan(100);

    // All the way up: message #1, then #2 below it.
    await expect
      .poll(async () => {
        await scrollTo(me.page, '[role=log]', 'top');
        return me.page.locator('.msg[data-key="seed-1"]').isVisible();
      })
      .toBe(true);
    expect(await me.page.locator('.msg[data-key="seed-1"] span.text').textContent()).toBe('第 1 条消息');
    const [first, second] = [
      await me.page.locator('.msg[data-key="seed-1"]').boundingBox(),
      await me.page.locator('.msg[data-key="seed-2"]').boundingBox(),
    ];
    expect(second!.y).toBeGreaterThan(first!.y);
    expect(await me.page.locator('.msg').count()).toBeLessThan(100);

    console.log(
      `scale: seeded ${MESSAGES} messages + ${CONVERSATIONS} conversations in ${seeded} ms; ` +
        `reload to list ${listed} ms (${rowsAtTop} rows rendered); opening the big conversation ${opened} ms (${rendered} messages rendered)`,
    );
    me.expectNoErrors();
  }, 90_000);
});
