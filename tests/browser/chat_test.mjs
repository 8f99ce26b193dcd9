// Questions from a platform's comments (issue 21) in a real Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), against a real `tribune run` reading a
// Facebook live's comments from the fake platform server. Run by
// tests/browser/chat_browser_tests.cpp, which links the account, prepares the live, writes the
// comments on the fake and then judges what nginx recorded; by hand, against such a Tribune:
//
//   node tests/browser/chat_test.mjs --base http://127.0.0.1:8080 \
//     --technician T --moderator M --mayor Y --out /tmp/shots        (tokens: DATA/tokens.json)
//
// The comments the caller wrote (all with a "?", so each is a question):
//   "Jean Dupont": "Et le parking de la gare ?"
//   '"><svg onload=window.__xss=3>': '<img src=x onerror="window.__xss=1">Quand ? <script>…</script>'
//   "javascript:window.__xss=4": '&lt;b&gt;Gras&lt;/b&gt; <a href="javascript:…">…</a> et la voirie ?'
//
// The scenario:
//  1. The moderator sees the three, each with the Facebook badge; the markup is on the page as
//     characters, no element was made of it, nothing ran (window.__xss stays undefined).
//  2. The moderator approves the hostile question, then the plain one.
//  3. The technician opens the session and suspends it (REST, /api/commands).
//  4. The mayor's tablet shows the hostile question with its author as text; the mayor puts
//     it on air (QUESTION_ON_AIR is printed), ~6 s, marks it answered (QUESTION_OFF_AIR); the
//     tablet then shows "Jean Dupont · Facebook", on air ~6 s, taken off air.
//  5. On the moderator's page, the tablet and the console, window.__xss is undefined and no
//     page logged an error.
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
    out: { type: 'string', default: 'chat-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.base || !args.technician || !args.moderator || !args.mayor) {
  console.error('usage: node chat_test.mjs --base http://127.0.0.1:PORT --technician T --moderator M --mayor Y [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const OVERALL_LIMIT_MS = 70_000;
const STEP_MS = 15_000;
const ON_AIR_MS = 6_000;

// What the caller wrote on the fake (chat_browser_tests.cpp).
const PLAIN_TEXT = 'Et le parking de la gare ?';
const PLAIN_WHO = 'Jean Dupont · Facebook';
const XSS_AUTHOR = '"><svg onload=window.__xss=3>';
const XSS_TEXT = ['<img src=x onerror="window.__xss=1">', 'Quand ?', '<script>window.__xss=2</script>'];
const LINK_AUTHOR = 'javascript:window.__xss=4';
const LINK_TEXT = ['&lt;b&gt;Gras&lt;/b&gt;', '<a href="javascript:window.__xss=5">'];

let browser;
let phase = 'start';
const pages = {};  // name → {page, errors: []}

const overall = overallLimit(OVERALL_LIMIT_MS, () => phase);

async function shot(name, who) {
  const file = join(args.out, `chat-${name}.png`);
  await pages[who].page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

// Waits for a condition evaluated in a page; fails with `what` and the page's status line.
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

// The technician's commands, through the REST mirror of the protocol.
async function technician(type) {
  const response = await fetch(`${args.base}/api/commands`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${args.technician}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type, id: type }),
  });
  const body = await response.json().catch(() => ({}));
  if (body.status !== 'ok') fail(`the technician's ${type} was refused: HTTP ${response.status} ${JSON.stringify(body)}`);
  log(`technician: ${type}`);
}

// The markup is on the page as characters, no element was made of it, and nothing ran.
async function expectInert(who, texts) {
  const found = await pages[who].page.evaluate((wanted) => {
    const shown = document.body.textContent;
    return {
      xss: window.__xss,
      injected: document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload], script:not([src]), '
        + '[href^="javascript"], [src^="javascript"]').length,
      missing: wanted.filter((t) => !shown.includes(t)),
    };
  }, texts);
  if (found.xss !== undefined) fail(`${who}: window.__xss is ${found.xss}: markup from Facebook ran (XSS)`);
  if (found.injected) fail(`${who}: ${found.injected} element(s) were made of the markup from Facebook`);
  if (found.missing.length) fail(`${who}: the markup should be shown as text; missing ${JSON.stringify(found.missing)}`);
}

// --- moderator --------------------------------------------------------------------------

const card = (id) => pages.moderator.page.locator(`[data-testid="question-card"][data-id="${id}"]`);

// The moderator's cards: [{id, origin, badge, text, who, list}].
const cards = () => pages.moderator.page.evaluate(() => [...document.querySelectorAll('[data-testid="question-card"]')]
  .map((n) => ({
    id: Number(n.dataset.id),
    origin: n.dataset.origin,
    badge: n.querySelector('[data-testid="q-origin"]').textContent.trim(),
    text: n.querySelector('[data-testid="q-text"]').textContent,
    who: n.querySelector('[data-testid="q-who"]').textContent,
    list: n.closest('[data-testid$="-list"]')?.dataset.testid,
  })));

async function expectCardIn(list, id) {
  await waitIn('moderator', `question n° ${id} should be in ${list}`,
    ([l, i]) => Boolean(document.querySelector(`[data-testid="${l}"] [data-testid="question-card"][data-id="${i}"]`)),
    [list, id]);
}

