// Issue 23 end to end on the installed package (tests/browser/installed_browser_tests.cpp
// extracts it and starts its `tribune serve`): in a real Chromium, the technician
//   1. adds a destination on the settings page with its stream key (the key is then found
//      nowhere in the pages, any HTTP answer they got or any websocket frame);
//   2. creates a meeting from the PDF convocation, corrects a title on the review screen,
//      edits the roster and picks a rapporteur from it, and plans it about a minute ahead;
//   3. watches it start by itself at its time behind the "début imminent" slate;
//   4. opens, closes and ends it, and sees the console back in standby, the meeting "terminée".
// The C++ side checks the stream at nginx-rtmp and the files and logs.
//
//   node installed_test.mjs --base URL --technician TOKEN --pdf FILE --server rtmp://…/live --key KEY [--out DIR]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { fail, failed, log, overallLimit, passed } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    technician: { type: 'string' },
    pdf: { type: 'string' },
    server: { type: 'string' },
    key: { type: 'string' },
    out: { type: 'string', default: 'installed-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.base || !args.technician || !args.pdf || !args.server || !args.key) {
  console.error('usage: node installed_test.mjs --base URL --technician TOKEN --pdf FILE --server rtmp://…/live --key KEY');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const STEP_MS = 20_000;
const MEETING_MS = 60_000;
let phase = 'start';
const overall = overallLimit(400_000, () => phase);
const pageErrors = [];
const seen = [];  // every HTTP answer body and websocket frame the pages got or sent
let browser;
let consolePage;

const consoleUrl = `${args.base}/console/#token=${args.technician}`;
const pad = (n) => String(n).padStart(2, '0');

// The meeting's time: the first whole minute at least 75 s from now, in this machine's
// time zone (the server's). The lead is 0: it starts at that minute.
const startAt = new Date(Math.ceil((Date.now() + 75_000) / 60_000) * 60_000);
const DATE = `${startAt.getFullYear()}-${pad(startAt.getMonth() + 1)}-${pad(startAt.getDate())}`;
const TIME = `${pad(startAt.getHours())}:${pad(startAt.getMinutes())}`;

function watch(page) {
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('response', async (response) => {
    try {
      seen.push(`${response.url()} ${await response.text()}`);
    } catch {
      // a redirect or an aborted request has no body
    }
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => seen.push(String(frame.payload)));
    ws.on('framesent', (frame) => seen.push(String(frame.payload)));
  });
}

async function openPage(context, url) {
  const page = await context.newPage();
  watch(page);
  await page.goto(url);
  return page;
}

async function waitIn(page, what, fn, arg, timeout = STEP_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const status = await page.locator('[data-testid="status-line"]').first().textContent().catch(() => '?');
    fail(`${what} (not within ${timeout / 1000} s; status line: "${(status || '').trim()}")`);
  }
}

const text = async (page, testid) => ((await page.getByTestId(testid).first().textContent()) || '').trim();

