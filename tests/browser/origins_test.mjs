// Questions from the platforms (issue 21) on the pages, in a real Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), against a real `tribune run` that resumed a
// meeting whose log already holds questions from Facebook, YouTube and the viewer page (see
// questions_browser_tests.cpp: the pollers are not needed to show what they bring). Run by
// hand against such a Tribune:
//
//   node tests/browser/origins_test.mjs --base http://127.0.0.1:8080 \
//     --technician T --moderator M --mayor Y --out /tmp/shots        (tokens: DATA/tokens.json)
//
// The questions the log holds (ids as the test wrote them):
//   1 Facebook, "Jean D.", approved (first of the queue: the mayor's current question)
//   2 YouTube, markup as pseudonym and text, pending
//   3 the viewer page, "Marie" from "Centre", pending
//   4 Facebook, "Utilisateur Facebook" (an author Facebook hides), pending
//
// The scenario:
//  1. The moderator's cards carry their origin's badge, its name written; the filter shows
//     "à modérer / reçues" per origin (PeerTube, with none, takes no room); chosen with the
//     keyboard alone (arrow keys in the radio group), it keeps Facebook's cards only, the
//     queue's rank unchanged; back to "Toutes", every card again.
//  2. The mayor's tablet reads "Jean D. · Facebook" under the current question.
//  3. The console's platforms panel: a live's address pasted for YouTube; the server's French
//     refusal (or acceptance) is written under the form and in the status line.
//  4. The markup from the platform stays text (window.__pwned stays undefined, the literal
//     text is visible), and no page logs an error.
//
// Exit status 0 on success; 1 with a line "FAIL: …" otherwise.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { Failure, elapsed, fail, log, overallLimit } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    technician: { type: 'string' },
    moderator: { type: 'string' },
    mayor: { type: 'string' },
    out: { type: 'string', default: 'origins-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.base || !args.technician || !args.moderator || !args.mayor) {
  console.error('usage: node origins_test.mjs --base http://127.0.0.1:PORT --technician T --moderator M --mayor Y [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const OVERALL_LIMIT_MS = 40_000;
const STEP_MS = 8_000;

// What the test wrote in the log (questions_browser_tests.cpp).
const XSS_PSEUDONYM = '<img src=x onerror=window.__pwned=1>';
const XSS_TEXT = '</script><script>window.__pwned=1</script> Et le marché du dimanche ?';

let browser;
let phase = 'start';
const pages = {};  // name → {page, errors: []}

const overall = overallLimit(OVERALL_LIMIT_MS, () => phase);

async function shot(name, who) {
  const file = join(args.out, `origins-${name}.png`);
  await pages[who].page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

async function waitIn(who, what, fn, arg, timeout = STEP_MS) {
  const { page } = pages[who];
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const line = await page.evaluate(() => document.querySelector('[data-testid="status-line"]')?.textContent.trim() || '')
      .catch(() => '?');
    fail(`${who}: ${what} (not within ${timeout / 1000} s; the page says: "${line}")`);
  }
}

async function open(who, path, viewport) {
  const context = await browser.newContext({ locale: 'fr-FR', viewport });
  const page = await context.newPage();
  const entry = { page, context, errors: [] };
  pages[who] = entry;
  page.on('pageerror', (error) => entry.errors.push(`page error (${phase}): ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') entry.errors.push(`console error (${phase}): ${message.text()}`);
  });
  await page.goto(`${args.base}${path}`);
  await waitIn(who, 'the page should connect to Tribune',
    () => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected');
  log(`${who}: connected`);
  return page;
}

// The moderator's visible cards: [{id, origin, badge, list}].
const visibleCards = () => pages.moderator.page.evaluate(() => [...document.querySelectorAll('[data-testid="question-card"]')]
  .filter((n) => n.offsetParent !== null)
  .map((n) => ({
    id: Number(n.dataset.id),
    origin: n.dataset.origin,
    badge: n.querySelector('[data-testid="q-origin"]').textContent.trim(),
    badgeShown: n.querySelector('[data-testid="q-origin"]').offsetParent !== null,
    list: n.closest('[data-testid$="-list"]').dataset.testid,
    rank: n.querySelector('[data-testid="q-rank"]').textContent.trim(),
  })).sort((a, b) => a.id - b.id));

const countText = (origin) => pages.moderator.page.getByTestId(`origin-count-${origin}`).textContent();

async function moderator() {
  phase = 'moderator';
  const page = await open('moderator', `/moderator/#token=${args.moderator}`, { width: 1366, height: 768 });
  await waitIn('moderator', 'the four questions of the log should be shown',
    () => document.querySelectorAll('[data-testid="question-card"]').length === 4);
  const cards = await visibleCards();
  const expected = [
    { id: 1, origin: 'facebook', badge: 'Facebook', list: 'queue-list' },
    { id: 2, origin: 'youtube', badge: 'YouTube', list: 'pending-list' },
    { id: 3, origin: 'site', badge: 'Site', list: 'pending-list' },
    { id: 4, origin: 'facebook', badge: 'Facebook', list: 'pending-list' },
  ];
  for (const want of expected) {
    const got = cards.find((c) => c.id === want.id);
    if (!got || got.origin !== want.origin || got.badge !== want.badge || got.list !== want.list || !got.badgeShown) {
      fail(`moderator: card n° ${want.id} should show the badge "${want.badge}" in ${want.list}; found ${JSON.stringify(got)}`);
    }
  }
  // The badge's colour is a help, its text must be readable: white on the platforms' colours.
  const contrast = await page.evaluate(() => {
    const lum = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return [...document.querySelectorAll('[data-testid="q-origin"]')].map((n) => {
      const style = getComputedStyle(n);
      const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
      return { origin: n.dataset.origin, ratio: (a + 0.05) / (b + 0.05) };
    });
  });
  for (const c of contrast) {
    if (c.ratio < 4.5) fail(`moderator: the ${c.origin} badge's contrast is ${c.ratio.toFixed(2)}:1, under WCAG AA's 4.5:1`);
  }
  // Counters per origin: pending / received.
  const counts = { all: '3 / 4', site: '1 / 1', youtube: '1 / 1', facebook: '1 / 2' };
  for (const [origin, text] of Object.entries(counts)) {
    const got = (await countText(origin)).trim();
    if (got !== text) fail(`moderator: the ${origin} counter should read "${text}", not "${got}"`);
  }
  if (await page.getByTestId('origin-filter-peertube').isVisible()) fail('moderator: PeerTube, with no question, should take no room');
  await shot('1-moderator-badges', 'moderator');

  // The filter with the keyboard alone: focus the group, arrows to Facebook.
  await page.getByTestId('origin-filter-all').focus();
  for (let i = 0; i < 3; ++i) await page.keyboard.press('ArrowRight');
  await waitIn('moderator', 'the arrow keys should choose "Facebook" and keep its two questions only',
    () => document.querySelector('[data-testid="origin-filter-facebook"]').checked
      && [...document.querySelectorAll('[data-testid="question-card"]')].filter((n) => n.offsetParent !== null).length === 2);
  const filtered = await visibleCards();
  if (filtered.some((c) => c.origin !== 'facebook')) fail(`moderator: the filter let through ${JSON.stringify(filtered)}`);
  if (filtered.find((c) => c.id === 1)?.rank !== '1') fail('moderator: question n° 1 should keep its rank 1 in the queue');
  const empty = await page.getByTestId('rejected-empty').textContent();
  if (!empty.includes('filtre : Facebook')) fail(`moderator: an empty list should say the filter is on ("${empty}")`);
  await shot('2-moderator-facebook-only', 'moderator');
  for (let i = 0; i < 3; ++i) await page.keyboard.press('ArrowLeft');
  await waitIn('moderator', 'the arrow keys should bring back "Toutes" and every question',
    () => document.querySelector('[data-testid="origin-filter-all"]').checked
      && [...document.querySelectorAll('[data-testid="question-card"]')].filter((n) => n.offsetParent !== null).length === 4);
  log('moderator: badges, counters and the origin filter by keyboard');
}

async function mayor() {
  phase = 'mayor';
  await open('mayor', `/mayor/#token=${args.mayor}`, { width: 1024, height: 768 });
  await waitIn('mayor', 'the current question should be n° 1, by "Jean D. · Facebook"',
    () => document.querySelector('[data-testid="current"]')?.dataset.id === '1'
      && document.querySelector('[data-testid="current-who"]')?.textContent.trim() === 'Jean D. · Facebook');
  await shot('3-mayor', 'mayor');
  log('mayor: "Jean D. · Facebook"');
}

async function console_() {
  phase = 'console';
  const page = await open('console', `/console/#token=${args.technician}`, { width: 1366, height: 900 });
  await waitIn('console', 'the platforms panel should show YouTube\'s form for a live created by hand',
    () => Boolean(document.querySelector('[data-testid="watch-youtube"]')?.offsetParent));
  // Empty: said on the spot, nothing sent.
  await page.getByTestId('watch-submit-youtube').click({ timeout: STEP_MS });
  await waitIn('console', 'an empty address should be refused under the form',
    () => document.querySelector('[data-testid="watch-feedback-youtube"]')?.dataset.severity === 'error');
  // Typing survives the status pushes (one a second): the panel is not rebuilt under the fingers.
  const input = page.getByTestId('watch-address-youtube');
  await input.click();
  await input.pressSequentially('pas-une-adresse', { delay: 120 });
  if ((await input.inputValue()) !== 'pas-une-adresse') fail('console: the address typed was lost while typing');
  if (!(await input.evaluate((node) => node === document.activeElement))) fail('console: the address field lost the focus');
  await page.keyboard.press('Enter');
  await waitIn('console', 'the server\'s answer should be written under the form',
    () => {
      const node = document.querySelector('[data-testid="watch-feedback-youtube"]');
      return node && !node.hidden && node.textContent.trim() !== '' && !node.textContent.includes('Collez d\'abord');
    });
  const feedback = await page.getByTestId('watch-feedback-youtube').evaluate((n) => ({ severity: n.dataset.severity, text: n.textContent.trim() }));
  const line = (await page.getByTestId('status-line').locator('.status-text').textContent()).trim();
  if (feedback.severity === 'error' && feedback.text !== line) {
    fail(`console: the refusal under the form ("${feedback.text}") should be the server's, as in the status line ("${line}")`);
  }
  await shot('4-console-watch', 'console');
  log(`console: "${feedback.text}"`);
}

async function main() {
  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  await moderator();
  await mayor();
  await console_();
  phase = 'markup';
  for (const who of ['moderator', 'mayor']) {
    const { page } = pages[who];
    if (await page.evaluate(() => window.__pwned !== undefined)) fail(`${who}: markup from a platform was run`);
  }
  const shown = await pages.moderator.page.evaluate(() => document.body.innerText);
  if (!shown.includes(XSS_PSEUDONYM) || !shown.includes(XSS_TEXT)) fail('moderator: the platform\'s markup should be shown as text');
  if (await pages.moderator.page.evaluate(() => document.querySelector('[data-testid="moderation"] img, [data-testid="moderation"] script'))) {
    fail('moderator: an element was injected from a platform\'s text');
  }
  for (const [who, p] of Object.entries(pages)) {
    if (p.errors.length) fail(`${who} logged errors: ${p.errors.join(' | ')}`);
  }
}

let status = 0;
try {
  await main();
  console.log(`OK: origins scenario passed in ${elapsed()}`);
} catch (error) {
  status = 1;
  console.log(`FAIL: ${error instanceof Failure ? error.message : error.stack || error}`);
  for (const [who, p] of Object.entries(pages)) {
    for (const e of p.errors) console.log(`  ${who}: ${e}`);
    await p.page.screenshot({ path: join(args.out, `origins-failure-${who}.png`), fullPage: true }).catch(() => {});
  }
} finally {
  clearTimeout(overall);
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
