// Home-Start in Chromium, with plain forms (no wasm needed): the coordinator starts a
// plan for a family, schedules the assessment, assigns a visitor, checks each weekly visit
// before committing the series, and the family sees its plan with "parent present".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL(/\/(parent|coordinator|provider|admin)$/), page.click('button[type=submit]')]);
}

/** `YYYY-MM-DDT10:00` of the first Wednesday at least `weeks` weeks ahead. */
function wednesday(weeks, hour = '10:00') {
  const d = new Date(Date.now() + weeks * 7 * 86400e3);
  while (d.getUTCDay() !== 3) d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T${hour}`;
}

test('a coordinator runs a Home-Start plan with plain forms; the family sees it', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, 'coordinator@example.jp');
    const csrf = (await context.cookies()).find((c) => c.name === 'hgk_csrf').value;
    const api = (method, path, data) => context.request.fetch(`${BASE}${path}`, {
      method, data, headers: { 'x-csrf-token': csrf },
    });
    // The family of 竹丘; an open plan left by an earlier run is cancelled first.
    await page.goto(`${BASE}/coordinator`);
    await Promise.all([page.waitForURL(/\/coordinator\/home-start$/), page.click('a[href="/coordinator/home-start"]')]);
    const option = page.locator('#household_id option', { hasText: '竹丘' });
    const household = await option.getAttribute('value');
    const plans = await (await api('GET', '/api/v1/home-start/plans')).json();
    for (const p of plans.filter((p) => p.household_id === household && ['assessment', 'active'].includes(p.status))) {
      assert.equal((await api('POST', `/api/v1/home-start/plans/${p.id}/cancel`, {})).status(), 200);
    }

    await page.selectOption('#household_id', household);
    await page.fill('#visit_count', '4');
    await Promise.all([page.waitForURL(/saved=created/), page.click('#new-plan button[type=submit]')]);
    assert.match(await page.textContent('#status'), /アセスメント/);
    assert.match(await page.textContent('#parent-present'), /保護者同席/);

    // The organiser's assessment visit, by keyboard-reachable labelled fields.
    const weeks = 20 + Math.floor(Math.random() * 20);
    // (A holiday is refused with the field named; the day before is tried then.)
    for (let back = 1; back < 6; back++) {
      await page.fill('#assessment_at', wednesday(weeks - back));
      await Promise.all([page.waitForURL(/saved=assessment|error=/), page.locator('form[action$="/assessment"] button').click()]);
      if (page.url().includes('saved=assessment')) break;
      assert.match(page.url(), /error=starts_at/);
      assert.equal(await page.locator('#form-error').count(), 1);
    }
    assert.equal(await page.locator('#visits tr[data-kind="assessment"]').count(), 1);

    // 小林 真弓 is free and trained.
    await page.selectOption('#visitor_id', { label: '小林 真弓' });
    await Promise.all([page.waitForURL(/saved=visitor/), page.locator('form[action$="/visitor"] button').click()]);
    assert.match(await page.textContent('#visitor'), /小林 真弓/);
    assert.match(await page.textContent('#status'), /訪問中/);

    // Weekly visits: check each occurrence, then commit (a week later if a holiday is in the way).
    let committed = false;
    for (let shift = 0; shift < 6 && !committed; shift++) {
      await page.fill('#first_start', wednesday(weeks + shift));
      await page.fill('#rrule', 'FREQ=WEEKLY;COUNT=4');
      await Promise.all([page.waitForURL(/first_start=/), page.click('#preview-form button')]);
      assert.equal(await page.locator('#preview li').count(), 4);
      if (await page.locator('#commit-visits').count() === 1) {
        assert.equal(await page.locator('#preview li[data-fits="true"]').count(), 4);
        await Promise.all([page.waitForURL(/saved=visits/), page.click('#commit-visits button')]);
        committed = true;
      }
    }
    assert.ok(committed, 'a free week was found');
    const weekly = page.locator('#visits tr[data-kind="weekly"]');
    assert.equal(await weekly.count(), 4);
    assert.match(await weekly.first().textContent(), /10:00–12:00/);
    assert.match(await weekly.first().textContent(), /同席/);
    await context.close();

    // The demo family sees its own plan, read only, with the parent present.
    const parent = await browser.newPage();
    await signIn(parent, 'parent@example.jp');
    await Promise.all([parent.waitForURL(/\/parent\/home-start$/), parent.click('a[href="/parent/home-start"]')]);
    assert.match(await parent.textContent('#parent-present'), /保護者同席/);
    assert.ok(await parent.locator('#visits tr[data-kind="weekly"]').count() >= 4);
    assert.equal(await parent.locator('form[action*="home-start"]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
