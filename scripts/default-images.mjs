#!/usr/bin/env node
// Draws the images Natter ships in assets/defaults/ (served at /public/defaults/): the default
// avatars of users and groups, the system sender's avatar and the icons of the connect-time
// notices. Run after changing a drawing: `node scripts/default-images.mjs` (needs Chromium,
// CHROMIUM_PATH or /usr/bin/chromium).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = fileURLToPath(new URL('../assets/defaults/', import.meta.url));

const person = (x, y, s, fill) =>
  `<circle cx="${x}" cy="${y - 22 * s}" r="${20 * s}" fill="${fill}"/>` +
  `<path d="M${x - 38 * s} ${y + 42 * s}c0-26 ${17 * s}-${42 * s} ${38 * s}-${42 * s}s${38 * s} ${16 * s} ${38 * s} ${42 * s}z" fill="${fill}"/>`;

const W = 'stroke="#fff" stroke-width="9" stroke-linecap="round" stroke-linejoin="round" fill="none"';

/** A rounded tile of `bg` with a white drawing on a 120×120 canvas. */
const tile = (bg, body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120"><rect width="120" height="120" rx="26" fill="${bg}"/>${body}</svg>`;

const IMAGES = {
  'user.jpg': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><rect width="200" height="200" fill="#e3e7ec"/>${person(100, 100, 1.6, '#a9b3be')}</svg>`,
  'group.png': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><rect width="200" height="200" fill="#d3ecdc"/>${person(72, 112, 1.05, '#8cc3a0')}${person(128, 104, 1.25, '#5fa97a')}</svg>`,
  'kefu.png': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><rect width="200" height="200" fill="#3d7ef5"/>
    <path d="M52 112v-14a48 48 0 0 1 96 0v14" stroke="#fff" stroke-width="12" fill="none"/>
    <rect x="40" y="104" width="26" height="42" rx="10" fill="#fff"/><rect x="134" y="104" width="26" height="42" rx="10" fill="#fff"/>
    <path d="M147 146c0 14-14 22-34 22" stroke="#fff" stroke-width="8" fill="none" stroke-linecap="round"/><circle cx="108" cy="168" r="8" fill="#fff"/></svg>`,
  'img/setPassword.png': tile(
    '#f59f00',
    `<rect x="34" y="56" width="52" height="40" rx="8" fill="#fff"/><path d="M45 56V44a15 15 0 0 1 30 0v12" ${W}/><circle cx="60" cy="74" r="6" fill="#f59f00"/>`,
  ),
  'img/qunliaoNoticeIcon.png': tile(
    '#12b886',
    `<path d="M28 36h44a8 8 0 0 1 8 8v24a8 8 0 0 1-8 8H46l-12 10V76h-6a8 8 0 0 1-8-8V44a8 8 0 0 1 8-8z" fill="#fff"/><path d="M86 50h6a8 8 0 0 1 8 8v22a8 8 0 0 1-8 8h-4v9l-11-9H60" ${W} stroke-width="7"/>`,
  ),
  'img/friendList.png': tile(
    '#4c6ef5',
    `<rect x="30" y="26" width="60" height="70" rx="8" fill="#fff"/>${person(60, 62, 0.52, '#4c6ef5')}<path d="M30 40h-6M30 60h-6M30 80h-6" ${W} stroke-width="6"/>`,
  ),
  'img/whoCanChatMe.png': tile(
    '#7950f2',
    `<path d="M30 32h60a8 8 0 0 1 8 8v32a8 8 0 0 1-8 8H54l-16 14V80h-8a8 8 0 0 1-8-8V40a8 8 0 0 1 8-8z" fill="#fff"/><path d="M48 56h24M60 46v20" stroke="#7950f2" stroke-width="8" stroke-linecap="round"/>`,
  ),
  'img/myQrcode1.png': tile(
    '#343a40',
    `<g fill="#fff"><path d="M28 28h28v28H28zM64 28h28v28H64zM28 64h28v28H28z"/><rect x="64" y="64" width="10" height="10"/><rect x="82" y="64" width="10" height="10"/><rect x="73" y="73" width="10" height="10"/><rect x="64" y="82" width="10" height="10"/><rect x="82" y="82" width="10" height="10"/></g><g fill="#343a40"><rect x="35" y="35" width="14" height="14"/><rect x="71" y="35" width="14" height="14"/><rect x="35" y="71" width="14" height="14"/></g>`,
  ),
  'img/search.png': tile('#15aabf', `<circle cx="54" cy="54" r="22" ${W}/><path d="M71 71l19 19" ${W} stroke-width="12"/>`),
  'img/applyAddMeFriendSet.png': tile('#fa5252', `${person(50, 68, 0.7, '#fff')}<path d="M86 40v26M73 53h26" ${W}/>`),
  'img/AskAndAnswerSet.png': tile(
    '#fd7e14',
    `<circle cx="60" cy="60" r="34" fill="#fff"/><path d="M48 50a12 12 0 1 1 17 11c-4 2-5 5-5 9" stroke="#fd7e14" stroke-width="8" fill="none" stroke-linecap="round"/><circle cx="60" cy="82" r="5" fill="#fd7e14"/>`,
  ),
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const [name, svg] of Object.entries(IMAGES)) {
    const size = svg.includes('viewBox="0 0 200 200"') ? 200 : 120;
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
    const file = path.join(OUT, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const jpeg = name.endsWith('.jpg');
    await page.screenshot({ path: file, type: jpeg ? 'jpeg' : 'png', quality: jpeg ? 88 : undefined, omitBackground: !jpeg });
    process.stdout.write(`${name}\n`);
  }
} finally {
  await browser.close();
}
