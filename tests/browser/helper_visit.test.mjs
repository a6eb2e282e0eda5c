// A helper visit from request to schedule in Chromium: the parent asks for a childrearing
// support helper with the booking form, the coordinator approves the request (API; the
// approval turns it into a dispatch visit), pins it to 佐藤 みどり and plans the day on the
// dispatch board without JavaScript, the helper accepts it on /provider and sees it in her
// schedule, and the family's list shows her name. The family cancels at the end, so the
// half-year quota is not used up by repeated runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL(/\/(parent|coordinator|provider|admin)$/), page.click('button[type=submit]')]);
}

test('a parent requests a helper visit, the coordinator approves and plans it, the helper sees it', async () => {
  const browser = await launch();
  try {
    // The parent, at phone width: a weekday (the demo helpers work Monday to Friday).
    const parent = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const errors = [];
    parent.on('pageerror', (e) => errors.push(e.message));
    await signIn(parent, 'parent@example.jp');
    const now = new Date();
    const months = [0, 1].map((k) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1)).toISOString().slice(0, 10));
    let links = [];
    for (const month of months) {
      await parent.goto(`${BASE}/parent/book/childrearing-support-helper?month=${month}&site=kiyose-support-helper`);
      links = [];
      for (const a of await parent.locator('table.calendar td.free a, table.calendar td.few a').all()) {
        const label = await a.getAttribute('aria-label');
        if (/\((月|火|水|木|金)\)/.test(label)) links.push(a);
      }
      // A few days ahead, so the request is still open until the coordinator acts.
      if (links.length > 3) break;
    }
    assert.ok(links.length > 0, 'a bookable weekday');
    const pick = links[Math.min(links.length - 1, 2 + Math.floor(Math.random() * Math.min(5, links.length - 2)))];
    await Promise.all([parent.waitForURL(/day=/), pick.click()]);
    const day = new URL(parent.url()).searchParams.get('day');
    await parent.selectOption('#start', '10:00');
    await parent.selectOption('#hours', '2');
    await parent.selectOption('#reason', 'no-daytime-help');
    await Promise.all([parent.waitForURL(/\/confirm\?/), parent.click('#slots button[type=submit]')]);
    await Promise.all([parent.waitForURL(/\/parent\/bookings\?created=/), parent.click('#confirm-book')]);
    assert.match(await parent.textContent('#next-steps'), /申し込みを受け付けました/);
    const bookingId = new URL(parent.url()).searchParams.get('created');
    assert.equal(await parent.getAttribute(`#booking-${bookingId}`, 'data-status'), 'requested');

    // The coordinator approves it; the visit appears on the dispatch board.
    const coord = await browser.newContext({ javaScriptEnabled: false });
    const board = await coord.newPage();
    await signIn(board, 'coordinator@example.jp');
    const csrf = (await coord.cookies()).find((c) => c.name === 'hgk_csrf').value;
    const api = (method, path, data) => coord.request.fetch(`${BASE}${path}`, { method, data, headers: { 'x-csrf-token': csrf } });
    const approved = await api('POST', `/api/v1/bookings/${bookingId}/approve`, {});
    assert.equal(approved.status(), 200, await approved.text());
    const dayJson = await (await api('GET', `/api/v1/dispatch/days/${day}`)).json();
    const visit = dayJson.visits.find((v) => v.booking_id === bookingId);
    assert.ok(visit, 'approval handed the visit to dispatch');
    const sato = dayJson.helpers.find((h) => h.name === '佐藤 みどり');

    await board.goto(`${BASE}/coordinator/dispatch?day=${day}`);
    const row = board.locator(`#visits tr[data-visit="${visit.id}"]`);
    assert.match(await row.textContent(), /10:00/);
    await row.locator('select[name=helper_id]').selectOption(sato.id);
    await Promise.all([board.waitForURL(/done=pinned/), row.locator('button[type=submit]').click()]);
    await Promise.all([board.waitForURL(/done=planned/), board.click('#run-plan')]);
    assert.match(await board.locator(`#visits tr[data-visit="${visit.id}"]`).textContent(), /佐藤 みどり/);
    await coord.close();

    // The helper accepts it and finds it in her schedule.
    const helperContext = await browser.newContext();
    const helper = await helperContext.newPage();
    helper.on('pageerror', (e) => errors.push(e.message));
    await signIn(helper, 'provider@example.jp');
    const card = helper.locator(`#proposals li[data-visit="${visit.id}"]`);
    assert.match(await card.textContent(), /養育支援ヘルパー/);
    await Promise.all([helper.waitForURL(/done=accepted/), card.locator('button.accept').click()]);
    const item = helper.locator(`#schedule li[data-visit="${visit.id}"]`);
    assert.match(await item.textContent(), /10:00–12:00/);
    // Only what the job needs: no child's name.
    assert.doesNotMatch(await item.textContent(), /陽太|さくら/);
    await helperContext.close();

    // The family sees who comes (display name only).
    await parent.goto(`${BASE}/parent/bookings`);
    const mine = parent.locator(`#booking-${bookingId}`);
    assert.match(await mine.locator('.helper').textContent(), /担当ヘルパー：佐藤 みどり/);

    // Cancelled again (the visit goes with it), so repeated runs keep within the quota.
    await mine.locator('details.cancel summary').click();
    await Promise.all([parent.waitForURL(/done=1/), mine.locator('button.danger').click()]);
    assert.equal(await parent.getAttribute(`#booking-${bookingId}`, 'data-status'), 'cancelled');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
