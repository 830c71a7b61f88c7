import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, openHarness, screenshot, type Harness } from './harness.js';

/** The built client loads in Chromium from the server: the page, its script, no errors. */

describeBrowser('web client smoke', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(() => h?.close());

  it('opens / with the title Natter, renders into #app and logs no errors', async () => {
    const alice = await h.newUser({ viewport: { width: 390, height: 844 } });
    await expect.poll(() => alice.page.title()).toBe('Natter');
    await alice.page.waitForFunction(() => (document.querySelector('#app')?.childElementCount ?? 0) > 0);
    expect((await alice.page.locator('#app').innerHTML()).trim()).not.toBe('');
    await screenshot(alice.page, 'smoke');
    alice.expectNoErrors();
  });

  it('survives a server restart on the same port and database', async () => {
    const bob = await h.register();
    await h.server.restart();
    const login = await h.server.client.post('/api/loginChat', { username: bob.username, password: bob.password });
    expect(login.status).toBe(200);
    const page = await h.newUser();
    expect(await page.page.title()).toBe('Natter');
  });
});
