// The widget embedded in the mock city page: it renders in an iframe that
// grows to its content, and booking opens a new top-level window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch } from './lib.mjs';

test('the city page shows the widget in a frame that fits its content', async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${BASE}/demo/city`);
    const frameEl = await page.waitForSelector('iframe[data-hagukumi="temporary-care"]');
    const frame = await frameEl.contentFrame();
    await frame.waitForSelector('#widget-title');
    assert.equal((await frame.textContent('#widget-title')).trim(), '一時預かり');
    assert.equal(await frame.getAttribute('#widget-book', 'target'), '_blank');
    // The frame's height follows the widget's content (reported by postMessage).
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe[data-hagukumi]');
      return f && f.style.height && f.style.height !== '';
    });
    const { frameHeight, contentHeight } = await page.evaluate(() => {
      const f = document.querySelector('iframe[data-hagukumi]');
      return { frameHeight: f.getBoundingClientRect().height, contentHeight: f.contentDocument.documentElement.scrollHeight };
    });
    assert.ok(Math.abs(frameHeight - contentHeight) <= 2, `frame ${frameHeight} vs content ${contentHeight}`);
    // Nothing overflows sideways at 360 px.
    const overflow = await frame.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.equal(overflow, false);
  } finally {
    await browser.close();
  }
});
