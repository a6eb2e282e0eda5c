// A parent books temporary care end to end in Chromium at phone width: month
// calendar with ○/△/× and screen-reader labels, a start time, the fee quote with
// the coupon, confirmation, "my bookings" with what happens next, then a cancel
// that states its fee first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

test('a parent books temporary care and cancels it', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${BASE}/signin`);
    await page.fill('#email', 'parent@example.jp');
    await page.fill('#password', 'hagukumi-demo');
    await Promise.all([page.waitForURL(/\/parent$/), page.click('button[type=submit]')]);

    // Next month is always open for booking (requests open on the 15th of the
    // month before), so pick a bookable day there at With-I.
    const now = new Date();
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    await page.goto(`${BASE}/parent/book/temporary-care?month=${next}&site=with-i`);
    const day = page.locator('table.calendar td.free a, table.calendar td.few a').first();
    const label = await day.getAttribute('aria-label');
    assert.match(label, /^\d+月\d+日\(.\) 残り\d+$/, label);
    await Promise.all([page.waitForURL(/day=/), day.click()]);
    await page.selectOption('#hours', '2');
    // さくら (born 2025-02-03) still has her childrearing coupon; 陽太 is over 4.
    await page.uncheck('input[name=child_0]');
    await page.check('input[name=child_1]');
    await Promise.all([page.waitForURL(/\/confirm\?/), page.click('#slots button[type=submit]')]);

    // The quote: さくら is under 4, so the coupon applies against the fee.
    const total = await page.textContent('#quote-total');
    assert.match(total, /円$/);
    assert.match(await page.textContent('table.quote'), /子育てクーポン/);
    await Promise.all([page.waitForURL(/\/parent\/bookings\?created=/), page.click('#confirm-book')]);
    assert.match(await page.textContent('#next-steps'), /予約が確定しました/);
    const booking = page.locator('#upcoming li.booking').first();
    assert.equal(await booking.getAttribute('data-status'), 'confirmed');

    // Cancelling says what it costs before it happens.
    await booking.locator('details.cancel summary').click();
    assert.match(await booking.locator('.cancel-fee').textContent(), /キャンセル料/);
    await Promise.all([page.waitForURL(/done=1/), booking.locator('button.danger').click()]);
    assert.equal(await page.locator('#past li.booking[data-status="cancelled"]').count() >= 1, true);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
