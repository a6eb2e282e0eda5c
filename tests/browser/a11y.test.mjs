// Accessibility: axe-core finds no serious or critical violation on the pages
// a parent goes through, in Japanese and in English, at phone width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, launch } from './lib.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function audit(page, path) {
  await page.goto(`${BASE}${path}`);
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const publicPages = ['/', '/signin', '/signup', '/widget/temporary-care'];
const nextMonth = (() => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
})();
const parentPages = [
  '/parent', '/parent/household', '/parent/services',
  `/parent/book/temporary-care?month=${nextMonth}&site=with-i`,
  `/parent/book/short-stay?month=${nextMonth}`,
  '/parent/bookings', '/parent/home-start',
];

for (const lang of ['ja', 'en']) {
  test(`no serious or critical axe violations (${lang})`, async () => {
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
      await page.goto(`${BASE}/lang/${lang}?next=/`);
      const found = {};
      for (const path of publicPages) found[path] = await audit(page, path);
      await page.goto(`${BASE}/signin`);
      await page.fill('#email', 'parent@example.jp');
      await page.fill('#password', 'hagukumi-demo');
      await Promise.all([page.waitForURL(/\/parent$/), page.click('button[type=submit]')]);
      for (const path of parentPages) found[path] = await audit(page, path);
      // The coordinator's Home-Start pages (the list and the demo family's plan).
      const staff = await browser.newPage({ viewport: { width: 360, height: 740 } });
      await staff.goto(`${BASE}/lang/${lang}?next=/signin`);
      await staff.fill('#email', 'coordinator@example.jp');
      await staff.fill('#password', 'hagukumi-demo');
      await Promise.all([staff.waitForURL(/\/coordinator$/), staff.click('button[type=submit]')]);
      found['/coordinator/home-start'] = await audit(staff, '/coordinator/home-start');
      const plan = await staff.getAttribute('#plans li a', 'href');
      found[plan] = await audit(staff, plan);
      const bad = Object.entries(found).filter(([, v]) => v.length > 0);
      assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
    } finally {
      await browser.close();
    }
  });
}
