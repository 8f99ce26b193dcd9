// The viewers' questions in a real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): the viewers' page on two phones, the moderator's page and the mayor's
// tablet, each in its own browser context, against a real `tribune run`. Run by
// tests/browser/questions_browser_tests.cpp, which then checks the question graphic in what
// nginx recorded; it can also be run by hand against a Tribune in pré-séance:
//
//   node tests/browser/questions_test.mjs --base http://127.0.0.1:8080 \
//     --technician T --moderator M --mayor Y --out /tmp/shots        (tokens: DATA/tokens.json)
//   [--restart]
//
// The scenario:
//  1. Viewer A (phone) asks a question with a pseudonym and a place: the character counter
//     follows, the GDPR notice is shown before sending, "Mes questions" says "en attente".
//     Viewer B asks one with a phone number (masked for everyone but the moderator), and
//     both send markup as questions and pseudonym (XSS); B's fourth question in 5 minutes is
//     refused with the server's French message saying how long to wait.
//  2. The moderator sees them arrive (pending), with the phone flag and the original text;
//     approves with a button and with the keyboard (j/k then a), moves a question to the top
//     (t), edits then approves, rejects (r), restores, sets one aside for a written reply (w),
//     deletes one (two clicks), merges a duplicate into the question it repeats (its author
//     reads "regroupée…"); toggles pre-screening; downloads both exports. Viewer A upvotes a
//     question once; the counters follow.
//  3. The technician opens the session (REST, /api/commands): the mayor's "À l'antenne" and
//     "Répondue" are disabled, with the reason; the session is suspended: enabled. The mayor
//     puts the first question on air (the viewer reads "à l'antenne", QUESTION_ON_AIR is
//     printed), then marks it answered (the viewer reads "répondue"). The markup question
//     goes on air; the session resumes (deliberation): it leaves the air, back at the top,
//     and the mayor's buttons are disabled with the reason. A huis clos is announced on the
//     viewers' page.
//  4. On all four pages the markup is inert text (window.__pwned stays undefined, the
//     literal text is visible, no element was injected); viewer A reloads and finds its
//     questions with their statuses (the browser id kept in localStorage).
//  5. With --restart: prints READY_FOR_RESTART; the caller stops Tribune and starts it again;
//     every page shows "connexion perdue", reconnects by itself, resumes, and a new question
//     goes from a phone to the moderator and, approved, to the other phone and the tablet.
//  No page may log an error (a CSP violation included), but the refused connections while
//  Tribune is down.
//
// Exit status 0 on success; 1 with a line "FAIL: …" otherwise.
import { mkdirSync, readFileSync } from 'node:fs';
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
    out: { type: 'string', default: 'questions-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    restart: { type: 'boolean', default: false },
  },
});
if (!args.base || !args.technician || !args.moderator || !args.mayor) {
  console.error('usage: node questions_test.mjs --base http://127.0.0.1:PORT --technician T --moderator M --mayor Y [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const OVERALL_LIMIT_MS = 170_000;
const STEP_MS = 15_000;

// The markup viewers send: it must stay text everywhere.
const XSS_IMG = '<img src=x onerror=window.__pwned=1>';
const XSS_SCRIPT = '</script><script>window.__pwned=1</script>';
const XSS_PSEUDONYM = 'javascript:window.__pwned=1';

let browser;
let phase = 'start';
const pages = {};  // name → {page, errors: []}

const overall = overallLimit(OVERALL_LIMIT_MS, () => phase);

async function shot(name, who) {
  const file = join(args.out, `questions-${name}.png`);
  await pages[who].page.screenshot({ path: file, fullPage: who.startsWith('viewer') });
  log(`screenshot ${file}`);
}

// Waits for a condition evaluated in a page; fails with `what` and that page's status or
// feedback line if it does not come.
async function waitIn(who, what, fn, arg, timeout = STEP_MS) {
  const { page } = pages[who];
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const line = await page.evaluate(() => {
      const node = document.querySelector('[data-testid="status-line"], [data-testid="ask-feedback"]');
      return node ? node.textContent.trim() : '';
    }).catch(() => '?');
    fail(`${who}: ${what} (not within ${timeout / 1000} s; the page says: "${line}")`);
  }
}

const testid = (who, id) => pages[who].page.getByTestId(id);
async function click(who, id) {
  await testid(who, id).click({ timeout: STEP_MS });
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

async function open(who, path, contextOptions) {
  const context = await browser.newContext({ locale: 'fr-FR', acceptDownloads: true, ...contextOptions });
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

// --- viewers ----------------------------------------------------------------------------

const mineIds = (who) => pages[who].page.getByTestId('mine-item').evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));

// Asks a question from a viewer's page; returns {kind, status, text, id} (id when accepted).
async function ask(who, { text, pseudonym = '', place = '' }) {
  const { page } = pages[who];
  const before = await mineIds(who);
  await testid(who, 'ask-text').fill(text);
  const expected = [...text.trim()].length;
  await waitIn(who, `the counter should count ${expected} characters`,
    (n) => document.querySelector('[data-testid="ask-counter"]')?.dataset.count === String(n)
      && document.querySelector('[data-testid="ask-counter"]').textContent.includes(`${n} / `), expected);
  await testid(who, 'ask-pseudonym').fill(pseudonym);
  await testid(who, 'ask-place').fill(place);
  await page.evaluate(() => { document.querySelector('[data-testid="ask-feedback"]').dataset.kind = ''; });
  await click(who, 'ask-submit');
  await waitIn(who, 'the page should say what became of the question',
    () => ['ok', 'error'].includes(document.querySelector('[data-testid="ask-feedback"]')?.dataset.kind));
  const outcome = await page.evaluate(() => {
    const node = document.querySelector('[data-testid="ask-feedback"]');
    return { kind: node.dataset.kind, status: node.dataset.status, step: node.dataset.step, text: node.textContent.trim() };
  });
  if (outcome.kind === 'ok') {
    await waitIn(who, 'the question should appear in "Mes questions"',
      (n) => document.querySelectorAll('[data-testid="mine-item"]').length === n, before.length + 1);
    const after = await mineIds(who);
    outcome.id = after.find((id) => !before.includes(id));
    log(`${who} asked n° ${outcome.id}: ${JSON.stringify(text).slice(0, 60)}`);
  }
  return outcome;
}

async function expectMineStatus(who, id, status, label) {
  await waitIn(who, `"Mes questions" should show n° ${id} as "${label}"`,
    ([i, s, l]) => {
      const item = document.querySelector(`[data-testid="mine-item"][data-id="${i}"]`);
      return item && item.dataset.status === s && item.querySelector('[data-testid="q-status"]').textContent.trim() === l
        && item.offsetParent !== null;
    }, [id, status, label]);
  log(`${who}: n° ${id} reads "${label}"`);
}

// --- moderator --------------------------------------------------------------------------

const card = (id) => pages.moderator.page.locator(`[data-testid="question-card"][data-id="${id}"]`);

async function expectCardIn(list, id, status) {
  await waitIn('moderator', `question n° ${id} should be in ${list} as ${status}`,
    ([l, i, s]) => {
      const node = document.querySelector(`[data-testid="${l}"] [data-testid="question-card"][data-id="${i}"]`);
      return node && node.dataset.status === s;
    }, [list, id, status]);
}

async function cardAction(id, action) {
  await card(id).getByTestId(`act-${action}`).click({ timeout: STEP_MS });
}

async function key(letter) {
  await pages.moderator.page.keyboard.press(letter);
}

async function expectSelected(id) {
  await waitIn('moderator', `question n° ${id} should be selected`,
    (i) => [...document.querySelectorAll('[data-testid="question-card"][data-selected="true"]')].map((n) => n.dataset.id).join() === String(i), id);
}

const queueOrder = (who, selector) => pages[who].page.locator(selector).evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.id)));

