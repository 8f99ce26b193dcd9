// The console's meetings under `tribune serve` (web/console/meetings.js, docs/SCHEDULE.md) in
// a real Chromium against a real `tribune serve` in standby: the standby screen with no
// meeting, the viewer page's standby notice, "Nouvelle séance" from pasted text with a
// "6 bis" and a duplicated number → the review shows the problem with its line, corrected in
// the table, saved → "prévue" with its automatic start; a second console with the old
// revision tries to delete it → the French conflict message, and its save against an old
// revision keeps its review for a second click; started by hand → the console
// reconnects to the meeting behind the "début imminent" slate; "Arrêter la séance" → back to
// standby, the meeting "arrêtée". Markup in a title stays text. Screenshots of the standby
// screen and the review screen are left in --out.
// The editor: the roster imported from a CSV this script writes (and one with a wrong
// column → the French error), edited by hand, a rapporteur from its names, an item moved,
// all saved with the agenda (read back with GET /api/schedule/ID/agenda); "Modifier l'ordre
// du jour" on the planned meeting, and a save after another console's edit → the French
// conflict message, then the saved version reloaded. The stopped meeting's files: one this
// script puts into DATA/exports/LOG_ID, downloaded by Chromium through a one-time ticket
// (the token never in the URL; the ticket refused the second time).
//
//   node meetings_test.mjs --base http://127.0.0.1:PORT --technician TOKEN --data DATA_DIR [--out DIR]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { fail, failed, log, overallLimit, passed } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    technician: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string', default: 'meetings-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.base || !args.technician || !args.data) {
  console.error('usage: node meetings_test.mjs --base http://127.0.0.1:PORT --technician TOKEN --data DATA_DIR [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const STEP_MS = 20_000;
const MEETING_MS = 60_000;  // a meeting's start or stop: the pipeline built or taken down
let phase = 'start';
const overall = overallLimit(280_000, () => phase);
const pageErrors = [];
let browser;
let console1;

const consoleUrl = `${args.base}/console/#token=${args.technician}`;
const XSS_TITLE = '<img src=x onerror="window.__pwned=1">Conseil municipal';

// The meeting's date and time, 3 hours from now in this machine's time zone (the server's).
const later = new Date(Date.now() + 3 * 3600 * 1000);
const pad = (n) => String(n).padStart(2, '0');
const DATE = `${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}`;
const TIME = `${pad(later.getHours())}:${pad(later.getMinutes())}`;

// Line 5 repeats the number of line 3: the server refuses the text and says where.
const AGENDA_TEXT = [
  '# Conseil municipal',
  '1. Approbation du procès-verbal — M. Bernard Lefèvre, maire',
  '2 - Budget primitif 2027 — Mme Claire Martin, adjointe aux finances',
  '6 bis - Subvention au comité des fêtes <script>window.__pwned=2</script>',
  '2 - Travaux de voirie rue des Écoles',
  'Information : rapport annuel sur le prix de l\'eau',
].join('\n');

async function openPage(context, url) {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
  await page.goto(url);
  return page;
}

async function waitIn(page, what, fn, arg, timeout = STEP_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const status = await page.locator('[data-testid="status-line"] .status-text').textContent().catch(() => '?');
    fail(`${what} (not within ${timeout / 1000} s; status line: "${(status || '').trim()}")`);
  }
}

const visible = (page, testid) => page.getByTestId(testid).isVisible();
const text = async (page, testid) => ((await page.getByTestId(testid).first().textContent()) || '').trim();

async function shot(page, name) {
  const file = join(args.out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

async function schedule() {
  const response = await fetch(`${args.base}/api/schedule`, { headers: { Authorization: `Bearer ${args.technician}` } });
  if (response.status !== 200) fail(`GET /api/schedule answered ${response.status}`);
  return response.json();
}

// What another console does meanwhile: a meeting added over REST.
async function addMeeting(revision, title) {
  const added = await fetch(`${args.base}/api/schedule`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${args.technician}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ revision, meeting: { title, date: DATE, time: TIME }, agenda_text: '1 - Point unique' }),
  });
  if (added.status !== 200) fail(`adding "${title}" answered ${added.status}`);
}

