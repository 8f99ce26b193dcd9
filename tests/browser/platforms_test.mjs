// The console's "Comptes et directs" panel in a real Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core), run by tests/browser/platforms_browser_tests.cpp against a real
// `tribune run` whose platforms are tests/support's fake server:
//
//  1. YouTube is "Non relié"; "Relier le compte" shows a user code, the address to open and
//     a QR code; the code is written to OUT/user-code.txt for the caller, which approves it
//     on the fake platform as the technician's phone would.
//  2. The account turns "Relié : <channel>"; "Préparer les directs" makes the live, whose
//     public link appears (an https link opening in a new tab).
//  3. Everything the page was sent (every websocket frame) and its final HTML are written
//     to OUT/frames.txt and OUT/page.html: the caller checks that no token nor key is there.
//
// Exit status 0 on success; 1 with a line "FAIL: …" otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { fail, failed, log, overallLimit, passed } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string', default: 'platforms-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.url) {
  console.error('usage: node platforms_test.mjs --url <console address with #token=…> [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const STEP_MS = 20_000;
const overall = overallLimit(90_000);

let browser;
let page;
const frames = [];
const errors = [];

async function waitInPage(what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: STEP_MS, polling: 100 });
  } catch {
    const panel = await page.getByTestId('accounts').textContent().catch(() => '?');
    fail(`${what} (not within ${STEP_MS / 1000} s; the panel reads: "${(panel || '').replace(/\s+/g, ' ').trim()}"; `
      + `page errors: ${errors.join('; ') || 'none'})`);
  }
}

async function shot(name) {
  await page.screenshot({ path: join(args.out, `platforms-${name}.png`), fullPage: true });
}

try {
  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : '<binary>'));
    ws.on('framesent', (f) => frames.push(typeof f.payload === 'string' ? f.payload : '<binary>'));
  });
  await page.goto(args.url);

  await waitInPage('the accounts panel should show YouTube not linked',
    () => document.querySelector('[data-testid="account-state-youtube"]')?.dataset.state === 'not_linked');
  log('YouTube: not linked');
  await page.getByTestId('account-link-youtube').click({ timeout: STEP_MS });
  await waitInPage('a user code should be shown with its address and QR code',
    () => (document.querySelector('[data-testid="account-user-code-youtube"]')?.textContent || '').trim().length > 0
      && document.querySelector('[data-testid="account-url-youtube"]')?.getAttribute('href')?.startsWith('http')
      && document.querySelector('[data-testid="account-code-youtube"] .qr svg') !== null);
  const code = (await page.getByTestId('account-user-code-youtube').textContent()).trim();
  log(`user code shown: ${code}`);
  await shot('code');
  writeFileSync(join(args.out, 'user-code.txt'), code);

  // The caller approves the code on the fake platform.
  await waitInPage('the account should turn linked once the code is approved',
    () => document.querySelector('[data-testid="account-state-youtube"]')?.dataset.state === 'linked');
  const linked = (await page.getByTestId('account-state-youtube').textContent()).trim();
  if (!linked.includes('Relié')) fail(`the linked account reads "${linked}"`);
  log(`linked: ${linked}`);

  await page.getByTestId('lives-prepare').click({ timeout: STEP_MS });
  await waitInPage('the live should be ready with its public link',
    () => document.querySelector('[data-testid="live-state-youtube"]')?.dataset.state === 'ready'
      && document.querySelector('[data-testid="live-url-youtube"]')?.getAttribute('href')?.startsWith('https://'));
  const link = page.getByTestId('live-url-youtube');
  const href = await link.getAttribute('href');
  if ((await link.getAttribute('target')) !== '_blank' || !(await link.getAttribute('rel')).includes('noopener')) {
    fail('the public link should open in a new tab without access to the console (rel=noopener)');
  }
  log(`live ready: ${href}`);
  await shot('ready');
  writeFileSync(join(args.out, 'live-url.txt'), href);

  writeFileSync(join(args.out, 'frames.txt'), frames.join('\n'));
  writeFileSync(join(args.out, 'page.html'), await page.content());
  if (errors.length > 0) fail(`the page logged errors: ${errors.join('; ')}`);
  await passed(overall, browser);
} catch (error) {
  await failed(error, browser, async () => {
    if (page) await shot('failure').catch(() => {});
  });
}