async function expectQueue(ids) {
  await waitIn('moderator', `the queue should read ${ids.join(', ')}`,
    (expected) => [...document.querySelectorAll('[data-testid="queue-list"] [data-testid="question-card"]')]
      .map((n) => Number(n.dataset.id)).join() === expected.join(), ids);
}

async function expectCounters(counters) {
  await waitIn('moderator', `the counters should read ${JSON.stringify(counters)}`,
    (c) => Object.entries(c).every(([k, v]) => document.querySelector(`[data-testid="counter-${k}"]`)?.textContent.trim() === String(v)),
    counters);
}

async function exportFile(kind) {
  const { page } = pages.moderator;
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: STEP_MS }),
    click('moderator', `export-${kind}`),
  ]);
  const path = await download.path();
  const text = readFileSync(path, 'utf8');
  log(`export ${kind}: ${download.suggestedFilename()}, ${text.length} bytes`);
  return text;
}

// --- mayor ------------------------------------------------------------------------------

async function expectMayorCurrent(id, status) {
  await waitIn('mayor', `the tablet should show n° ${id} (${status})`,
    ([i, s]) => {
      const node = document.querySelector('[data-testid="current"]');
      return node && node.dataset.id === String(i) && node.dataset.status === s;
    }, [id, status]);
}