async function shot(page, name) {
  const file = join(args.out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

async function api(path) {
  const response = await fetch(`${args.base}${path}`, { headers: { Authorization: `Bearer ${args.technician}` } });
  if (response.status !== 200) fail(`GET ${path} answered ${response.status}`);
  return response.json();
}

// Every page's HTML, and everything they exchanged, without the key.
async function keyNowhere(pages, when) {
  for (const page of pages) {
    if ((await page.content()).includes(args.key)) fail(`${when}: the key is in the HTML of ${page.url()}`);
  }
  const where = seen.find((s) => s.includes(args.key));
  if (where) fail(`${when}: the key was sent to a page: ${where.slice(0, 120).replace(args.key, '<KEY>')}…`);
}

async function setDestination() {
  phase = 'settings: a destination and its key';
  // Reached as the technician does: the console's "Réglages" link.
  await consolePage.getByTestId('standby-settings-link').click();
  await consolePage.waitForURL(/settings\.html/);
  const settings = consolePage;
  await waitIn(settings, 'the settings page should load',
    () => document.body.dataset.loaded === 'true' && !document.querySelector('[data-testid="settings"]').hidden);
  const before = await settings.getByTestId('destination').count();
  await settings.getByTestId('destination-add').click();
  const row = settings.getByTestId('destination').nth(before);
  await row.getByTestId('destination-name').fill('mairie');
  await row.getByTestId('destination-platform').selectOption('');
  await row.getByTestId('destination-url').fill(args.server);
  await row.getByTestId('destination-key').fill(args.key);
  await settings.getByTestId('save-destinations').click();
  await waitIn(settings, 'the destination should be saved',
    () => document.querySelector('[data-section="destinations"] [data-role="outcome"]')?.dataset.kind === 'ok');
  const saved = await api('/api/settings');
  const destination = saved.values.destinations.find((d) => d.name === 'mairie');
  if (!destination || destination.key !== '****') fail(`saved destinations: ${JSON.stringify(saved.values.destinations)}`);
  await settings.reload();
  await waitIn(settings, 'the page should list the saved destination after a reload',
    () => [...document.querySelectorAll('[data-testid="destination-name"]')].some((i) => i.value === 'mairie'));
  // "Tester": the saved destination's server accepts a publish with the key.
  await settings.locator('[data-testid="destination"]').last().getByTestId('destination-test').click();
  await waitIn(settings, 'the destination\'s test should say the server accepts the publish',
    () => {
      const result = [...document.querySelectorAll('[data-testid="destination-test-result"]')].find((r) => !r.hidden);
      return result?.dataset.kind === 'ok' && result.textContent.includes('accepte la diffusion');
    });
  await shot(settings, 'installed-settings');
  await keyNowhere([settings], 'after the settings');
  log('destination "mairie" saved; the page shows ****');
  await settings.getByTestId('console-link').click();
  await waitIn(consolePage, 'the console should be back in standby',
    () => !document.querySelector('[data-testid="standby"]')?.hidden
      && document.querySelector('[data-testid="connection"]')?.dataset.state === 'standby');
}

async function main() {
  browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR' });

  phase = 'standby';
  consolePage = await openPage(context, consoleUrl);
  await waitIn(consolePage, 'the installed console should show the standby screen',
    () => !document.querySelector('[data-testid="standby"]').hidden
      && document.querySelector('[data-testid="connection"]').dataset.state === 'standby');
  log('installed console in standby');

  await setDestination();

  phase = 'new meeting from the PDF convocation';
  await consolePage.bringToFront();
  await consolePage.getByTestId('new-meeting').click();
  await consolePage.getByTestId('meeting-title-input').fill('Conseil municipal');
  await consolePage.getByTestId('meeting-date').fill(DATE);
  await consolePage.getByTestId('meeting-time').fill(TIME);
  await consolePage.getByTestId('meeting-place').fill('Salle du conseil');
  await consolePage.getByTestId('agenda-file').setInputFiles(args.pdf);
  await consolePage.getByTestId('agenda-read').click();
  await waitIn(consolePage, 'the review should show the convocation\'s four items',
    () => !document.querySelector('[data-testid="review"]').hidden
      && document.querySelectorAll('[data-testid="review-item"]').length === 4);
  const numbers = await consolePage.getByTestId('item-number').evaluateAll((inputs) => inputs.map((i) => i.value));
  if (JSON.stringify(numbers) !== JSON.stringify(['1', '2', '6 bis', '7'])) fail(`item numbers read: ${JSON.stringify(numbers)}`);
  const kinds = await consolePage.getByTestId('item-kind').evaluateAll((selects) => selects.map((s) => s.value));
  if (kinds[3] !== 'question_diverse') fail(`"Questions diverses" should be a question diverse, not ${kinds[3]}`);
  const rows = consolePage.getByTestId('review-item');
  const title2 = await rows.nth(1).getByTestId('item-title').inputValue();
  if (title2 !== 'Budjet primitif 2027') fail(`item 2 read as "${title2}"`);
  await rows.nth(1).getByTestId('item-title').fill('Budget primitif 2027');
  await editRoster(rows);
  await shot(consolePage, 'installed-review');
  await consolePage.getByTestId('review-save').click();
  await waitIn(consolePage, 'the meeting should be listed "prévue"',
    () => [...document.querySelectorAll('[data-testid="meeting-row"]')].some((r) => r.querySelector('[data-testid="meeting-state"]').textContent === 'prévue'));
  const plan = (await api('/api/schedule')).meetings[0];
  if (plan.date !== DATE || plan.time !== TIME) fail(`planned at ${plan.date} ${plan.time}, not ${DATE} ${TIME}`);
  if (plan.items !== 4) fail(`the meeting should be saved with 4 items, not ${plan.items}`);
  log(`planned ${plan.id} at ${DATE} ${TIME}`);

  phase = 'started by itself';
  if (Date.now() >= startAt.getTime()) fail('the steps before the start took longer than the minute planned: the test cannot watch the start');
  await waitIn(consolePage, 'the meeting should start by itself behind the "début imminent" slate',
    () => !document.querySelector('[data-testid="console"]').hidden
      && document.querySelector('[data-testid="connection"]').dataset.state === 'connected'
      && document.querySelector('[data-testid="layer-slate"]')?.dataset.visible === 'true'
      && document.querySelector('[data-testid="layer-slate"]')?.dataset.template === 'starting',
    null, startAt.getTime() - Date.now() + MEETING_MS);
  const lateBy = (Date.now() - startAt.getTime()) / 1000;
  if (lateBy < -2) fail(`the meeting started ${-lateBy} s before its time`);
  log(`started by itself ${lateBy.toFixed(1)} s after ${TIME}`);
  await waitIn(consolePage, 'the destination should be live',
    () => document.querySelector('[data-testid="destination-card"][data-name="mairie"]')?.dataset.phase === 'live',
    null, MEETING_MS);
  await shot(consolePage, 'installed-started');

  phase = 'open, close, end';
  await consolePage.getByTestId('session-open').click();
  await waitIn(consolePage, 'the session should open',
    () => document.querySelector('[data-testid="session-badge"]').dataset.state === 'seance_ouverte');
  await consolePage.waitForTimeout(3000);  // a few seconds of open session for the replay
  await consolePage.getByTestId('session-close').click();
  await consolePage.getByTestId('session-close').click();  // the confirmation
  await waitIn(consolePage, 'the session should close',
    () => document.querySelector('[data-testid="session-badge"]').dataset.state === 'seance_levee');
  await consolePage.getByTestId('session-end').click();
  await consolePage.getByTestId('session-end').click();
  await waitIn(consolePage, 'the console should be back in standby with the meeting "terminée"',
    (id) => !document.querySelector('[data-testid="standby"]').hidden
      && document.querySelector(`[data-testid="meeting-row"][data-id="${id}"] [data-testid="meeting-state"]`)?.textContent === 'terminée',
    plan.id, MEETING_MS);
  await shot(consolePage, 'installed-standby');
  log('ended, back in standby');

  phase = 'the key nowhere';
  await keyNowhere([consolePage], 'at the end');
  if (pageErrors.length) fail(`errors in the pages: ${pageErrors.join(' | ')}`);
  await passed(overall, browser);
}

// The roster: a councillor added by hand, and picked as the rapporteur of item 2.
async function editRoster(rows) {
  phase = 'the roster';
  const before = await consolePage.getByTestId('councillor').count();
  await consolePage.getByTestId('roster-add').click();
  const added = consolePage.getByTestId('councillor').nth(before);
  await added.getByTestId('councillor-name').fill('Mme Claire Martin');
  await added.getByTestId('councillor-role').fill('Adjointe aux finances');
  await added.getByTestId('councillor-group').fill('Majorité');
  await waitIn(consolePage, 'the roster\'s names should be offered as rapporteurs',
    () => [...document.querySelectorAll('[data-testid="roster-names"] option')].some((o) => o.value === 'Mme Claire Martin'));
  await rows.nth(1).getByTestId('item-rapporteur').fill('Mme Claire Martin');
  log('roster: Mme Claire Martin added, rapporteur of item 2');
}

main().catch((error) => failed(error, browser, async () => {
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join(' | ')}`);
  if (consolePage) await shot(consolePage, 'installed-failure').catch(() => {});
}));
