// Shared set-up for browser tests: Debian's Chromium, headless, no downloads.
import { chromium } from 'playwright-core';

export const BASE = process.env.HAGUKUMI_URL ?? 'http://127.0.0.1:3000';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync',
    ],
  });
}

/** Waits until the wasm bundle has hydrated the page (the flag is set by `hydrate()`). */
export async function waitForHydration(page) {
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === 'true', null, { timeout: 30000 });
}

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical axe-core violations on the page as it is now. */
export async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a full-page screenshot as `$SCREENSHOTS/<name>.png` (default tests/browser/screenshots). */
export async function screenshot(page, name) {
  const dir = process.env.SCREENSHOTS ?? join(import.meta.dirname, 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export async function signIn(page, email) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#email', email);
  await page.fill('#password', 'hagukumi-demo');
  await Promise.all([page.waitForURL(/\/(parent|coordinator|provider|admin)$/), page.click('button[type=submit]')]);
}

/** The first day (UTC midnight) of a month with bookable days: requests for a
 * month open on the 15th of the month before (Kiyose's rules), so until the
 * 15th has passed in Japan this month still has two weeks left, and from the
 * 16th next month is open. */
export function bookableMonth() {
  const jst = new Date(Date.now() + 9 * 3600 * 1000);
  const ahead = jst.getUTCDate() >= 16 ? 1 : 0;
  return new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() + ahead, 1));
}