async function moderator() {
  phase = 'moderator';
  await open('moderator', `/moderator/#token=${args.moderator}`, { width: 1366, height: 768 });
  await waitIn('moderator', 'the three Facebook comments should arrive as questions',
    () => document.querySelectorAll('[data-testid="question-card"][data-origin="facebook"]').length === 3, undefined, 20_000);
  const all = await cards();
  const plain = all.find((c) => c.text === PLAIN_TEXT);
  const hostile = all.find((c) => c.text.includes(XSS_TEXT[0]));
  const link = all.find((c) => c.text.includes(LINK_TEXT[0]));
  if (!plain || !hostile || !link) fail(`moderator: the three comments should be shown as written; found ${JSON.stringify(all)}`);
  for (const c of all) {
    if (c.badge !== 'Facebook' || c.list !== 'pending-list') fail(`moderator: every card should be pending with the Facebook badge; found ${JSON.stringify(c)}`);
  }
  if (!plain.who.includes('Jean Dupont') || !hostile.who.includes(XSS_AUTHOR) || !link.who.includes(LINK_AUTHOR)) {
    fail(`moderator: the authors should be shown as written; found ${JSON.stringify(all)}`);
  }
  await expectInert('moderator', [XSS_AUTHOR, ...XSS_TEXT, LINK_AUTHOR, ...LINK_TEXT]);
  await shot('1-moderator-incoming', 'moderator');
  log(`moderator: questions n° ${plain.id} (plain), ${hostile.id} (markup), ${link.id} (entities, link) with their badge`);

  // The hostile question first in the queue, the plain one after.
  for (const c of [hostile, plain]) {
    await card(c.id).getByTestId('act-approve').click({ timeout: STEP_MS });
    await expectCardIn('queue-list', c.id);
  }
  log('moderator: approved the markup question, then the plain one');
  return { plain, hostile };
}

// --- mayor ------------------------------------------------------------------------------

async function expectMayorCurrent(id, status, who) {
  await waitIn('mayor', `the tablet should show n° ${id} (${status}) by "${who}"`,
    ([i, s, w]) => {
      const node = document.querySelector('[data-testid="current"]');
      return node && node.dataset.id === String(i) && node.dataset.status === s
        && document.querySelector('[data-testid="current-who"]')?.textContent.trim() === w;
    }, [id, status, who]);
}

async function mayorClick(id) {
  await pages.mayor.page.getByTestId(id).click({ timeout: STEP_MS });
}

async function mayor({ plain, hostile }) {
  phase = 'mayor';
  await open('mayor', `/mayor/#token=${args.mayor}`, { width: 1024, height: 768 });
  const hostileWho = `${XSS_AUTHOR} · Facebook`;
  await expectMayorCurrent(hostile.id, 'approved', hostileWho);

  await technician('session.open');
  await technician('session.suspend');
  await waitIn('mayor', '"À l\'antenne" should be enabled during the suspension',
    () => !document.querySelector('[data-testid="btn-on-air"]').disabled);
  await pages.mayor.page.waitForTimeout(1500);  // the suspension's slate, for the recording

  await mayorClick('btn-on-air');
  await expectMayorCurrent(hostile.id, 'on_air', hostileWho);
  console.log(`QUESTION_ON_AIR ${hostile.id} ${Date.now()}`);
  await expectInert('mayor', [XSS_AUTHOR, ...XSS_TEXT]);
  await shot('2-mayor-markup-on-air', 'mayor');
  await pages.mayor.page.waitForTimeout(ON_AIR_MS);  // for the recording
  await mayorClick('btn-answered');
  console.log(`QUESTION_OFF_AIR ${hostile.id} ${Date.now()}`);

  await expectMayorCurrent(plain.id, 'approved', PLAIN_WHO);
  await pages.mayor.page.waitForTimeout(1500);  // the slate again between the two
  await mayorClick('btn-on-air');
  await expectMayorCurrent(plain.id, 'on_air', PLAIN_WHO);
  console.log(`QUESTION_ON_AIR ${plain.id} ${Date.now()}`);
  await shot('3-mayor-plain-on-air', 'mayor');
  await pages.mayor.page.waitForTimeout(ON_AIR_MS);  // for the recording
  await mayorClick('btn-off-air');
  await expectMayorCurrent(plain.id, 'approved', PLAIN_WHO);
  console.log(`QUESTION_OFF_AIR ${plain.id} ${Date.now()}`);
  await pages.mayor.page.waitForTimeout(1500);  // the slate after, for the recording
  log('mayor: the markup question, then "Jean Dupont · Facebook", each on air and off');
}

async function main() {
  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const questions = await moderator();
  await mayor(questions);

  phase = 'console';
  await open('console', `/console/#token=${args.technician}`, { width: 1366, height: 900 });
  await pages.console.page.waitForTimeout(1000);  // a status push or two
  phase = 'markup';
  await expectInert('moderator', [XSS_AUTHOR, ...XSS_TEXT, LINK_AUTHOR, ...LINK_TEXT]);
  await expectInert('mayor', []);
  await expectInert('console', []);
  for (const [who, p] of Object.entries(pages)) {
    if (p.errors.length) fail(`${who} logged errors: ${p.errors.join(' | ')}`);
  }
}

let status = 0;
try {
  await main();
  console.log(`OK: chat scenario passed in ${elapsed()}`);
} catch (error) {
  status = 1;
  console.log(`FAIL: ${error instanceof Failure ? error.message : error.stack || error}`);
  for (const [who, p] of Object.entries(pages)) {
    for (const e of p.errors) console.log(`  ${who}: ${e}`);
    await p.page.screenshot({ path: join(args.out, `chat-failure-${who}.png`), fullPage: true }).catch(() => {});
  }
} finally {
  clearTimeout(overall);
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
