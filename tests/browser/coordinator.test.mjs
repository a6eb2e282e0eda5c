// The coordinator's approval queue end to end in Chromium, without relying on
// JavaScript: a parent books a short stay (it needs approval), the coordinator finds
// it in the queue with the household's facts, eligibility, fee and capacity, approves
// it, and the parent sees it confirmed. axe-core finds no serious or critical
// violation on the queue and on the calendar pages (day, week, month).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, launch } from './lib.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function audit(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('button[type=submit]')]);
}

test('a coordinator approves a short stay from the queue and the parent sees it confirmed', async () => {
  const browser = await launch();
  try {
    const parent = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors = [];
    parent.on('pageerror', (e) => errors.push(e.message));
    await signIn(parent, 'parent@example.jp');

    // A night one child can take at Midori House (the month calendar counts every
    // sibling, so the free night is looked up for the first child alone).
    const kids = await (await parent.request.get(`${BASE}/api/v1/children`)).json();
    const today = new Date().toISOString().slice(0, 10);
    const later = new Date(Date.now() + 40 * 86400000).toISOString().slice(0, 10);
    const avail = await (await parent.request.get(
      `${BASE}/api/v1/services/short-stay/availability?from=${today}&to=${later}&site=midori&children=${kids[0].id}`)).json();
    const free = avail.sites[0].days.find((d) => d.slots.some((s) => s.remaining > 0));
    assert.ok(free, 'a free night at Midori House');
    const site = 'midori';
    const night = free.date;
    await parent.goto(`${BASE}/parent/book/short-stay?month=${night.slice(0, 8)}01&site=${site}&day=${night}#slots`);
    await parent.fill('#nights', '1');
    for (const box of await parent.locator('#slots input[type=checkbox][name^=child_]').all()) {
      if ((await box.getAttribute('name')) !== 'child_0') await box.uncheck();
    }
    await Promise.all([parent.waitForURL(/\/confirm\?/), parent.click('#slots button[type=submit]')]);
    await Promise.all([parent.waitForURL(/\/parent\/bookings\?created=/), parent.click('#confirm-book')]);
    const created = new URL(parent.url()).searchParams.get('created');
    const mine = parent.locator(`#booking-${created}`);
    assert.equal(await mine.getAttribute('data-status'), 'requested');

    // The coordinator: console → queue, where the request waits with its facts.
    const coord = await browser.newPage({ viewport: { width: 360, height: 740 } });
    coord.on('pageerror', (e) => errors.push(e.message));
    await signIn(coord, 'coordinator@example.jp');
    await coord.goto(`${BASE}/coordinator`);
    await Promise.all([coord.waitForURL(/\/coordinator\/queue$/), coord.click('#to-queue')]);
    // The console's links route in the browser once hydrated: the URL changes at once
    // and the queue arrives a moment later, so wait for the item before counting.
    const item = coord.locator(`li.queue-item[data-id="${created}"]`);
    await item.waitFor({ timeout: 15000 });
    assert.equal(await item.count(), 1);
    assert.match(await item.locator('.household').textContent(), /未確認|確認済み/);
    assert.match(await item.locator('.children').textContent(), /対象/);
    assert.match(await item.locator('.fee').textContent(), /円/);
    assert.match(await item.locator('.capacity').textContent(), /ベッド \d+\/\d+/);
    assert.match(await item.locator('.reference').textContent(), /^HG-/);
    assert.deepEqual(await audit(coord), [], 'queue page');

    // A decline without a reason is refused by the form itself.
    assert.equal(await item.locator('input[name=reason]').getAttribute('required'), '');

    await Promise.all([coord.waitForURL(/saved=approved/), item.locator('button.approve').click()]);
    assert.match(await coord.textContent('#saved'), /承認しました/);
    assert.equal(await coord.locator(`li.queue-item[data-id="${created}"]`).count(), 0);

    // The parent sees it confirmed.
    await parent.goto(`${BASE}/parent/bookings`);
    assert.equal(await parent.locator(`#booking-${created}`).getAttribute('data-status'), 'confirmed');

    // The facility's calendar shows the night taken, by whom; each view passes axe.
    for (const view of ['day', 'week', 'month']) {
      await coord.goto(`${BASE}/coordinator/calendar/${site}?view=${view}&date=${night}`);
      const row = coord.locator(`#site-calendar tr[data-date="${night}"]`);
      assert.match(await row.locator('.usage').textContent(), /ベッド \d+\/\d+/);
      assert.match(await row.locator('.bookings').textContent(), /清瀬 花子/);
      assert.deepEqual(await audit(coord), [], `calendar ${view}`);
    }
    await coord.goto(`${BASE}/coordinator/calendar/with-i?view=day&date=${night}`);
    assert.equal(await coord.locator('#roster').count(), 1);
    assert.deepEqual(await audit(coord), [], 'temporary-care day');
    await coord.goto(`${BASE}/coordinator/calendar`);
    assert.deepEqual(await audit(coord), [], 'site list');
    // The same pages in English.
    await coord.goto(`${BASE}/lang/en?next=/coordinator/queue`);
    assert.match(await coord.textContent('h1'), /waiting for approval/);
    assert.deepEqual(await audit(coord), [], 'queue (en)');
    await coord.goto(`${BASE}/coordinator/calendar/${site}?view=week&date=${night}`);
    assert.match(await coord.textContent('#site-calendar'), /beds \d+\/\d+/);
    assert.deepEqual(await audit(coord), [], 'calendar (en)');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
