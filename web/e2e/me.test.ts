import { expect, it } from 'vitest';
import { makeGroup, sayOk } from '../../test/helpers/groups.js';
import { describeBrowser, useHarness } from './harness.js';
import { DESKTOP, docShot, person, PHONE, portrait, say, signIn, submitLogin, tab, toast, tokenOf } from './social.js';

/** The "me" section in real browsers: profile, password, language, who may message me, logging out. */

describeBrowser('web me', () => {
  const h = useHarness();

  /** The profile anyone can read (E16): what the server holds. */
  async function publicProfile(uuid: string): Promise<{ nickname: string; avatar: string; userset: string }> {
    return (await h().server.client.get(`/api/userinfo/${uuid}`)).body.data;
  }

  it('a new nickname and an uploaded picture show on the Me page (phone) and on the server', async () => {
    const p = await person(h(), '小陈', { username: 'chenjing', avatar: false });
    const me = await signIn(h(), p, { viewport: PHONE });
    await tab(me.page, 'me');
    await expect.poll(() => me.page.locator('[data-test=me-name]').textContent()).toBe('小陈');

    await me.page.locator('[data-test=me-profile]').click();
    const nickname = me.page.locator('[data-test=nickname-input]');
    await expect.poll(() => nickname.inputValue()).toBe('小陈');
    await nickname.fill('陈静');
    await me.page.locator('[data-test=nickname-save]').click();
    await toast(me.page, '修改昵称成功');

    await me.page
      .locator('[data-test=avatar-input]')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await portrait(h(), '陈') });
    await toast(me.page, '头像更新成功');
    const server = await publicProfile(p.uuid);
    expect(server.nickname).toBe('陈静');
    expect(server.avatar).toMatch(/^\/public\/.+\.png$/);

    await me.page.locator('.page-head button, .page-head a').first().click();
    await me.page.waitForFunction(() => location.hash === '#/me');
    await expect.poll(() => me.page.locator('[data-test=me-name]').textContent()).toBe('陈静');
    const picture = me.page.locator('.card img');
    await expect.poll(() => picture.getAttribute('src')).toBe(server.avatar);
    await expect.poll(() => picture.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(160);
    await docShot(me.page, 'phone-me');
    me.expectNoErrors();
  }, 60_000);

  it('a new password: logging in elsewhere works with it, not with the old one', async () => {
    const p = await person(h(), '周杰', { username: 'zhoujie' });
    const me = await signIn(h(), p, { viewport: DESKTOP });
    await tab(me.page, 'me');
    await me.page.locator('[data-test=me-password]').click();
    await me.page.locator('[data-test=password-old]').fill(p.password);
    await me.page.locator('[data-test=password-new]').fill('xiangshan88');
    await me.page.locator('[data-test=password-confirm]').fill('xiangshan88');
    await me.page.locator('[data-test=password-save]').click();
    await toast(me.page, '修改密码成功');
    me.expectNoErrors();

    const other = await h().newUser({ viewport: DESKTOP });
    await other.page.locator('a.visitor').click();
    await submitLogin(other.page, p.username, p.password);
    const error = other.page.locator('.form-error[role=alert]');
    await expect.poll(() => error.textContent()).toBe('账户或密码错误');
    expect(await other.page.evaluate(() => location.hash)).toBe('#/login');

    await submitLogin(other.page, p.username, 'xiangshan88');
    await other.page.waitForFunction(() => location.hash === '#/chats');
    await tab(other.page, 'me');
    await expect.poll(() => other.page.locator('[data-test=me-name]').textContent()).toBe('周杰');
  }, 60_000);

  it('English: the labels change at once and stay after a reload', async () => {
    const p = await person(h(), '孙丽', { username: 'sunli' });
    const jie = await person(h(), '周杰', { username: 'zhoujie_' });
    const na = await person(h(), '李娜', { username: 'lina_1992' });
    // Friends (makeGroup befriends them) and a group of the three.
    const gid = await makeGroup(h().server.current, p, [jie, na]);
    const me = await signIn(h(), p, { viewport: DESKTOP });
    // Said while she is online: these conversations top the list.
    await sayOk(h().server.current, na, gid, '周五的团建定在奥森公园，大家看看时间');
    await h().sendText(na, p, '明天的会议材料我放到共享盘了');
    await h().sendText(jie, p, '晚上一起吃饭吗？我订了七点的位子');
    await h().sendText(jie, p, '就在公司楼下那家川菜馆 🌶️');
    await me.page.locator(`[data-conv="single:${jie.id}"]`, { hasText: '川菜馆' }).waitFor();
    const labels = () => me.page.locator('[data-tab] .label').allTextContents();
    expect(await labels()).toEqual(['消息', '通讯录', '群聊', '我的']);

    await tab(me.page, 'me');
    await me.page.locator('[data-test=me-language]').selectOption('en');
    await expect.poll(labels).toEqual(['Chats', 'Contacts', 'Groups', 'Me']);
    await expect.poll(() => me.page.locator('[data-test=me-profile]').textContent()).toContain('Profile');

    await me.page.reload();
    await expect.poll(labels).toEqual(['Chats', 'Contacts', 'Groups', 'Me']);
    expect(await me.page.locator('[data-test=me-language]').inputValue()).toBe('en');
    expect(await me.page.evaluate(() => document.documentElement.lang)).toBe('en');

    await tab(me.page, 'chats');
    await me.page.locator(`[data-conv="single:${jie.id}"]`).click();
    await me.page.locator('.msg', { hasText: '川菜馆' }).waitFor();
    await expect.poll(() => me.page.locator('#composer-text').getAttribute('placeholder')).toBe('Type a message');
    await say(me.page, 'Sounds good, see you at 7!');
    await docShot(me.page, 'desktop-english');
    me.expectNoErrors();
  }, 60_000);

  it('only friends may message me: a stranger is refused with the server’s reason', async () => {
    const p = await person(h(), '吴敏', { username: 'wumin' });
    const stranger = await person(h(), '郑强', { username: 'zhengqiang' });
    const me = await signIn(h(), p, { viewport: DESKTOP });
    await tab(me.page, 'me');
    await me.page.locator('[data-test=me-chatset]').click();
    await me.page.locator('[data-test=chatset-user] input[type=radio][value="0"]').check();
    await me.page.locator('[data-test=chatset-save]').click();
    await toast(me.page, '设置成功');
    const userset = JSON.parse((await publicProfile(p.uuid)).userset);
    expect(userset.chatset.user.sendCount).toBe(0);
    me.expectNoErrors();

    // The stranger scans her QR code (the link opens her page) and writes to her.
    const other = await signIn(h(), stranger, { viewport: DESKTOP, path: '/' });
    await other.page.evaluate(
      (id) => (location.hash = `#/pages/setpageInfo/setpageInfo?action=autoAddGroup&chatType=single&id=${id}`),
      p.id,
    );
    await other.page.locator('[data-test=stranger-send]').click();
    await other.page.locator('#composer-text').fill('你好，我是郑强，想请教一下周末活动的事');
    await other.page.locator('#composer-text').press('Enter');
    await toast(other.page, '对方设置成：需要您先成为他的好友才能发消息');
    await other.page.locator('.msg.mine[data-state=failed]', { hasText: '想请教一下' }).waitFor();
  }, 60_000);

  it('logging out (after confirming) leaves a guest on this device', async () => {
    const p = await person(h(), '黄磊', { username: 'huanglei' });
    const me = await signIn(h(), p, { viewport: DESKTOP });
    await tab(me.page, 'me');
    await expect.poll(() => me.page.locator('[data-test=me-name]').textContent()).toBe('黄磊');
    const token = await tokenOf(me.page);
    await me.page.locator('[data-test=me-logout]').click();
    await me.page.locator('[data-test=confirm-ok]').click();
    await toast(me.page, '已退出登录');
    await me.page.locator('[data-test=me-visitor-tag]').waitFor();
    await expect.poll(() => me.page.locator('[data-test=me-name]').textContent()).toMatch(/^VIS/);
    await me.page.locator('[data-test=me-logout]').waitFor({ state: 'detached' });
    // The old session is over on the server too.
    expect((await h().server.client.get('/api/chat/goodfriendlist/1', { token })).status).not.toBe(200);

    await me.page.locator('[data-test=me-login]').click();
    await me.page.waitForFunction(() => location.hash === '#/login');
    await me.page.locator('input[name=username]').waitFor();
    await docShot(me.page, 'desktop-login');
    me.expectNoErrors();
  }, 60_000);
});
