// The parts of the parent portal a parent needs beyond the first booking, in
// Chromium at phone width (360 px): change a booking's time in My bookings; book a
// weekly series after seeing which dates fit; a double click books once; an
// expired session comes back to the same page after signing in; a form error
// shows next to the field with what was typed; the widget switches to English.
// axe-core runs on each new page; screenshots are saved (tests/browser/screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, axeViolations, bookableMonth, launch, screenshot, signIn } from './lib.mjs';

const iso = (d) => d.toISOString().slice(0, 10);

async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

async function noHorizontalScroll(page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `the page fits 360 px (scrollWidth ${wide})`);
}

/** Picks a bookable day of next month at With-I, opens its form and chooses
 * さくら (陽太 is past preschool age for temporary care). */
async function openDay(page) {
  await page.goto(`${BASE}/parent/book/temporary-care?month=${iso(bookableMonth())}&site=with-i`);
  const day = page.locator('table.calendar td.free a, table.calendar td.few a').first();
  await Promise.all([page.waitForURL(/day=/), day.click()]);
  await page.uncheck('input[name=child_0]');
  await page.check('input[name=child_1]');
}

test('a parent changes the time of a booking in My bookings', async () => {
  const browser = await launch();
  try {
    const { page, errors } = await phone(browser);
    await signIn(page, 'parent@example.jp');
    await openDay(page);
    await page.selectOption('#start', '10:00');
    await page.selectOption('#hours', '2');
    await Promise.all([page.waitForURL(/\/confirm\?/), page.click('#slots button[type=submit]')]);
    await Promise.all([page.waitForURL(/created=/), page.click('#confirm-book')]);
    const id = new URL(page.url()).searchParams.get('created');
    const item = page.locator(`#booking-${id}`);
    assert.match(await item.textContent(), /10:00〜12:00/);

    await Promise.all([page.waitForURL(/\/change$/), item.locator('a.change-link').click()]);
    assert.match(await page.textContent('#current'), /\d{4}年\d+月\d+日\(.\) 10:00〜12:00/);
    assert.deepEqual(await axeViolations(page), []);
    await noHorizontalScroll(page);
    await screenshot(page, 'change-form');

    await page.selectOption('#start', '13:00');
    await page.selectOption('#hours', '3');
    await Promise.all([page.waitForURL(/start=13%3A00/), page.click('#change-check')]);
    assert.match(await page.textContent('#change-preview'), /13:00〜16:00/);
    await page.waitForSelector('#change-fits');
    assert.match(await page.textContent('#change-total'), /円$/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'change-check');

    // A double click changes it once.
    await Promise.all([page.waitForURL(/changed=/), page.dblclick('#change-confirm')]);
    assert.match(await page.textContent('#changed'), /変更しました/);
    assert.match(await page.locator(`#booking-${id}`).textContent(), /13:00〜16:00/);
    assert.equal(await page.locator(`#booking-${id}`).count(), 1);
    await screenshot(page, 'change-done');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a parent books a weekly series after seeing which dates fit, with one double click', async () => {
  const browser = await launch();
  try {
    const { page, errors } = await phone(browser);
    await signIn(page, 'parent@example.jp');
    await page.goto(`${BASE}/parent/bookings`);
    const before = await page.locator('#upcoming li.booking').count();
    await openDay(page);
    await page.selectOption('#start', '15:00');
    await page.selectOption('#hours', '2');
    await page.locator('details.repeat summary').click();
    await page.check('input[name=repeat_TU]');
    await page.check('input[name=repeat_TH]');
    const m = bookableMonth();
    const last = new Date(Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 0));
    await page.fill('#until', iso(last));
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'series-form');
    await Promise.all([page.waitForURL(/\/confirm\?/), page.click('#slots button[type=submit]')]);

    const rows = page.locator('#occurrences tbody tr');
    const n = await rows.count();
    assert.ok(n >= 2, `several dates (${n})`);
    const fits = await page.locator('#occurrences tr.fits').count();
    assert.ok(fits >= 1);
    assert.match(await rows.first().textContent(), /\d{4}年\d+月\d+日\((火|木)\) 15:00〜17:00/);
    assert.deepEqual(await axeViolations(page), []);
    await noHorizontalScroll(page);
    await screenshot(page, 'series-check');

    await Promise.all([page.waitForURL(/series=/), page.dblclick('#confirm-book')]);
    const url = new URL(page.url());
    assert.equal(Number(url.searchParams.get('series')), fits);
    assert.match(await page.textContent('#next-steps'), /くり返し予約を\d+回分/);
    const after = await page.locator('#upcoming li.booking').count();
    assert.equal(after - before, fits, 'the fitting dates were booked once');
    await screenshot(page, 'series-booked');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('an expired session brings the parent back to the confirmation step', async () => {
  const browser = await launch();
  try {
    const { context, page } = await phone(browser);
    await signIn(page, 'parent@example.jp');
    await openDay(page);
    await page.selectOption('#hours', '1');
    await Promise.all([page.waitForURL(/\/confirm\?/), page.click('#slots button[type=submit]')]);
    const confirmUrl = page.url();
    // The session ends while the parent reads the quote.
    const cookies = await context.cookies();
    await context.clearCookies();
    await context.addCookies(cookies.filter((c) => c.name !== 'hgk_session'));
    await Promise.all([page.waitForURL(/\/signin\?next=/), page.click('#confirm-book')]);
    assert.match(await page.textContent('#signin-again'), /元のページに戻ります/);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'signin-again');
    await page.fill('#email', 'parent@example.jp');
    await page.fill('#password', 'hagukumi-demo');
    await Promise.all([page.waitForURL(/\/confirm\?/), page.click("button[type=submit]")]);
    assert.equal(decodeURIComponent(page.url()), decodeURIComponent(confirmUrl), "back on the same page");
    // Everything chosen is still there: book it.
    await Promise.all([page.waitForURL(/created=/), page.click('#confirm-book')]);
    assert.match(await page.textContent('#next-steps'), /予約が確定しました/);
  } finally {
    await browser.close();
  }
});

test('a form error shows next to the field and keeps what was typed', async () => {
  const browser = await launch();
  try {
    const { page } = await phone(browser);
    await signIn(page, 'parent@example.jp');
    await page.goto(`${BASE}/parent/household`);
    const future = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
    await page.fill('#family_name-new', '清瀬');
    await page.fill('#given_name-new', 'みらい');
    await page.fill('#birth_date-new', future);
    await Promise.all([page.waitForURL(/error=/), page.click('#birth_date-new >> xpath=ancestor::form//button[@type="submit"]')]);
    assert.match(await page.textContent('#birth_date-new-error'), /未来/);
    assert.equal(await page.getAttribute('#birth_date-new', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#given_name-new'), 'みらい');
    assert.equal(await page.inputValue('#birth_date-new'), future);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'household-error');
  } finally {
    await browser.close();
  }
});

test('the widget switches to English inside its frame', async () => {
  const browser = await launch();
  try {
    const { page } = await phone(browser);
    await page.goto(`${BASE}/widget/temporary-care`);
    await Promise.all([page.waitForURL(/lang=en/), page.click('#widget-lang')]);
    assert.match(await page.textContent('#widget-title'), /Temporary care/i);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'widget-en');
  } finally {
    await browser.close();
  }
});
