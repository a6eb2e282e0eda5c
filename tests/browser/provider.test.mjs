// The provider's schedule in Chromium: a coordinator proposes a visit to the demo
// helper (through the API), the helper accepts it with the plain form on /provider and
// then finds it in their schedule; the calendar-feed URL can be issued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL(/\/(parent|coordinator|provider|admin)$/), page.click('button[type=submit]')]);
}

/** A weekday one to two weeks ahead (inside the page's four weeks). */
function nextWeekday() {
  const d = new Date(Date.now() + (7 + Math.floor(Math.random() * 5)) * 86400e3);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** As the coordinator: a new approved visit, pinned to 佐藤 みどり (so it is proposed to her). */
async function proposeVisit(browser, note) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'coordinator@example.jp');
  const csrf = (await context.cookies()).find((c) => c.name === 'hgk_csrf').value;
  const api = (method, path, data) => context.request.fetch(`${BASE}${path}`, {
    method, data, headers: { 'x-csrf-token': csrf },
  });
  const day = nextWeekday();
  const children = await (await api('GET', '/api/v1/children')).json();
  const board = await (await api('GET', `/api/v1/dispatch/days/${day}`)).json();
  const sato = board.helpers.find((h) => h.name === '佐藤 みどり');
  const res = await api('POST', '/api/v1/dispatch/visits', {
    service: 'childrearing-support-helper', household_id: children[0].household_id, day,
    earliest_start: '16:00', latest_start: '16:00', duration_minutes: 60,
    required_skills: [], lat: 35.785, lon: 139.519, notes: note,
  });
  assert.equal(res.status(), 201, await res.text());
  const visit = await res.json();
  const pin = await api('PUT', `/api/v1/dispatch/visits/${visit.id}/pin`, { helper_id: sato.id });
  assert.equal(pin.status(), 200, await pin.text());
  await context.close();
  return visit.id;
}

test('a provider accepts a proposal and sees it in their schedule', async () => {
  const browser = await launch();
  try {
    const note = `ブラウザテスト ${Date.now()}`;
    const id = await proposeVisit(browser, note);

    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, 'provider@example.jp');
    assert.match(page.url(), /\/provider$/);
    assert.equal((await page.textContent('#welcome')).trim(), 'ようこそ、佐藤 みどりさん');
    assert.ok((await page.textContent('#role')).includes('提供者'));
    assert.equal((await page.textContent('#municipality')).trim(), '清瀬市');

    const card = page.locator(`#proposals li[data-visit="${id}"]`);
    assert.match(await card.textContent(), new RegExp(note));
    await Promise.all([page.waitForURL(/done=accepted/), card.locator('button.accept').click()]);
    assert.equal(await page.locator(`#proposals li[data-visit="${id}"]`).count(), 0);
    const item = page.locator(`#schedule li[data-visit="${id}"]`);
    assert.match(await item.textContent(), /16:00–17:00/);
    assert.match(await item.textContent(), new RegExp(note));

    // The private calendar URL: issued on request, shown once.
    await Promise.all([page.waitForURL(/done=feed/), page.click('#feed-reset')]);
    const url = await page.inputValue('#feed-url');
    assert.match(url, /\/calendar\/[0-9a-f]{64}\.ics$/);
    const feed = await page.request.get(`${BASE}${new URL(url).pathname}`);
    assert.equal(feed.status(), 200);
    assert.match((await feed.text()).replace(/\r\n /g, ""), new RegExp(`UID:helper-visit-${id}@`));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a coordinator plans the next weekday on the dispatch board without JavaScript', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, 'coordinator@example.jp');
    await page.goto(`${BASE}/coordinator/dispatch`);
    const rows = page.locator('#visits tbody tr');
    assert.ok((await rows.count()) >= 4, 'the demo visits of the day');
    await Promise.all([page.waitForURL(/done=planned/), page.click('#run-plan')]);
    const helpers = await page.locator('#visits tbody tr td:nth-child(5)').allTextContents();
    assert.ok(helpers.every((h) => !h.startsWith('未割当')), helpers.join(' | '));
  } finally {
    await browser.close();
  }
});
