// The waiting list end to end in Chromium at phone width, as two families live it.
// Two new parents sign up and add a child. Parent A requests the last Kiyose bed of
// one night at Hikari Infant Home (short stay: 2 beds, one guaranteed to each
// city), so the night is full for Kiyose. Parent B finds the night marked full in
// the calendar, opens it, chooses the waiting list, confirms and sees the place in
// the queue in My bookings. A cancels (the fee is shown first); B sees the offer
// with its deadline in My bookings and takes it; the booking then waits for the
// center's approval, as short stays do, and the page says so. axe-core runs on
// every page of B's flow; screenshots of the waitlisted, offered and accepted
// states are saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, axeViolations, launch, screenshot } from './lib.mjs';

const DAY = 86400e3;
/** The calendar date in Japan `days` days from now, as YYYY-MM-DD. */
const jstDate = (days = 0) => new Date(Date.now() + 9 * 3600e3 + days * DAY).toISOString().slice(0, 10);
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
/** `2026-05-03T14:05:00+09:00` as the page writes it: `2026年5月3日(日) 14:05`. */
function jaDateTime(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  assert.ok(m && iso.endsWith('+09:00'), `a Japan-time instant: ${iso}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const wd = WEEKDAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()];
  return `${y}年${mo}月${d}日(${wd}) ${m[4]}:${m[5]}`;
}

async function phone(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

/** Signs a new Kiyose parent up through /signup and adds a four-year-old through
 * the household page; returns the child's id. */
async function newFamily(page, who, child) {
  const email = `waitlist-${who}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.jp`;
  await page.goto(`${BASE}/signup`);
  await page.fill('#display_name', `${child.family} 保護者`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await page.selectOption('#municipality', 'kiyose');
  await Promise.all([page.waitForURL(/\/parent$/), page.click('button[type=submit]')]);
  assert.match(await page.textContent('#municipality'), /清瀬市/);

  await page.goto(`${BASE}/parent/household`);
  const birth = new Date(Date.now() - (4 * 365 + 40) * DAY).toISOString().slice(0, 10);
  await page.fill('#family_name-new', child.family);
  await page.fill('#given_name-new', child.given);
  await page.fill('#birth_date-new', birth);
  await Promise.all([page.waitForURL(/saved=1/), page.click('#form-child-new button[type=submit]')]);
  const kids = await (await page.request.get(`${BASE}/api/v1/children`)).json();
  assert.equal(kids.length, 1);
  return kids[0].id;
}

/** The booking's status as the API says (to check the page against). */
async function apiBooking(page, id) {
  const res = await page.request.get(`${BASE}/api/v1/bookings/${id}`);
  assert.equal(res.status(), 200);
  return res.json();
}

test('a parent joins the waiting list for a full night, gets the freed place offered and takes it', async () => {
  const browser = await launch();
  const errorsA = [];
  const errorsB = [];
  try {
    const a = await phone(browser, errorsA);
    const b = await phone(browser, errorsB);
    const kidA = await newFamily(a, 'a', { family: '早川', given: 'ゆい' });
    await newFamily(b, 'b', { family: '森', given: 'はると' });

    // A night at Hikari Infant Home, a few days ahead (requests close at 17:00 the
    // day before; they open 30 days ahead), where Kiyose's bed is still free.
    const from = jstDate(3);
    const to = jstDate(27);
    const avail = await (await a.request.get(
      `${BASE}/api/v1/services/short-stay/availability?from=${from}&to=${to}&site=hikari&children=${kidA}`)).json();
    const free = avail.sites[0].days.find((d) => d.slots.some((s) => s.remaining > 0));
    assert.ok(free, `a free night at Hikari between ${from} and ${to}`);
    const night = free.date;
    const month = `${night.slice(0, 8)}01`;

    // Parent A requests it through the booking form: Kiyose's bed is taken.
    await a.goto(`${BASE}/parent/book/short-stay?month=${month}&site=hikari&day=${night}#slots`);
    await a.fill('#nights', '1');
    assert.equal(await a.isChecked('#slots input[name=child_0]'), true);
    await Promise.all([a.waitForURL(/\/confirm\?/), a.click('#slots button[type=submit]')]);
    await Promise.all([a.waitForURL(/\/parent\/bookings\?created=/), a.click('#confirm-book')]);
    const aId = new URL(a.url()).searchParams.get('created');
    assert.equal(await a.locator(`#booking-${aId}`).getAttribute('data-status'), 'requested');

    // Parent B: the calendar marks the night full, and it still opens for the waiting list.
    await b.goto(`${BASE}/parent/book/short-stay?month=${month}&site=hikari`);
    const day = b.locator(`table.calendar a[href*="day=${night}"]`);
    assert.equal(await day.count(), 1, 'the full night can be opened');
    assert.match(await day.locator('xpath=..').getAttribute('class'), /\bfull\b/);
    assert.match(await day.getAttribute('aria-label'), /満員（キャンセル待ちできます）$/);
    assert.deepEqual(await axeViolations(b), [], 'calendar');
    await Promise.all([b.waitForURL(new RegExp(`day=${night}`)), day.click()]);
    assert.match(await b.textContent('#day-full'), /満員です/);
    assert.deepEqual(await axeViolations(b), [], 'the full night\'s form');
    await b.fill('#nights', '1');
    assert.equal(await b.isChecked('#slots input[name=child_0]'), true);
    await b.check('#waitlist');
    await Promise.all([b.waitForURL(/\/confirm\?.*waitlist=on/), b.click('#slots button[type=submit]')]);
    assert.match(await b.textContent('#confirm'), /森 はると/);
    assert.match(await b.textContent('main'), /満員のため、キャンセル待ちとして登録します/);
    assert.equal(await b.locator('#confirm-problems').count(), 0);
    assert.equal((await b.textContent('#confirm-book')).trim(), 'キャンセル待ちに登録する');
    assert.deepEqual(await axeViolations(b), [], 'confirmation');
    await Promise.all([b.waitForURL(/\/parent\/bookings\?created=/), b.click('#confirm-book')]);
    const bId = new URL(b.url()).searchParams.get('created');
    assert.match(await b.textContent('#next-steps'), /キャンセル待ちに登録しました（1番目）/);
    const mine = b.locator(`#booking-${bId}`);
    assert.equal(await mine.getAttribute('data-status'), 'waitlisted');
    assert.match(await mine.locator('.status').textContent(), /^キャンセル待ち（1番目）$/);
    assert.equal((await apiBooking(b, bId)).status, 'waitlisted');
    assert.deepEqual(await axeViolations(b), [], 'my bookings (waitlisted)');
    await screenshot(b, 'waitlist-waitlisted');

    // Parent A cancels in My bookings, seeing the fee first (free until 17:00 the day before).
    await a.goto(`${BASE}/parent/bookings`);
    const theirs = a.locator(`#booking-${aId}`);
    await theirs.locator('details.cancel summary').click();
    assert.match(await theirs.locator('.cancel-fee').textContent(), /キャンセル料はかかりません/);
    await Promise.all([a.waitForURL(/done=1/), theirs.locator('button.danger').click()]);
    assert.equal(await a.locator(`#booking-${aId}`).getAttribute('data-status'), 'cancelled');

    // Parent B finds the place offered, with the time to answer by.
    await b.goto(`${BASE}/parent/bookings`);
    const offered = b.locator(`#booking-${bId}`);
    assert.equal(await offered.getAttribute('data-status'), 'offered');
    assert.match(await offered.locator('.status').textContent(), /空きのご案内（要回答）/);
    const api = await apiBooking(b, bId);
    assert.equal(api.status, 'offered');
    const expires = Date.parse(api.offer_expires_at);
    assert.ok(expires > Date.now() + 3600e3, `the offer leaves time to answer (${api.offer_expires_at})`);
    assert.ok(expires < Date.parse(`${night}T10:00:00+09:00`), 'the offer ends before the stay');
    assert.equal((await offered.locator('.offer-expires').textContent()).trim(), jaDateTime(api.offer_expires_at));
    assert.match(await offered.locator('.offer').textContent(), /期限までにお返事ください/);
    assert.deepEqual(await axeViolations(b), [], 'my bookings (offered)');
    await screenshot(b, 'waitlist-offered');

    // B takes it: a short stay then waits for the center's approval, said plainly.
    await Promise.all([b.waitForURL(/accepted=/), offered.locator('button.accept-offer').click()]);
    assert.match(await b.textContent('#accepted'),
      /空いた枠のご案内をお受けしました。申し込みを受け付けました。センターが内容を確認し、結果をメールでお知らせします。/);
    const taken = b.locator(`#booking-${bId}`);
    assert.equal(await taken.getAttribute('data-status'), 'requested');
    assert.match(await taken.locator('.status').textContent(), /^申し込み中（承認待ち）$/);
    assert.equal(await taken.locator('.offer').count(), 0, 'no offer left to answer');
    assert.equal((await apiBooking(b, bId)).status, 'requested');
    assert.deepEqual(await axeViolations(b), [], 'my bookings (accepted)');
    await screenshot(b, 'waitlist-accepted');

    // The night is Kiyose's one bed again: full for everyone else.
    const after = await (await a.request.get(
      `${BASE}/api/v1/services/short-stay/availability?from=${night}&to=${night}&site=hikari&children=${kidA}`)).json();
    assert.equal(after.sites[0].days[0].slots[0]?.remaining ?? 0, 0);
    assert.deepEqual(errorsA, []);
    assert.deepEqual(errorsB, []);
  } finally {
    await browser.close();
  }
});
