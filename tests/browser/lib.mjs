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