async function technicianFetch(path, options = {}) {
  return fetch(`${args.base}${path}`, {
    ...options, headers: { Authorization: `Bearer ${args.technician}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
}

// A meeting's saved agenda, as the editor reads it.
async function savedAgenda(id) {
  const response = await technicianFetch(`/api/schedule/${id}/agenda`);
  if (response.status !== 200) fail(`GET /api/schedule/${id}/agenda answered ${response.status}`);
  return response.json();
}

const itemValues = (page, testid) => page.getByTestId(testid).evaluateAll((inputs) => inputs.map((i) => i.value));

async function notPwned(page) {
  const pwned = await page.evaluate(() => window.__pwned);
  if (pwned !== undefined) fail(`markup from a title ran in the page (window.__pwned = ${pwned})`);
}

async function main() {
  browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });

  phase = 'standby, nothing planned';
  const context1 = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR' });
  console1 = await openPage(context1, consoleUrl);
  await waitIn(console1, 'the console should show the standby screen',
    () => !document.querySelector('[data-testid="standby"]').hidden
      && document.querySelector('[data-testid="console"]').hidden
      && document.querySelector('[data-testid="connection"]').dataset.state === 'standby');
  if (!(await visible(console1, 'meetings-empty'))) fail('the empty schedule should say that no meeting is planned');
  if (!(await text(console1, 'standby-next')).includes('Aucune séance prévue')) {
    fail(`standby-next should say "Aucune séance prévue", not "${await text(console1, 'standby-next')}"`);
  }
  log('standby screen: no meeting');

  phase = 'a file the server cannot read';
  await console1.getByTestId('new-meeting').click();
  await console1.getByTestId('agenda-file').setInputFiles({ name: 'convocation.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 pas un vrai PDF') });
  await console1.getByTestId('agenda-read').click();
  await waitIn(console1, 'an unreadable file should give a message in the form',
    () => {
      const m = document.querySelector('[data-testid="form-message"]');
      return !m.hidden && m.dataset.severity === 'error' && m.textContent.trim().length > 20;
    });
  if (await visible(console1, 'review')) fail('the review should not open for a file that could not be read');
  log(`file refused: ${await text(console1, 'form-message')}`);

  phase = 'a text file';
  // Read by the server's convocation reader, or in the page by a server without it: either
  // way its problem comes with its line.
  await console1.getByTestId('meeting-date').fill(DATE);
  await console1.getByTestId('meeting-time').fill(TIME);
  await console1.getByTestId('agenda-file').setInputFiles({ name: 'ordre-du-jour.txt', mimeType: 'text/plain', buffer: Buffer.from('1 - Budget\n1 - Voirie\n') });
  await console1.getByTestId('agenda-read').click();
  await waitIn(console1, 'a text file with a repeated number should open the review with its problem',
    () => !document.querySelector('[data-testid="review"]').hidden
      && [...document.querySelectorAll('[data-testid="review-problem"]')].some((p) => p.textContent.startsWith('ligne 2 :')));
  log(`text file: ${await text(console1, 'review-problem')}`);
  await console1.getByTestId('review-back').click();
  await console1.getByTestId('agenda-file').setInputFiles([]);

  phase = 'new meeting from pasted text';
  await console1.getByTestId('meeting-title-input').fill(XSS_TITLE);
  await console1.getByTestId('meeting-date').fill(DATE);
  await console1.getByTestId('meeting-time').fill(TIME);
  await console1.getByTestId('meeting-place').fill('Salle du conseil');
  await console1.getByTestId('agenda-text').fill(AGENDA_TEXT);
  await console1.getByTestId('agenda-read').click();
  await waitIn(console1, 'the review should show the problem of line 5',
    () => !document.querySelector('[data-testid="review"]').hidden
      && [...document.querySelectorAll('[data-testid="review-problem"]')].some((p) => p.textContent.startsWith('ligne 5 :')));
  const rows = console1.getByTestId('review-item');
  if ((await rows.count()) !== 5) fail(`the review should list 5 items, not ${await rows.count()}`);
  const numbers = await console1.getByTestId('item-number').evaluateAll((inputs) => inputs.map((i) => i.value));
  if (JSON.stringify(numbers) !== JSON.stringify(['1', '2', '6 bis', '2', ''])) fail(`item numbers: ${JSON.stringify(numbers)}`);
  if ((await rows.nth(3).getAttribute('data-problem')) !== 'true') fail('the 4th item (line 5) should be marked with its problem');
  if ((await console1.locator('[data-testid="review-source"] li[data-line="5"]').getAttribute('data-problem')) !== 'true') {
    fail('line 5 of the text should be marked with its problem');
  }
  const kinds = await console1.getByTestId('item-kind').evaluateAll((selects) => selects.map((s) => s.value));
  if (kinds[4] !== 'information') fail(`the "Information :" line should be an information item, not ${kinds[4]}`);
  const title3 = await console1.getByTestId('item-title').nth(2).inputValue();
  if (!title3.includes('<script>')) fail(`the markup of a title should stay its text: "${title3}"`);
  await notPwned(console1);
  await shot(console1, 'meetings-review');
  log(`review: ${numbers.join(', ')}; problem: ${await text(console1, 'review-problem')}`);

  phase = 'the roster from a spreadsheet';
  const wrongCsv = join(args.out, 'elus-colonnes.csv');
  writeFileSync(wrongCsv, 'Prénom;Nom\nClaire;Martin\n');
  await console1.getByTestId('roster-file').setInputFiles(wrongCsv);
  await waitIn(console1, 'a CSV with an unknown column should give the French error',
    () => /colonne « Prénom » inconnue/.test(document.querySelector('[data-testid="roster-message"]').textContent)
      && !document.querySelector('[data-testid="roster-message"]').hidden);
  if ((await console1.getByTestId('councillor').count()) !== 0) fail('a refused roster should add nobody');
  log(`wrong roster: ${await text(console1, 'roster-message')}`);
  const rosterCsv = join(args.out, 'elus.csv');
  writeFileSync(rosterCsv, '\uFEFFnom;fonction;groupe\r\nMme Claire Martin;Adjointe aux finances;Majorité\r\n'
    + 'M. Bernard Lefèvre;Maire;Majorité\r\nM. Paul Durand;Conseiller municipal;Opposition\r\n');
  await console1.getByTestId('roster-file').setInputFiles(rosterCsv);
  await waitIn(console1, 'the CSV\'s three councillors should be listed',
    () => document.querySelectorAll('[data-testid="councillor"]').length === 3
      && document.querySelector('[data-testid="roster-message"]').hidden);
  const rosterNames = await console1.locator('#roster-names option').evaluateAll((options) => options.map((o) => o.value));
  if (JSON.stringify(rosterNames) !== JSON.stringify(['Mme Claire Martin', 'M. Bernard Lefèvre', 'M. Paul Durand'])) {
    fail(`the rapporteurs offered should be the roster's names: ${JSON.stringify(rosterNames)}`);
  }
  if ((await console1.getByTestId('item-rapporteur').first().getAttribute('list')) !== 'roster-names') {
    fail('the rapporteur field should offer the roster\'s names');
  }
  // Edited by hand: one removed, one added.
  await console1.getByRole('button', { name: 'Retirer M. Paul Durand de la liste' }).click();
  await console1.getByTestId('roster-add').click();
  const added = console1.getByTestId('councillor').nth(2);
  await added.getByTestId('councillor-name').fill('Mme Anne Petit');
  await added.getByTestId('councillor-group').fill('Opposition');
  await shot(console1, 'meetings-roster');
  log(`roster: ${rosterNames.join(', ')}; edited by hand`);

  phase = 'corrected in the table, saved';
  await rows.nth(3).getByTestId('item-number').fill('3');
  await rows.nth(0).getByTestId('item-kind').selectOption('deliberation');
  // An item added at the end, then moved up above the information.
  await console1.getByTestId('review-add').click();
  await rows.nth(5).getByTestId('item-title').fill('Question diverse : éclairage du stade');
  await rows.nth(5).getByTestId('item-kind').selectOption('question_diverse');
  await rows.nth(5).getByTestId('item-rapporteur').fill('Mme Claire Martin');
  await rows.nth(5).getByTestId('item-up').click();
  await console1.getByTestId('review-save').click();
  await waitIn(console1, 'the saved meeting should be listed "prévue" with its automatic start',
    () => document.querySelector('[data-testid="review"]').hidden
      && [...document.querySelectorAll('[data-testid="meeting-row"]')].some((r) => r.querySelector('[data-testid="meeting-state"]').textContent === 'prévue'
        && r.querySelector('[data-testid="meeting-auto"]')?.textContent.startsWith('démarrage automatique')));
  const saved = await schedule();
  if (saved.meetings.length !== 1) fail(`one meeting should be saved, not ${saved.meetings.length}`);
  const plan = saved.meetings[0];
  if (plan.title !== XSS_TITLE || plan.date !== DATE || plan.time !== TIME) fail(`saved as ${JSON.stringify(plan)}`);
  if (!(await text(console1, 'meeting-row-title')).includes('<img')) fail('the title with markup should be shown as text');
  if (!(await text(console1, 'standby-auto')).startsWith('Démarrage automatique')) fail('the standby screen should say when the meeting starts by itself');
  const savedFirst = (await savedAgenda(plan.id)).agenda;
  const q = savedFirst.items[4];
  if (savedFirst.items.length !== 6 || q.kind !== 'question_diverse' || q.rapporteur !== 'Mme Claire Martin'
    || savedFirst.items[5].kind !== 'information') {
    fail(`the moved question with its rapporteur should be saved before the information: ${JSON.stringify(savedFirst.items)}`);
  }
  const councillors = savedFirst.councillors || [];
  if (JSON.stringify(councillors.map((c) => [c.id, c.name, c.group || ''])) !== JSON.stringify([
    ['cm-01', 'Mme Claire Martin', 'Majorité'], ['cm-02', 'M. Bernard Lefèvre', 'Majorité'], ['cm-03', 'Mme Anne Petit', 'Opposition']])) {
    fail(`the roster should be saved with the agenda: ${JSON.stringify(councillors)}`);
  }
  await notPwned(console1);
  await shot(console1, 'meetings-standby');
  log(`saved ${plan.id}: ${await text(console1, 'standby-next')} / ${await text(console1, 'standby-auto')}`);

  phase = 'the viewer page in standby';
  const viewerContext = await browser.newContext({ locale: 'fr-FR' });
  const viewer = await openPage(viewerContext, `${args.base}/viewer/`);
  await waitIn(viewer, 'the viewer page should name the next meeting',
    () => document.querySelector('[data-testid="standby-notice"]')?.textContent.startsWith('Pas de séance en cours — prochaine séance : '));
  const notice = await text(viewer, 'standby-notice');
  if (!notice.endsWith(', Salle du conseil') || !notice.includes(`à ${TIME.replace(':', ' h ')}`)) fail(`viewer notice: "${notice}"`);
  await notPwned(viewer);
  await shot(viewer, 'meetings-viewer-standby');
  log(`viewer: ${notice}`);
  await viewerContext.close();

  phase = 'the moderator page in standby';
  const moderatorContext = await browser.newContext({ locale: 'fr-FR' });
  const moderator = await openPage(moderatorContext, `${args.base}/moderator/#token=${args.technician}`);
  await waitIn(moderator, 'the moderator page should wait for the meeting',
    () => document.querySelector('[data-testid="standby-notice"]')?.textContent.startsWith('En attente de la séance')
      && document.querySelector('main').offsetParent === null
      && document.querySelector('[data-testid="banner"]').hidden);
  log(`moderator: ${await text(moderator, 'standby-notice')}`);
  await moderatorContext.close();

  phase = 'a second console with an old revision';
  const context2 = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR' });
  const console2 = await openPage(context2, consoleUrl);
  await waitIn(console2, 'the second console should list the meeting',
    () => document.querySelectorAll('[data-testid="meeting-row"]').length === 1);
  // Another console adds a meeting meanwhile: the second one's list is now out of date.
  await addMeeting(saved.revision, 'Conseil extraordinaire');
  const row2 = console2.locator(`[data-testid="meeting-row"][data-id="${plan.id}"]`);
  await row2.getByTestId('meeting-delete').click();
  await row2.getByTestId('meeting-delete').click();  // the confirmation
  await waitIn(console2, 'the second console should get the French conflict message',
    () => /modifiée entre-temps/.test(document.querySelector('[data-testid="meetings-message"]').textContent)
      && document.querySelectorAll('[data-testid="meeting-row"]').length === 2);
  if ((await schedule()).meetings.length !== 2) fail('the refused delete should have deleted nothing');
  log(`conflict: ${await text(console2, 'meetings-message')}`);

  phase = 'a stale save keeps the form';
  await console2.getByTestId('new-meeting').click();
  await console2.getByTestId('meeting-title-input').fill('Conseil communautaire');
  await console2.getByTestId('meeting-date').fill(DATE);
  await console2.getByTestId('meeting-time').fill(TIME);
  await console2.getByTestId('agenda-text').fill('1 - Rapport d\'activité\n2 - Budget annexe');
  await console2.getByTestId('agenda-read').click();
  await waitIn(console2, 'the second console should review its two items',
    () => !document.querySelector('[data-testid="review"]').hidden
      && document.querySelectorAll('[data-testid="review-item"]').length === 2);
  await console2.getByTestId('item-title').nth(1).fill('Budget annexe de l\'eau');
  await addMeeting((await schedule()).revision, 'Conseil extraordinaire bis');
  await console2.getByTestId('review-save').click();
  await waitIn(console2, 'a save against an old revision should say so and keep the review',
    () => /modifiée entre-temps/.test(document.querySelector('[data-testid="review-message"]').textContent)
      && !document.querySelector('[data-testid="review"]').hidden
      && document.querySelectorAll('[data-testid="meeting-row"]').length === 3);
  if ((await console2.getByTestId('item-title').nth(1).inputValue()) !== 'Budget annexe de l\'eau') fail('the correction should be kept after a conflict');
  await console2.getByTestId('review-save').click();  // against the list read again
  await waitIn(console2, 'the second save should go through',
    () => document.querySelector('[data-testid="review"]').hidden
      && document.querySelectorAll('[data-testid="meeting-row"]').length === 4);
  const communautaire = (await schedule()).meetings.find((m) => m.title === 'Conseil communautaire');
  if (!communautaire) fail('the second console\'s meeting should be saved');
  log(`stale save refused, then saved as ${communautaire.id}`);
  await context2.close();

  phase = 'the saved agenda edited';
  const planRow = console1.locator(`[data-testid="meeting-row"][data-id="${plan.id}"]`);
  await planRow.getByTestId('meeting-edit').click();
  await waitIn(console1, 'the editor should open with the saved agenda and roster',
    () => !document.querySelector('[data-testid="review"]').hidden
      && document.querySelectorAll('[data-testid="review-item"]').length === 6
      && document.querySelectorAll('[data-testid="councillor"]').length === 3
      && document.getElementById('h-review').textContent.startsWith('Modifier l\'ordre du jour'));
  await notPwned(console1);
  await console1.getByRole('button', { name: 'Descendre le point 1' }).click();
  await rows.nth(1).getByTestId('item-rapporteur').fill('M. Bernard Lefèvre');
  await rows.nth(3).getByTestId('item-number').fill('3 bis');
  await rows.nth(5).getByTestId('item-kind').selectOption('deliberation');
  await console1.getByTestId('councillor').nth(2).getByTestId('councillor-role').fill('Conseillère municipale');
  await shot(console1, 'meetings-editor');
  await console1.getByTestId('review-save').click();
  await waitIn(console1, 'the edited agenda should be saved',
    () => document.querySelector('[data-testid="review"]').hidden);
  const edited = (await savedAgenda(plan.id)).agenda;
  const editedSummary = edited.items.map((i) => `${i.number || ''}|${i.title.slice(0, 12)}|${i.rapporteur || ''}|${i.kind}`);
  if (!edited.items[0].title.startsWith('Budget primitif') || !edited.items[1].title.startsWith('Approbation')
    || edited.items[1].rapporteur !== 'M. Bernard Lefèvre' || edited.items[3].number !== '3 bis'
    || edited.items[5].kind !== 'deliberation' || edited.councillors[2].role !== 'Conseillère municipale') {
    fail(`the edit should be saved: ${JSON.stringify(editedSummary)} ${JSON.stringify(edited.councillors)}`);
  }
  if (edited.meeting.title !== XSS_TITLE || edited.meeting.time !== TIME) fail(`the meeting should stay: ${JSON.stringify(edited.meeting)}`);
  log(`edited: ${editedSummary.join(' / ')}`);

  phase = 'an edit refused after another console\'s';
  await planRow.getByTestId('meeting-edit').click();
  await waitIn(console1, 'the editor should open again',
    () => !document.querySelector('[data-testid="review"]').hidden && document.querySelectorAll('[data-testid="review-item"]').length === 6);
  // Another console saves its own correction meanwhile.
  const other = await savedAgenda(plan.id);
  other.agenda.items[0].title = 'Budget primitif 2027 (corrigé par une autre console)';
  const otherSave = await technicianFetch(`/api/schedule/${plan.id}/agenda`, {
    method: 'POST', body: JSON.stringify({ revision: other.revision, agenda: other.agenda }),
  });
  if (otherSave.status !== 200) fail(`the other console's save answered ${otherSave.status}`);
  await rows.nth(0).getByTestId('item-title').fill('Budget primitif 2027 (version de cette console)');
  await console1.getByTestId('review-save').click();
  await waitIn(console1, 'a save against an old revision should give the French conflict message and a reload',
    () => /modifiée entre-temps/.test(document.querySelector('[data-testid="review-message"]').textContent)
      && !document.querySelector('[data-testid="review"]').hidden
      && !document.querySelector('[data-testid="review-reload"]').hidden);
  if ((await savedAgenda(plan.id)).agenda.items[0].title !== other.agenda.items[0].title) fail('the refused edit should have saved nothing');
  log(`conflict: ${await text(console1, 'review-message')}`);
  await console1.getByTestId('review-reload').click();
  await waitIn(console1, 'the reload should show the other console\'s version',
    (title) => document.querySelector('[data-testid="item-title"]').value === title
      && document.querySelector('[data-testid="review-reload"]').hidden
      && document.querySelector('[data-testid="review-message"]').hidden, other.agenda.items[0].title);
  await console1.getByTestId('review-close').click();
  await waitIn(console1, 'the editor should close', () => document.querySelector('[data-testid="review"]').hidden);

  phase = 'started by hand';
  await console1.locator(`[data-testid="meeting-row"][data-id="${plan.id}"]`).getByTestId('meeting-start').click();
  await waitIn(console1, 'the console should reconnect to the meeting behind the "début imminent" slate',
    () => !document.querySelector('[data-testid="console"]').hidden
      && document.querySelector('[data-testid="standby"]').hidden
      && document.querySelector('[data-testid="connection"]').dataset.state === 'connected'
      && document.querySelector('[data-testid="layer-slate"]')?.dataset.visible === 'true'
      && document.querySelector('[data-testid="layer-slate"]')?.dataset.template === 'starting', null, MEETING_MS);
  await waitIn(console1, '"Arrêter la séance" should be offered during the meeting',
    () => !document.querySelector('[data-testid="schedule-stop"]').hidden);
  // A console opened for the first time during the meeting (another browser) offers it too.
  const lateContext = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR' });
  const lateConsole = await openPage(lateContext, consoleUrl);
  await waitIn(lateConsole, 'a console opened during the meeting should offer "Arrêter la séance"',
    () => !document.querySelector('[data-testid="console"]').hidden
      && !document.querySelector('[data-testid="schedule-stop"]').hidden);
  await lateContext.close();
  if (!(await text(console1, 'meeting-title')).includes('<img')) fail('the meeting title should be shown as text');
  await notPwned(console1);
  log('meeting on, "début imminent" slate');

  phase = 'stopped by hand';
  await console1.getByTestId('schedule-stop').click();
  if ((await console1.getByTestId('schedule-stop').getAttribute('class')).includes('armed') === false) fail('the stop should ask for a confirmation');
  await console1.getByTestId('schedule-stop').click();
  await waitIn(console1, 'the console should be back in standby with the meeting "arrêtée"',
    (id) => !document.querySelector('[data-testid="standby"]').hidden
      && document.querySelector(`[data-testid="meeting-row"][data-id="${id}"] [data-testid="meeting-state"]`)?.textContent === 'arrêtée',
    plan.id, MEETING_MS);
  await notPwned(console1);
  log('back in standby, meeting arrêtée');

  phase = 'the stopped meeting\'s files';
  const logId = (await schedule()).meetings.find((m) => m.id === plan.id)?.log_id;
  if (!logId) fail('the started meeting should have its log id');
  const exportDir = join(args.data, 'exports', logId);
  mkdirSync(exportDir, { recursive: true });
  const NOTES = 'Notes de la séance (fichier du test).\n';
  writeFileSync(join(exportDir, 'notes-test.txt'), NOTES);
  const stoppedRow = console1.locator(`[data-testid="meeting-row"][data-id="${plan.id}"]`);
  await stoppedRow.getByTestId('meeting-files').click();
  const fileItem = console1.locator('[data-testid="meeting-file"][data-name="notes-test.txt"]');
  await waitIn(console1, 'the meeting\'s files should be listed with their sizes',
    () => /notes-test\.txt — \d+ octets/.test(document.querySelector('[data-testid="meeting-file"][data-name="notes-test.txt"]')?.textContent || ''));
  log(`files: ${await console1.getByTestId('files-list').textContent()}`);
  const [download] = await Promise.all([
    console1.waitForEvent('download', { timeout: STEP_MS }),
    fileItem.getByTestId('file-download').click(),
  ]);
  const url = new URL(download.url());
  if (!url.searchParams.get('ticket') || download.url().includes(args.technician)) fail(`the download URL should carry a ticket, not the token: ${download.url()}`);
  if (download.suggestedFilename() !== 'notes-test.txt') fail(`downloaded as "${download.suggestedFilename()}"`);
  const got = readFileSync(await download.path(), 'utf8');
  if (got !== NOTES) fail(`the downloaded file should be the meeting's: "${got}"`);
  const again = await fetch(`${args.base}${url.pathname}${url.search}`);
  if (again.status !== 403 || !/expiré ou a déjà servi/.test((await again.json()).message || '')) fail(`a used ticket should be refused (403), not ${again.status}`);
  const forged = await fetch(`${args.base}${url.pathname}?ticket=${'0'.repeat(64)}`);
  if (forged.status !== 403) fail(`an unknown ticket should be refused (403), not ${forged.status}`);
  const unlisted = await technicianFetch(`/api/schedule/${plan.id}/files/schedule.json/ticket`, { method: 'POST' });
  if (unlisted.status !== 404) fail(`a ticket for a file not listed should be refused (404), not ${unlisted.status}`);
  const anonymous = await fetch(`${args.base}/api/schedule/${plan.id}/files/notes-test.txt/ticket`, { method: 'POST' });
  if (anonymous.status !== 403) fail(`a ticket asked without the technician's token should be refused (403), not ${anonymous.status}`);
  const unknownAgenda = await technicianFetch('/api/schedule/p999/agenda');
  if (unknownAgenda.status !== 404) fail(`the agenda of an unknown meeting should be a 404, not ${unknownAgenda.status}`);
  log(`downloaded ${download.suggestedFilename()} through ${url.pathname}?ticket=…; used ticket refused`);

  if (pageErrors.length) fail(`errors in the pages: ${pageErrors.join(' | ')}`);
  await passed(overall, browser);
}

main().catch((error) => failed(error, browser, async () => {
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join(' | ')}`);
  if (console1) await shot(console1, 'meetings-failure').catch(() => {});
}));