async function expectOnAirButton(enabled, reason) {
  await waitIn('mayor', `"À l'antenne" should be ${enabled ? 'enabled' : `disabled with "${reason}"`}`,
    ([e, r]) => {
      const button = document.querySelector('[data-testid="btn-on-air"]');
      const why = document.querySelector('[data-testid="on-air-reason"]');
      if (!button || button.hidden) return false;
      const answered = document.querySelector('[data-testid="btn-answered"]');
      if (e) return !button.disabled && why.hidden && !answered.disabled;
      return button.disabled && answered.disabled && !why.hidden && why.textContent.includes(r) && why.offsetParent !== null;
    }, [enabled, reason]);
  log(`mayor: "À l'antenne" ${enabled ? 'enabled' : 'disabled, reason shown'}`);
}

// --- XSS --------------------------------------------------------------------------------

// The markup is on the page as text, visible, and did nothing.
async function expectInert(who, texts) {
  const { page } = pages[who];
  const found = await page.evaluate((wanted) => {
    const visibleText = (t) => [...document.querySelectorAll('body *')].some((n) => n.children.length === 0
      && n.textContent.includes(t) && n.offsetParent !== null);
    return {
      pwned: window.__pwned !== undefined,
      images: document.querySelectorAll('img, iframe, object, embed').length,
      scripts: document.scripts.length,
      jsLinks: document.querySelectorAll('[href^="javascript"], [src^="javascript"]').length,
      missing: wanted.filter((t) => !visibleText(t)),
    };
  }, texts);
  if (found.pwned) fail(`${who}: window.__pwned is set: viewer markup ran (XSS)`);
  if (found.images || found.scripts !== 1 || found.jsLinks) {
    fail(`${who}: viewer markup became elements (${found.images} images, ${found.scripts} scripts, ${found.jsLinks} javascript: links)`);
  }
  if (found.missing.length) fail(`${who}: the literal text should be visible: ${found.missing.join(' | ')}`);
  log(`${who}: markup shown as inert text`);
}

// ---------------------------------------------------------------------------------------

