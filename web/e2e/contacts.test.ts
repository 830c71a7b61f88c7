import { expect, it } from 'vitest';
import { describeBrowser, useHarness } from './harness.js';
import { DESKTOP, docShot, expectNotice, person, post, signIn, tab, toast, tokenOf } from './social.js';

/** Friends in real browsers: search, request, approval, the friend's page (star, blacklist), deleting. */

describeBrowser('web contacts', () => {
  const h = useHarness();

  it('A finds B, asks to be friends, B approves; both see each other; A stars, blacklists, then deletes B', async () => {
    const a = await person(h(), '张伟', { username: 'zhangwei' });
    // B approves friend requests (invite_confirm 1): adding her takes a request.
    const b = await person(h(), '李娜', { username: 'lina_1992', inviteConfirm: 1 });
    // A few friends A already has, for a contact list that looks like one.
    const others = [
      await person(h(), '王芳', { username: 'wangfang' }),
      await person(h(), '刘洋', { username: 'liuyang88' }),
      await person(h(), '陈静', { username: 'chenjing' }),
      await person(h(), '赵磊', { username: 'zhaolei' }),
    ];
    await h().befriend(a, ...others);

    const alice = await signIn(h(), a, { viewport: DESKTOP });
    const bob = await signIn(h(), b, { viewport: DESKTOP });

    // A: 通讯录 → ＋ → search B by username → 加好友 → a request with a message.
    await tab(alice.page, 'contacts');
    await alice.page.locator('[data-test=contacts-add]').click();
    await alice.page.locator('[data-test=search-input]').fill(b.username);
    await alice.page.locator('[data-test=search-submit]').click();
    const hit = alice.page.locator(`[data-test=search-result][data-id="${b.id}"]`);
    await expect.poll(() => hit.locator('.title').textContent()).toBe('李娜');
    await hit.locator('[data-test=add-friend]').click();
    await alice.page.locator('[data-test=apply-message]').fill('你好，我是张伟，上周聚会上见过');
    await alice.page.locator('[data-test=apply-send]').click();
    await hit.locator('[data-test=applied]').waitFor();

    // B: the contacts tab shows one pending request, and so does 新的朋友.
    await expect.poll(() => bob.page.locator('[data-tab=contacts] .badge').textContent()).toBe('1');
    await tab(bob.page, 'contacts');
    await expect.poll(() => bob.page.locator('[data-test=contacts-pending]').textContent()).toBe('1');
    await bob.page.locator('[data-test=contacts-new-friends]').click();
    const request = bob.page.locator('[data-test=apply-row][data-status=pending]');
    await expect.poll(() => request.locator('.title').textContent()).toBe('张伟');
    await expect.poll(() => request.locator('.sub').textContent()).toBe('你好，我是张伟，上周聚会上见过');
    await request.locator('[data-test=apply-agree]').click();
    await bob.page.locator('[data-test=apply-row][data-status=agree] [data-test=apply-status]').waitFor();
    await bob.page.locator('[data-tab=contacts] .badge').waitFor({ state: 'detached' });

    // Both see each other in their contacts.
    await expect.poll(() => bob.page.locator(`[data-test=friend-row][data-id="${a.id}"]`).textContent()).toContain('张伟');
    await tab(alice.page, 'contacts');
    await expect.poll(() => alice.page.locator(`[data-test=friend-row][data-id="${b.id}"]`).textContent()).toContain('李娜');

    // Both have the conversation with the "we are friends now" notice.
    for (const [page, peer] of [
      [alice.page, b.id],
      [bob.page, a.id],
    ] as const) {
      await tab(page, 'chats');
      await page.locator(`[data-conv="single:${peer}"]`).click();
      await expectNotice(page, '我们已经是好友了');
    }

    // A opens B's page from the contacts: star her; the switch is what the server says.
    await tab(alice.page, 'contacts');
    await alice.page.locator(`[data-test=friend-row][data-id="${b.id}"]`).click();
    await expect.poll(() => alice.page.locator('[data-test=contact-name]').textContent()).toContain('李娜');
    const star = alice.page.locator('[data-test=contact-star]');
    const black = alice.page.locator('[data-test=contact-black]');
    expect(await star.isChecked()).toBe(false);
    expect(await black.isChecked()).toBe(false);
    const token = await tokenOf(alice.page);
    const flags = async () => {
      const res = await post(h(), token, `/api/chat/ismygoodfriend/${b.id}`);
      return res.status === 200 ? { star: res.body.data.ismystarfriend, black: res.body.data.isblack } : res.body.data;
    };
    expect(await flags()).toEqual({ star: 0, black: 0 });

    await star.click();
    await toast(alice.page, '已设为星标朋友');
    await expect.poll(() => star.isChecked()).toBe(true);
    await expect.poll(() => star.isEnabled()).toBe(true);
    expect(await flags()).toEqual({ star: 1, black: 0 });
    await alice.page.locator('[data-test=contact-name] .star').waitFor();
    await docShot(alice.page, 'desktop-contacts');

    // Blacklisted: the switch is on, the server hides the friendship from E19 (不是好友).
    await black.click();
    await expect.poll(() => black.isChecked()).toBe(true);
    await expect.poll(() => black.isEnabled()).toBe(true);
    expect(await flags()).toBe('不是好友');
    await star.waitFor({ state: 'detached' });
    // And back: off again, the star kept.
    await black.click();
    await expect.poll(() => black.isChecked()).toBe(false);
    await expect.poll(() => black.isEnabled()).toBe(true);
    expect(await flags()).toEqual({ star: 1, black: 0 });
    await expect.poll(() => star.isChecked()).toBe(true);

    // Deleting, after a confirmation: B leaves A's list.
    await alice.page.locator('[data-test=contact-delete]').click();
    await alice.page.locator('[data-test=confirm-ok]').click();
    await alice.page.waitForFunction(() => location.hash === '#/contacts');
    await alice.page.locator(`[data-test=friend-row][data-id="${b.id}"]`).waitFor({ state: 'detached' });
    await alice.page.locator(`[data-test=friend-row][data-id="${others[0]!.id}"]`).waitFor();
    expect(await flags()).toBe('不是好友');
    bob.expectNoErrors();
  }, 90_000);
});
