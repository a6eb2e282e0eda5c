// Family Support matching end to end in Chromium, with the plain forms: the coordinator
// opens an open request, proposes the demo provider from the ranked candidates, the
// provider accepts on their page, and the coordinator schedules and records the
// pre-meeting, after which the pair can book activities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL(/\/(parent|coordinator|provider|admin)$/), page.click('button[type=submit]')]);
}

const PROVIDER = '佐藤 みどり';

test('a coordinator proposes a provider for a Family Support request, the provider accepts, the pre-meeting is held', async () => {
  const browser = await launch();
  try {
    const coord = await (await browser.newContext()).newPage();
    const errors = [];
    coord.on('pageerror', (e) => errors.push(e.message));
    await signIn(coord, 'coordinator@example.jp');
    await coord.goto(`${BASE}/coordinator/family-support`);
    const links = await coord.$$eval('#fs-requests a[href*="/coordinator/family-support/requests/"]',
      (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length > 0, 'the demo has open requests');

    // The first request for which the demo provider is a candidate who can be proposed.
    let proposedOn = null;
    for (const href of links) {
      await coord.goto(`${BASE}${href}`);
      const card = coord.locator('li.candidate:not(.excluded)', { has: coord.locator('.name', { hasText: PROVIDER }) });
      if (await card.count() === 0) continue;
      // The ranking shows its reasons for every candidate.
      assert.ok(await card.first().locator('ul, ol').count() > 0, 'reasons are listed');
      await Promise.all([coord.waitForURL(/saved=proposed/), card.first().locator('button.propose').click()]);
      proposedOn = href;
      break;
    }
    assert.ok(proposedOn, `${PROVIDER} could be proposed for one of the requests`);
    assert.ok((await coord.textContent('#saved')).includes('提案しました'));

    // The provider answers on their own page.
    const prov = await (await browser.newContext()).newPage();
    await signIn(prov, 'provider@example.jp');
    await prov.goto(`${BASE}/provider/family-support`);
    const proposal = prov.locator('#my-proposals article.proposal', { has: prov.locator('button.accept') });
    assert.ok(await proposal.count() >= 1, 'the proposal waits for an answer');
    await Promise.all([prov.waitForURL(/saved=accepted/), proposal.first().locator('button.accept').click()]);
    assert.ok((await prov.textContent('#saved')).includes('お引き受け'));
    assert.ok((await prov.textContent('#my-pairs')).length > 0, 'the pair is listed for the provider');

    // Back at the center: the pair waits for its pre-meeting; schedule it, then hold it.
    await coord.goto(`${BASE}/coordinator/family-support`);
    const row = coord.locator('tr', { has: coord.locator('form[action$="/pre-meeting"]') })
      .filter({ hasText: PROVIDER });
    assert.ok(await row.count() >= 1, 'a pair waiting for its pre-meeting');
    const when = new Date(Date.now() + 3 * 86400e3).toISOString().slice(0, 10);
    await row.first().locator('input[name=scheduled_at]').fill(`${when}T10:00`);
    await row.first().locator('input[name=place]').fill('子ども家庭支援センター');
    await Promise.all([coord.waitForURL(/saved=pre_meeting/), row.first().locator('form[action$="/pre-meeting"] button').click()]);

    // Without the child the meeting does not count.
    const again = coord.locator('tr', { has: coord.locator('form[action$="/pre-meeting/done"]') })
      .filter({ hasText: PROVIDER });
    await Promise.all([coord.waitForURL(/error=/), again.first().locator('form[action$="/pre-meeting/done"] button').click()]);
    assert.ok((await coord.textContent('#form-error')).includes('お子さん'));
    const held = coord.locator('tr', { has: coord.locator('form[action$="/pre-meeting/done"]') })
      .filter({ hasText: PROVIDER });
    await held.first().locator('input[name=child_present]').check();
    await Promise.all([coord.waitForURL(/saved=pre_meeting_done/), held.first().locator('form[action$="/pre-meeting/done"] button').click()]);
    const pairs = await coord.textContent('body');
    assert.ok(pairs.includes('予約可'), 'the pair can now book activities');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
