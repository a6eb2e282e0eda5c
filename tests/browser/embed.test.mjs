// The widget embedded in the mock city page: it renders in an iframe that
// grows to its content, is hydrated by its own small bundle (not the whole
// site's), shows the month calendar, and booking opens a new top-level window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

/** The paths of the wasm modules the page fetches, as they are requested. */
function wasmRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) seen.push(path);
  });
  return seen;
}

/** Waits until the frame's document was hydrated (the flag set by `hydrate()`). */
async function frameHydrated(frame) {
  await frame.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 30000 });
}

test('the city page shows the widget in a frame that fits its content', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const wasm = wasmRequests(page);
    await page.goto(`${BASE}/demo/city`);
    const frameEl = await page.waitForSelector('iframe[data-hagukumi="temporary-care"]');
    const frame = await frameEl.contentFrame();
    await frame.waitForSelector('#widget-title');
    assert.equal((await frame.textContent('#widget-title')).trim(), '一時預かり');
    assert.equal(await frame.getAttribute('#widget-book', 'target'), '_blank');
    // Hydrated by the widget's bundle; the site's bundle is never fetched.
    await frameHydrated(frame);
    assert.ok(wasm.includes('/pkg/widget_bg.wasm'), `wasm fetched: ${wasm.join(', ')}`);
    assert.ok(!wasm.includes('/pkg/hagukumi_bg.wasm'), `wasm fetched: ${wasm.join(', ')}`);
    // The frame's height follows the widget's content (reported by postMessage).
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe[data-hagukumi]');
      return f && f.style.height && f.style.height !== '';
    });
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe[data-hagukumi]');
      return Math.abs(f.getBoundingClientRect().height - f.contentDocument.documentElement.scrollHeight) <= 2;
    });
    // Nothing overflows sideways at 360 px.
    const overflow = await frame.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.equal(overflow, false);
  } finally {
    await browser.close();
  }
});

test('the widget shows the month with ○/△/× and books a day in a new window', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const wasm = wasmRequests(page);
    await page.goto(`${BASE}/widget/temporary-care`);
    await frameHydrated(page);
    assert.match(await page.textContent('#month-title'), /^\d{4}年\d{1,2}月$/);
    assert.equal(await page.locator('table.calendar tbody td.day').count() >= 28, true);
    // Late in a month no day of it may be left to book; the next month is open by then.
    if ((await page.locator('table.calendar td.free a, table.calendar td.few a').count()) === 0) {
      const before = await page.textContent('#month-title');
      await Promise.all([page.waitForURL(/month=/), page.click('a[rel~="next"]')]);
      await frameHydrated(page);
      assert.notEqual(await page.textContent('#month-title'), before);
    }
    const day = page.locator('table.calendar td.free a, table.calendar td.few a').first();
    assert.equal(await day.getAttribute('target'), '_blank');
    assert.match(await day.getAttribute('href'), /^\/parent\/book\/temporary-care\?month=\d{4}-\d{2}-01&site=[a-z-]+&day=\d{4}-\d{2}-\d{2}#slots$/);
    assert.match(await day.getAttribute('aria-label'), /残り\d+/);
    // The sites are tabs that reload the frame, keeping the language in the address.
    const tabs = page.locator('nav.tabs a');
    assert.ok((await tabs.count()) >= 2);
    const second = tabs.nth(1);
    const name = (await second.textContent()).trim();
    await Promise.all([page.waitForURL(/site=/), second.click()]);
    await frameHydrated(page);
    assert.equal((await page.textContent('nav.tabs a[aria-current="page"]')).trim(), name);
    assert.match(page.url(), /lang=ja/);
    // A day opens the booking page in a new window, which asks a visitor to sign in.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.locator('table.calendar td.free a, table.calendar td.few a, #widget-book').first().click(),
    ]);
    await popup.waitForLoadState();
    assert.match(popup.url(), /\/parent\/book\/temporary-care\?/);
    await popup.waitForSelector('a[href^="/signin?next="]');
    assert.deepEqual([...new Set(wasm)], ['/pkg/widget_bg.wasm']);
    // Every other page keeps the site's bundle.
    await popup.close();
    const site = await browser.newPage();
    const siteWasm = wasmRequests(site);
    await site.goto(`${BASE}/signin`);
    await site.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 30000 });
    assert.deepEqual([...new Set(siteWasm)], ['/pkg/hagukumi_bg.wasm']);
  } finally {
    await browser.close();
  }
});

test('without JavaScript the widget still shows the calendar and its links', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${BASE}/widget/short-stay?lang=en`);
    assert.match(await page.textContent('#widget-title'), /short stay/i);
    assert.match(await page.textContent('#month-title'), /^[A-Z][a-z]+ \d{4}$/);
    assert.equal(await page.getAttribute('#widget-book', 'target'), '_blank');
    // The next month's link reloads the frame in English.
    assert.match(await page.getAttribute('a[rel~="next"]', 'href'), /^\/widget\/short-stay\?month=\d{4}-\d{2}-01&site=[a-z-]+&lang=en$/);
    await context.close();
  } finally {
    await browser.close();
  }
});
