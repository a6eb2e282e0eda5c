// The parent portal in Chromium: the service finder re-judges eligibility in
// the browser (wasm) as the date changes, and household forms work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, waitForHydration } from './lib.mjs';

async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL(/\/(parent|coordinator|provider|admin)$/), page.click('button[type=submit]')]);
}

test('the finder re-judges eligibility in the browser as the date changes', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, 'parent@example.jp');
    await page.goto(`${BASE}/parent/services?on=2026-12-01`);
    await waitForHydration(page);
    // さくら (born 2025-02-03) is 1 year 9 months: temporary care yes; short stay
    // starts at 1 year 6 months, so both children can use it on 2026-12-01.
    // The coupon left is shown for the child it still covers (under 4).
    // (Other browser tests book with her coupon concurrently, so the amount varies.)
    assert.match(await page.textContent('#coupons'), /さくら: [\d,]+円/);
    assert.doesNotMatch(await page.textContent('#coupons'), /陽太/);
    const stay = page.locator('#finder-short-stay');
    assert.equal(await stay.getAttribute('data-eligible'), 'true');
    // In 2020 neither child was born: the browser says so at once, no request.
    let requests = 0;
    page.on('request', (r) => { if (!r.url().includes('/pkg/')) requests += 1; });
    await page.fill('#on', '2020-01-01');
    await page.waitForFunction(() => document.querySelector('#finder-short-stay').dataset.eligible === 'false');
    assert.match(await page.textContent('#finder-date'), /2020年1月1日\(水\)/);
    assert.equal(requests, 0, 'eligibility was computed in the browser');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a parent adds an expected child through the household form', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await signIn(page, 'parent@example.jp');
    await page.goto(`${BASE}/parent/household`);
    const due = new Date(Date.now() + 90 * 86400e3).toISOString().slice(0, 10);
    await page.fill('#family_name-new', '清瀬');
    await page.fill('#given_name-new', 'あかちゃん');
    await page.fill('#due_date-new', due);
    await Promise.all([page.waitForURL(/saved=1/), page.click('#due_date-new >> xpath=ancestor::form//button[@type="submit"]')]);
    await page.goto(`${BASE}/parent`);
    assert.match(await page.textContent('#children'), /あかちゃん/);
  } finally {
    await browser.close();
  }
});
