// A new parent books temporary care end to end in Chromium at phone width: sign
// up, add a one-year-old on the household page, month calendar with ○/△/× and
// screen-reader labels, a start time, the fee quote with the childrearing coupon,
// confirmation, "my bookings" with what happens next, then a cancel that states
// its fee first. axe-core runs on every page of the walk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, axeViolations, bookableMonth, launch, screenshot } from './lib.mjs';

const DAY = 86400e3;

test('a parent books temporary care and cancels it', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const checked = async (what) => assert.deepEqual(await axeViolations(page), [], what);

    // A new parent signs up and adds a one-year-old.
    const email = `booking-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.jp`;
    await page.goto(`${BASE}/signup`);
    await checked('sign-up page');
    await page.fill('#display_name', '清瀬 ひなたの保護者');
    await page.fill('#email', email);
    await page.fill('#password', 'hagukumi-demo');
    await page.selectOption('#municipality', 'kiyose');
    await Promise.all([page.waitForURL(/\/parent$/), page.click('button[type=submit]')]);
    await page.goto(`${BASE}/parent/household`);
    await checked('household page');
    const birth = new Date(Date.now() - 400 * DAY).toISOString().slice(0, 10);
    await page.fill('#family_name-new', '清瀬');
    await page.fill('#given_name-new', 'ひなた');
    await page.fill('#birth_date-new', birth);
    await Promise.all([page.waitForURL(/saved=1/), page.click('#form-child-new button[type=submit]')]);
    assert.match(await page.textContent('main'), /1歳1か月|1歳/);
    const kids = await (await page.request.get(`${BASE}/api/v1/children`)).json();
    assert.equal(kids.length, 1);

    // A month open for booking (see `bookableMonth`); pick a bookable day there at With-I.
    const month = bookableMonth().toISOString().slice(0, 10);
    await page.goto(`${BASE}/parent/book/temporary-care?month=${month}&site=with-i`);
    await checked('month calendar');
    const day = page.locator('table.calendar td.free a, table.calendar td.few a').first();
    const label = await day.getAttribute('aria-label');
    assert.match(label, /^\d+月\d+日\(.\) 残り\d+$/, label);
    await Promise.all([page.waitForURL(/day=/), day.click()]);
    await checked('day with start times');
    await page.selectOption('#hours', '2');
    await page.check('input[name=child_0]');
    await Promise.all([page.waitForURL(/\/confirm\?/), page.click('#slots button[type=submit]')]);

    // The quote: ひなた is under 4, so the childrearing coupon pays part of the fee.
    await checked('confirmation with the quote');
    const total = await page.textContent('#quote-total');
    assert.match(total, /円$/);
    assert.match(await page.textContent('table.quote'), /子育てクーポン/);
    await screenshot(page, 'booking-quote');
    await Promise.all([page.waitForURL(/\/parent\/bookings\?created=/), page.click('#confirm-book')]);
    assert.match(await page.textContent('#next-steps'), /予約が確定しました/);
    const booking = page.locator('#upcoming li.booking').first();
    assert.equal(await booking.getAttribute('data-status'), 'confirmed');
    await checked('my bookings');
    const created = new URL(page.url()).searchParams.get('created');
    const stored = await (await page.request.get(`${BASE}/api/v1/bookings/${created}`)).json();
    assert.ok(stored.coupon_yen > 0, 'the coupon was spent');
    assert.equal(stored.total_yen, stored.fee_yen - stored.coupon_yen);

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