async function main() {
  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

  phase = 'connect';
  await open('moderator', `/moderator/#token=${args.moderator}`, { viewport: { width: 1366, height: 768 } });
  await open('mayor', `/mayor/#token=${args.mayor}`, { viewport: { width: 1024, height: 768 }, hasTouch: true });
  await open('viewerA', '/viewer/', phone);
  await open('viewerB', '/viewer/', phone);
  for (const who of ['moderator', 'mayor']) {
    const address = await pages[who].page.evaluate(() => location.href);
    if (address.includes('token=')) fail(`${who}: the token should leave the address bar`);
  }
  const viewerId = await pages.viewerA.page.evaluate(() => localStorage.getItem('tribune.viewer'));
  if (!/^[A-Za-z0-9_-]{22,64}$/.test(viewerId || '')) fail(`viewer A: the browser id should be kept in localStorage, found ${viewerId}`);
  await waitIn('viewerA', 'the GDPR notice (purpose, retention, contact) should be shown before sending',
    () => ['notice-purpose', 'notice-retention', 'notice-contact']
      .every((id) => (document.querySelector(`[data-testid="${id}"]`)?.textContent || '').trim().length > 10)
      && document.querySelector('[data-testid="ask-notice"]').offsetParent !== null);
  const state = await pages.mayor.page.evaluate(() => document.querySelector('[data-testid="session-badge"]').dataset.state);
  if (state !== 'pre_seance') fail(`the meeting should start in pré-séance, it is in "${state}" (use a fresh data folder)`);

  phase = 'ask';
  const q1 = await ask('viewerA', { text: 'Quand la piscine municipale rouvrira-t-elle après les travaux ?', pseudonym: 'Camille', place: 'Quartier des Tilleuls' });
  if (q1.kind !== 'ok') fail(`viewer A's question was refused: ${q1.text}`);
  // At the town hall the question is logged before the answer: "transmise" at once.
  if (q1.step !== 'logged' || !q1.text.includes('Question transmise à la mairie')) fail(`viewer A's question should read "transmise": ${JSON.stringify(q1)}`);
  await expectMineStatus('viewerA', q1.id, 'pending', 'en attente');
  await shot('01-viewer-asked', 'viewerA');
  const q2 = await ask('viewerB', { text: 'Les horaires de la médiathèque vont-ils changer ? Appelez-moi au 06 12 34 56 78', place: 'Centre-ville' });
  const q3 = await ask('viewerA', { text: XSS_IMG, pseudonym: XSS_PSEUDONYM });
  const q4 = await ask('viewerB', { text: XSS_SCRIPT, pseudonym: 'Dominique' });
  const q5 = await ask('viewerB', { text: 'Une question que le modérateur va mettre de côté.' });
  for (const [name, q] of Object.entries({ q2, q3, q4, q5 })) if (q.kind !== 'ok') fail(`${name} was refused: ${q.text}`);
  const q6 = await ask('viewerB', { text: 'Encore une question, la quatrième en cinq minutes.' });
  if (q6.kind !== 'error' || q6.status !== 'rate_limited' || !/réessayez dans/.test(q6.text)) {
    fail(`viewer B's fourth question in 5 minutes should be refused with the wait in French, got ${JSON.stringify(q6)}`);
  }
  if (!(await testid('viewerB', 'ask-submit').isDisabled())) fail('viewer B: "Envoyer" should wait while rate limited');
  log(`viewer B rate limited: ${q6.text}`);
  await shot('02-viewer-rate-limited', 'viewerB');

  // Nothing pending reaches the mayor or the other viewers.
  const leaked = await Promise.all(['mayor', 'viewerB'].map((who) => pages[who].page.evaluate(() => document.body.textContent.includes('piscine'))));
  if (leaked.some(Boolean)) fail('a pending question reached the mayor\'s tablet or another viewer');

  phase = 'moderate';
  for (const q of [q1, q2, q3, q4, q5]) await expectCardIn('pending-list', q.id, 'pending');
  await expectCounters({ pending: 5, approved: 0, answered: 0, rejected: 0 });
  // The phone number: masked for everyone, the original shown to the moderator.
  const masked = await card(q2.id).evaluate((node) => ({
    flag: Boolean(node.querySelector('[data-testid="flag"][data-flag="phone"]')),
    text: node.querySelector('[data-testid="q-text"]').textContent,
    original: node.querySelector('[data-testid="q-original-text"]').textContent,
    originalShown: node.querySelector('[data-testid="q-original"]').offsetParent !== null,
  }));
  if (!masked.flag || masked.text.includes('06 12 34 56 78') || !masked.original.includes('06 12 34 56 78') || !masked.originalShown) {
    fail(`the phone number should be flagged, masked in the text and visible in the original: ${JSON.stringify(masked)}`);
  }
  log(`moderator: phone flagged, text "${masked.text}"`);
  await shot('03-moderator-incoming', 'moderator');

  await cardAction(q2.id, 'approve');
  await expectCardIn('queue-list', q2.id, 'approved');
  // Keyboard: a click selects, j the next question, k back, a approves.
  await card(q1.id).locator('[data-testid="q-text"]').click();
  await expectSelected(q1.id);
  await key('j');
  await expectSelected(q3.id);
  await key('k');
  await expectSelected(q1.id);
  await key('a');
  await expectCardIn('queue-list', q1.id, 'approved');
  await expectQueue([q2.id, q1.id]);
  await expectSelected(q3.id);  // the next question waiting, for the keyboard to go on
  await expectMineStatus('viewerA', q1.id, 'approved', 'retenue');
  await card(q1.id).locator('[data-testid="q-text"]').click();
  await expectSelected(q1.id);
  await key('t');
  await expectQueue([q1.id, q2.id]);
  log('moderator: approved by button and by keyboard, moved to the top with t');
  await cardAction(q3.id, 'approve');
  // Edit, then approve: the new text for everyone, the original kept for the moderator.
  await cardAction(q4.id, 'edit');
  const editor = card(q4.id).getByTestId('edit-text');
  await editor.waitFor({ state: 'visible', timeout: STEP_MS });
  if ((await editor.inputValue()) !== XSS_SCRIPT) fail('the editor should start from the question\'s text');
  await editor.fill(`${XSS_SCRIPT} (texte revu)`);
  await card(q4.id).getByTestId('edit-approve').click();
  await expectCardIn('queue-list', q4.id, 'approved');
  await waitIn('moderator', 'the edited text should be shown with the original kept',
    ([i, edited, original]) => {
      const node = document.querySelector(`[data-testid="question-card"][data-id="${i}"]`);
      return node && node.querySelector('[data-testid="q-text"]').textContent === edited
        && node.querySelector('[data-testid="q-original-text"]').textContent === original;
    }, [q4.id, `${XSS_SCRIPT} (texte revu)`, XSS_SCRIPT]);
  await expectQueue([q1.id, q2.id, q3.id, q4.id]);
  // Reject with r, restore, set aside for a written reply with w, delete with two clicks.
  await card(q5.id).locator('[data-testid="q-text"]').click();
  await key('r');
  await expectCardIn('rejected-list', q5.id, 'rejected');
  await expectMineStatus('viewerB', q5.id, 'rejected', 'non retenue');
  await cardAction(q5.id, 'restore');
  await expectCardIn('pending-list', q5.id, 'pending');
  await card(q5.id).locator('[data-testid="q-text"]').click();
  await key('w');
  await expectCardIn('done-list', q5.id, 'written_reply');
  await expectMineStatus('viewerB', q5.id, 'written_reply', 'réponse écrite à venir');
  await cardAction(q5.id, 'delete');
  await waitIn('moderator', 'the delete button should ask for confirmation',
    (i) => /Confirmer/.test(document.querySelector(`[data-testid="question-card"][data-id="${i}"] [data-testid="act-delete"]`)?.textContent || ''), q5.id);
  await cardAction(q5.id, 'delete');
  await waitIn('moderator', 'the deleted question should leave every list',
    (i) => !document.querySelector(`[data-testid="question-card"][data-id="${i}"]`), q5.id);
  await expectMineStatus('viewerB', q5.id, 'deleted', 'non retenue');
  log('moderator: rejected, restored, written reply, deleted');
  // A duplicate merged into the question it repeats, picked in the list.
  const q7 = await ask('viewerA', { text: 'Est-ce que les horaires de la médiathèque changent ?' });
  if (q7.kind !== 'ok') fail(`viewer A's third question was refused: ${q7.text}`);
  await expectCardIn('pending-list', q7.id, 'pending');
  await cardAction(q7.id, 'merge');
  await card(q7.id).getByTestId('merge-target').selectOption(String(q2.id));
  await card(q7.id).getByTestId('merge-confirm').click();
  await expectCardIn('done-list', q7.id, 'merged');
  await expectMineStatus('viewerA', q7.id, 'merged', 'regroupée avec une question semblable');
  log('moderator: duplicate merged');
  await expectCounters({ pending: 0, approved: 4, answered: 0, rejected: 0 });

  // Pre-screening off, then on again.
  await pages.moderator.page.locator('label.switch').click();
  await waitIn('moderator', 'pre-screening should be off', () => document.querySelector('[data-testid="prescreen"]').checked === false
    && /directement/.test(document.querySelector('[data-testid="prescreen-hint"]').textContent));
  await pages.moderator.page.locator('label.switch').click();
  await waitIn('moderator', 'pre-screening should be on again', () => document.querySelector('[data-testid="prescreen"]').checked === true
    && /attend votre accord/.test(document.querySelector('[data-testid="prescreen-hint"]').textContent));

  // Viewer A upvotes the second question once.
  const upvote = pages.viewerA.page.locator(`[data-testid="queue-item"][data-id="${q2.id}"] [data-testid="upvote"]`);
  await upvote.click({ timeout: STEP_MS });
  await waitIn('viewerA', 'the upvote should be counted and the button disabled',
    (i) => {
      const item = document.querySelector(`[data-testid="queue-item"][data-id="${i}"]`);
      const button = item && item.querySelector('[data-testid="upvote"]');
      return button && button.disabled && button.dataset.voted === 'true' && item.querySelector('[data-testid="votes"]').dataset.votes === '1';
    }, q2.id);
  await waitIn('moderator', 'the moderator should see the vote',
    (i) => /1 soutien/.test(document.querySelector(`[data-testid="question-card"][data-id="${i}"] [data-testid="q-votes"]`)?.textContent || ''), q2.id);
  const viewerAText = await pages.viewerA.page.evaluate(() => document.body.textContent);
  if (viewerAText.includes('06 12 34 56 78')) fail('viewer A should never see the masked phone number');

  const csv = await exportFile('csv');
  if (!csv.includes('piscine')) fail('the CSV export should list the questions');
  const json = await exportFile('json');
  try {
    if (!JSON.stringify(JSON.parse(json)).includes('piscine')) fail('the JSON export should list the questions');
  } catch (error) {
    if (error instanceof Failure) throw error;
    fail(`the JSON export is not JSON: ${error.message}`);
  }
  await shot('04-moderator-queue', 'moderator');

  phase = 'mayor';
  await expectMayorCurrent(q1.id, 'approved');
  const mayorOrder = await queueOrder('mayor', '[data-testid="next-item"]');
  if (mayorOrder.join() !== [q2.id, q3.id, q4.id].join()) fail(`the mayor's next questions should follow the queue, got ${mayorOrder}`);
  await expectOnAirButton(true);  // pré-séance: the public may be heard
  await technician('session.open');
  await expectOnAirButton(false, 'Pendant les délibérations, le public ne peut pas être entendu.');
  await shot('05-mayor-deliberation', 'mayor');
  await technician('session.suspend');
  await expectOnAirButton(true);
  await click('mayor', 'btn-on-air');
  await expectMayorCurrent(q1.id, 'on_air');
  console.log(`QUESTION_ON_AIR ${q1.id} ${Date.now()}`);
  await expectMineStatus('viewerA', q1.id, 'on_air', 'à l\'antenne');
  await waitIn('viewerB', 'viewer B should see the question on air in the queue',
    (i) => document.querySelector(`[data-testid="queue-item"][data-id="${i}"]`)?.dataset.status === 'on_air', q1.id);
  await shot('06-mayor-on-air', 'mayor');
  await shot('07-viewer-on-air', 'viewerA');
  await pages.mayor.page.waitForTimeout(5000);  // for the recording
  await click('mayor', 'btn-answered');
  console.log(`QUESTION_ANSWERED ${q1.id} ${Date.now()}`);
  await expectMineStatus('viewerA', q1.id, 'answered', 'répondue');
  await expectMayorCurrent(q2.id, 'approved');
  await expectCounters({ pending: 0, approved: 3, answered: 1, rejected: 0 });
  await pages.mayor.page.waitForTimeout(2000);  // the suspension's slate again, for the recording

  // The markup question on air: the graphic renders it as text (checked in the recording).
  await cardAction(q3.id, 'top');
  await expectMayorCurrent(q3.id, 'approved');
  await click('mayor', 'btn-on-air');
  await expectMayorCurrent(q3.id, 'on_air');
  console.log(`QUESTION_ON_AIR ${q3.id} ${Date.now()}`);
  await expectInert('mayor', [XSS_IMG, XSS_PSEUDONYM, `${XSS_SCRIPT} (texte revu)`]);
  await pages.mayor.page.waitForTimeout(4000);  // for the recording
  // Back to deliberation: the question leaves the air, back at the top of the queue.
  await technician('session.resume');
  await expectMayorCurrent(q3.id, 'approved');
  await expectOnAirButton(false, 'Pendant les délibérations, le public ne peut pas être entendu.');
  console.log(`QUESTION_OFF_AIR ${q3.id} ${Date.now()}`);
  await shot('08-mayor-resumed', 'mayor');

  phase = 'xss';
  for (const who of ['viewerA', 'viewerB']) await expectInert(who, [XSS_IMG, XSS_PSEUDONYM, `${XSS_SCRIPT} (texte revu)`]);
  await expectInert('moderator', [XSS_IMG, XSS_PSEUDONYM, `${XSS_SCRIPT} (texte revu)`, XSS_SCRIPT]);

  phase = 'huis-clos';
  await technician('session.huis_clos');
  await waitIn('viewerA', 'the viewers\' page should say the session is huis clos',
    () => document.querySelector('[data-testid="notice-huis-clos"]')?.offsetParent !== null
      && document.querySelector('[data-testid="session-badge"]').dataset.state === 'huis_clos');
  await expectOnAirButton(false, 'huis clos');
  await shot('09-viewer-huis-clos', 'viewerA');
  await technician('session.leave_huis_clos');

  phase = 'reload';
  await pages.viewerA.page.reload();
  await waitIn('viewerA', 'the page should connect again after a reload',
    () => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected');
  const again = await pages.viewerA.page.evaluate(() => localStorage.getItem('tribune.viewer'));
  if (again !== viewerId) fail('the browser id should survive a reload');
  await expectMineStatus('viewerA', q1.id, 'answered', 'répondue');
  await expectMineStatus('viewerA', q3.id, 'approved', 'retenue');
  await expectInert('viewerA', [XSS_IMG, XSS_PSEUDONYM]);
  await shot('10-viewer-after-reload', 'viewerA');

  if (args.restart) await scenarioRestart(q1, q3);

  const errors = Object.entries(pages).flatMap(([who, p]) => p.errors
    .filter((e) => !(e.startsWith('console error (restart)') && EXPECTED_WHILE_DOWN.test(e)))
    .map((e) => `${who}: ${e}`));
  if (errors.length) fail(`the pages logged errors:\n  ${errors.join('\n  ')}`);
}

// While Tribune is down on purpose, the browser logs the refused connections: expected.
const EXPECTED_WHILE_DOWN = /WebSocket connection to|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|Failed to load resource|Failed to fetch/i;

// Tribune stops and starts again (the caller does it when it reads READY_FOR_RESTART): every
// page says the connection is lost, comes back by itself, resumes where it was, and the live
// updates flow again.
async function scenarioRestart(q1, q3) {
  phase = 'restart';
  await pages.mayor.page.waitForTimeout(2500);  // the picture after the questions, for the recording
  console.log('READY_FOR_RESTART');
  for (const who of ['viewerA', 'moderator', 'mayor']) {
    await waitIn(who, 'the "connexion perdue" banner should appear once Tribune stops',
      () => {
        const banner = document.querySelector('[data-testid="banner"]');
        return banner && !banner.hidden && /Connexion perdue/.test(banner.textContent)
          && document.querySelector('[data-testid="connection"]')?.dataset.state !== 'connected';
      }, undefined, 30_000);
  }
  log('banners shown');
  await shot('11-viewer-connection-lost', 'viewerA');
  for (const who of ['viewerA', 'viewerB', 'moderator', 'mayor']) {
    await waitIn(who, 'the page should reconnect by itself once Tribune is back',
      () => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected'
        && document.querySelector('[data-testid="banner"]').hidden, undefined, 60_000);
  }
  log('all pages reconnected');
  phase = 'after-restart';
  await expectMineStatus('viewerA', q1.id, 'answered', 'répondue');
  await expectMayorCurrent(q3.id, 'approved');
  // Live again: a new question reaches the moderator, its approval reaches the others.
  // (Viewer A: B's page still waits out its refusal; the restarted server forgot the limits.)
  const q8 = await ask('viewerA', { text: 'Après le redémarrage : la question arrive-t-elle encore ?' });
  if (q8.kind !== 'ok') fail(`viewer A's question after the restart was refused: ${q8.text}`);
  await expectCardIn('pending-list', q8.id, 'pending');
  await cardAction(q8.id, 'approve');
  await waitIn('viewerB', 'viewer B should see the question approved after the restart',
    (i) => document.querySelector(`[data-testid="queue-item"][data-id="${i}"]`)?.dataset.status === 'approved', q8.id);
  await waitIn('mayor', 'the tablet should list the question approved after the restart',
    (i) => Boolean(document.querySelector(`[data-testid="next-item"][data-id="${i}"]`)), q8.id);
  await expectMineStatus('viewerA', q8.id, 'approved', 'retenue');
  await shot('12-moderator-after-restart', 'moderator');
  log('live updates flow again after the restart');
}

let status = 0;
try {
  await main();
  console.log(`OK: questions scenario passed in ${elapsed()}`);
} catch (error) {
  status = 1;
  console.log(`FAIL: ${error instanceof Failure ? error.message : error.stack || error}`);
  for (const [who, p] of Object.entries(pages)) {
    for (const e of p.errors) console.log(`  ${who}: ${e}`);
    await p.page.screenshot({ path: join(args.out, `questions-failure-${who}.png`), fullPage: true }).catch(() => {});
  }
} finally {
  clearTimeout(overall);
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
