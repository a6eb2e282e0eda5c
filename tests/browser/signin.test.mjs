// The demo parent signs in through the real page in Chromium and sees the
// parent page; the show-password button proves hydration (it only works with
// the wasm bundle running).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, waitForHydration } from './lib.mjs';

test('demo parent signs in and sees the parent page', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${BASE}/signin`);
    await waitForHydration(page);

    const password = page.locator('#password');
    assert.equal(await password.getAttribute('type'), 'password');
    await page.click('#toggle-password');
    await page.waitForFunction(() => document.querySelector('#password').type === 'text');
    assert.equal(await page.getAttribute('#toggle-password', 'aria-pressed'), 'true');
    await page.click('#toggle-password');
    assert.equal(await password.getAttribute('type'), 'password');

    await page.fill('#email', 'parent@example.jp');
    await page.fill('#password', 'hagukumi-demo');
    await Promise.all([page.waitForURL(`${BASE}/parent`), page.click('button[type=submit]')]);
    await page.waitForSelector('#welcome');
    assert.equal((await page.textContent('#welcome')).trim(), 'ようこそ、清瀬 花子さん');
    assert.equal((await page.textContent('#role')).trim(), '保護者');
    assert.equal((await page.textContent('#municipality')).trim(), '清瀬市');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a wrong password says so on the sign-in page', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${BASE}/signin`);
    await page.fill('#email', 'parent@example.jp');
    await page.fill('#password', 'not-the-password');
    await Promise.all([page.waitForURL(/\/signin\?error=/), page.click('button[type=submit]')]);
    assert.match(await page.textContent('#signin-error'), /正しくありません/);
  } finally {
    await browser.close();
  }
});
