import { expect, it } from 'vitest';
import { describeBrowser, useHarness } from './harness.js';
import {
  DESKTOP,
  docShot,
  expectNotice,
  person,
  PHONE,
  say,
  shownMessages,
  signIn,
  storedAccount,
  tab,
  toast,
  type Shown,
} from './social.js';

/** Group chat in real browsers: three people create, talk, rename, announce, leave; a guest asks to join by the QR link. */

describeBrowser('web groups', () => {
  const h = useHarness();

  it('create from contacts, talk in order on three screens, rename and announce, leave, approve a guest who scanned the QR code', async () => {
    const a = await person(h(), '张伟', { username: 'zhangwei' });
    const b = await person(h(), '李娜', { username: 'lina_1992' });
    const c = await person(h(), '王芳', { username: 'wangfang' });
    await h().befriend(a, b, c);
    const alice = await signIn(h(), a, { viewport: DESKTOP });
    const bob = await signIn(h(), b, { viewport: DESKTOP });
    const carol = await signIn(h(), c, { viewport: PHONE });

    // A: 群聊 → 发起群聊 → pick B and C → create: the group's conversation opens with the notice.
    await tab(alice.page, 'groups');
    await alice.page.locator('[data-test=group-create-open]').click();
    await alice.page.locator(`[data-test=group-pick][data-id="${b.id}"]`).check();
    await alice.page.locator(`[data-test=group-pick][data-id="${c.id}"]`).check();
    await alice.page.locator('[data-test=group-create-submit]').click();
    await alice.page.waitForFunction(() => location.hash.startsWith('#/chat/group/'));
    const gid = Number(/#\/chat\/group\/(\d+)/.exec(await alice.page.evaluate(() => location.hash))![1]);
    const created = '张伟创建了一个群，大家可以开始聊天了';
    await expectNotice(alice.page, created);

    // B and C: the conversation comes into their chat lists; opened, it shows the notice.
    for (const u of [bob, carol]) {
      const row = u.page.locator(`[data-conv="group:${gid}"]`);
      await expect.poll(() => row.locator('.sub').textContent()).toBe(created);
      await expect.poll(() => row.locator('.title').textContent()).toBe('张伟、李娜、王芳');
      await row.click();
      await expectNotice(u.page, created);
    }

    // Each says something, one after the other; every screen shows the three in that order, with names.
    const lines: [typeof alice, string][] = [
      [alice, '大家好！周六一起去香山爬山吧？'],
      [bob, '好呀，我周六上午有空 🙌'],
      [carol, '我也去！几点在哪儿集合？'],
    ];
    const names = new Map([
      [alice, '张伟'],
      [bob, '李娜'],
      [carol, '王芳'],
    ]);
    for (const [who, text] of lines) {
      await say(who.page, text);
      for (const u of [alice, bob, carol]) await u.page.locator('.msg', { hasText: text }).waitFor();
    }
    for (const u of [alice, bob, carol]) {
      const seen: Shown[] = lines.map(([who, text]) => ({ name: who === u ? '' : names.get(who)!, text, mine: who === u }));
      await expect.poll(() => shownMessages(u.page)).toEqual(seen);
    }
    await docShot(carol.page, 'phone-group-chat');

    // A renames the group and sets the announcement from the group's page.
    await alice.page.locator(`a[href="#/group/${gid}"]`).click();
    await alice.page.locator('[data-test=group-name-input]').fill('周末爬山小分队');
    await alice.page.locator('[data-test=group-rename]').click();
    await toast(alice.page, '已保存');
    const notice = '周六早上 8 点香山公园东门集合，记得带水和午饭。';
    await alice.page.locator('[data-test=group-notice-input]').fill(notice);
    await alice.page.locator('[data-test=group-notice-save]').click();
    await expect.poll(() => alice.page.locator('[data-test=group-notice-save]').isDisabled()).toBe(true);
    await expect.poll(() => alice.page.locator('[data-test=group-member]').count()).toBe(3);
    await docShot(alice.page, 'desktop-group');

    // B and C, looking at the conversation, see both system notices.
    for (const u of [bob, carol]) {
      await expectNotice(u.page, '群名称修改为：周末爬山小分队');
      await expectNotice(u.page, notice);
    }
    await expect.poll(() => bob.page.locator(`[data-conv="group:${gid}"] .title`).textContent()).toBe('周末爬山小分队');

    // C leaves (after confirming); A, the owner, is told in the conversation.
    await carol.page.locator(`a[href="#/group/${gid}"]`).click();
    await carol.page.locator('[data-test=group-quit]').click();
    await carol.page.locator('[data-test=confirm-ok]').click();
    await toast(carol.page, '已退出群聊');
    await carol.page.waitForFunction(() => location.hash === '#/groups');
    await carol.page.locator(`[data-test=group-row][data-id="${gid}"]`).waitFor({ state: 'detached' });
    await expect.poll(() => alice.page.locator('[data-test=group-member]').count()).toBe(2);
    await alice.page.locator('[data-test=group-chat-open]').click();
    await expectNotice(alice.page, /^王芳于 .+ 已退出群聊$/);

    // Joining needs the owner's approval; a guest opens the group's QR link and asks to join.
    await alice.page.locator(`a[href="#/group/${gid}"]`).click();
    await alice.page.locator('[data-test=group-policy]').selectOption('1');
    await toast(alice.page, '设置成功');
    const guest = await h().newUser({
      viewport: PHONE,
      path: `/#/pages/setpageInfo/setpageInfo?action=autoAddGroup&chatType=group&id=${gid}`,
    });
    await expect.poll(() => guest.page.locator('[data-test=group-name]').textContent()).toBe('周末爬山小分队');
    await guest.page.locator('[data-test=group-join]').click();
    await toast(guest.page, '等待群主同意');
    const guestId = (await storedAccount(guest.page))!.id;
    expect((await storedAccount(guest.page))!.role).toBe('visitor');

    // A sees the request on the group's page and approves it: the guest is a member, on both screens.
    const request = alice.page.locator(`[data-test=group-pending][data-id="${guestId}"]`);
    await request.locator('[data-test=group-approve]').click();
    await toast(alice.page, '处理成功');
    await request.waitFor({ state: 'detached' });
    await alice.page.locator(`[data-test=group-member][data-id="${guestId}"]`).waitFor();
    await expect.poll(() => alice.page.locator('[data-test=group-member]').count()).toBe(3);
    await guest.page.locator(`[data-test=group-member][data-id="${guestId}"]`).waitFor();
    await guest.page.locator('[data-test=group-chat-open]').waitFor();

    for (const u of [alice, bob, carol, guest]) u.expectNoErrors();
  }, 120_000);
});
