// The public meeting page (web/seance/, issue 22) in a real Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), run by tests/browser/seance_browser_tests.cpp
// against a real `tribune run` in pré-séance whose agenda's texts are markup, and whose YouTube
// is the fake platform server (the caller approves the account's code):
//
//  1. /seance/ shows "pas encore commencé", the agenda (its markup as literal text), the link
//     to the question page. The technician (REST) opens the session: the item, its title and
//     rapporteur appear; a vote: its result and counts; the next item. At huis clos the page
//     says "Huis clos : la séance se poursuit sans public." and shows no item and no vote;
//     an item changed and a vote recorded then never reach it (not in any frame); once the
//     huis clos is left, the page shows the item reached meanwhile, still without that vote.
//  2. The technician links YouTube and prepares the live: "Regarder sur YouTube" appears (the
//     `lives` message) with a plain link to the live. Until then, every request of the page
//     went to Tribune; the click loads the youtube-nocookie.com player (routed here to a tiny
//     page), and nothing else.
//  3. With the page's websocket routed through this script (the real server behind it), the
//     edge's messages: hostile `lives` addresses get no player and no javascript: link; the
//     "salle injoignable" banner comes and goes with edge_status, on both pages; on the
//     question page a question is "reçue" (a ticket) then "transmise" (question_logged),
//     a question_logged for a ticket it never had is ignored, and a refusal shows its message.
//  No dialog opens, no injected script runs, no page logs an error.
//
// Exit status 0 on success; 1 with a line "FAIL: …" otherwise.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { fail, failed, log, overallLimit, passed } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    technician: { type: 'string' },
    out: { type: 'string', default: 'seance-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    // A hand run against a Tribune without platforms: part 2 is skipped.
    'no-live': { type: 'boolean', default: false },
  },
});
if (!args.base || !args.technician) {
  console.error('usage: node seance_test.mjs --base http://127.0.0.1:PORT --technician T [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const STEP_MS = 20_000;
const OVERALL_MS = 140_000;
const origin = new URL(args.base).origin;

let browser;
let phase = 'start';
const overall = overallLimit(OVERALL_MS, () => phase);

const errors = [];
const dialogs = [];

async function newPage(context, name) {
  const page = await context.newPage();
  const requests = [];
  const frames = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(`${name}: page error (${phase}): ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${name}: console error (${phase}): ${message.text()}`);
  });
  page.on('dialog', async (dialog) => {
    dialogs.push(`${name}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : '')));
  return { page, requests, frames, name };
}

async function waitIn(p, what, fn, arg) {
  try {
    await p.page.waitForFunction(fn, arg, { timeout: STEP_MS, polling: 100 });
  } catch {
    const text = await p.page.evaluate(() => document.querySelector('main')?.innerText.replace(/\s+/g, ' ').slice(0, 600)).catch(() => '?');
    fail(`${p.name}: ${what} (not within ${STEP_MS / 1000} s; the page reads: "${text}")`);
  }
}

async function shot(p, name) {
  await p.page.screenshot({ path: join(args.out, `seance-${name}.png`), fullPage: true });
}

const text = (p, id) => p.page.evaluate((i) => {
  const node = document.querySelector(`[data-testid="${i}"]`);
  return node ? node.textContent.replace(/\s+/g, ' ').trim() : null;
}, id);
const visible = (p, id) => p.page.evaluate((i) => {
  const node = document.querySelector(`[data-testid="${i}"]`);
  return Boolean(node && node.offsetParent !== null);
}, id);

async function rest(command) {
  const response = await fetch(`${args.base}/api/commands`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${args.technician}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: command.type, ...command }),
  });
  const body = await response.json().catch(() => ({}));
  if (body.status !== 'ok') fail(`the technician's ${command.type} was refused: HTTP ${response.status} ${JSON.stringify(body)}`);
  log(`technician: ${command.type}`);
  return body;
}

async function technicianSnapshot() {
  const response = await fetch(`${args.base}/api/snapshot`, { headers: { Authorization: `Bearer ${args.technician}` } });
  return response.json();
}

const foreign = (requests) => requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));

// The agenda's texts, as the caller wrote them (seance_browser_tests.cpp).
const COMMUNE = '<img src=x onerror=window.__pwned=1>Saint-Martin';
const TITLE_2 = '<img src=x onerror=window.__pwned=3> Travaux de voirie';
const RAPPORTEUR_2 = '"><script>window.__pwned=4</script>';
const TITLE_3 = 'javascript:window.__pwned=5';
const RAPPORTEUR_3 = '<a href="javascript:window.__pwned=6">M. Lien</a>';

async function expectInert(p) {
  const found = await p.page.evaluate(() => ({
    pwned: window.__pwned,
    images: document.querySelectorAll('main img, header img').length,
    scripts: [...document.scripts].map((s) => s.src),
    links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')).filter((h) => /^\s*javascript:/i.test(h || '')),
  }));
  if (found.pwned !== undefined) fail(`${p.name}: an injected script ran (window.__pwned = ${found.pwned})`);
  if (found.images > 0) fail(`${p.name}: markup from the data became ${found.images} <img> element(s)`);
  if (found.scripts.length !== 1 || !found.scripts[0].endsWith('.js')) fail(`${p.name}: unexpected scripts ${JSON.stringify(found.scripts)}`);
  if (found.links.length > 0) fail(`${p.name}: javascript: links in the page: ${JSON.stringify(found.links)}`);
}

try {
  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });

  // --- 1. the meeting as the technician runs it -------------------------------------------
  phase = 'meeting';
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 }, isMobile: true });
  const seance = await newPage(context, 'seance');
  await seance.page.goto(`${args.base}/seance/`);
  await waitIn(seance, 'the page should connect and show the session before it starts',
    () => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected'
      && document.querySelector('[data-testid="session-text"]')?.dataset.state === 'pre_seance');
  if (!(await text(seance, 'session-text')).includes('pas encore commencé')) fail('pré-séance should read "pas encore commencé"');
  if ((await text(seance, 'commune')) !== COMMUNE) fail(`the commune should read literally, got ${await text(seance, 'commune')}`);
  const agenda = await seance.page.getByTestId('agenda-item').evaluateAll((nodes) => nodes.map((n) => ({
    state: n.dataset.state,
    number: n.querySelector('[data-testid="item-number"]').textContent,
    title: n.querySelector('[data-testid="item-title"]').textContent,
    rapporteur: n.querySelector('[data-testid="item-rapporteur"]').textContent,
  })));
  if (agenda.length !== 4 || agenda.some((i) => i.state !== 'upcoming')) fail(`the agenda should list 4 items to come: ${JSON.stringify(agenda)}`);
  if (agenda[1].title !== TITLE_2 || agenda[1].rapporteur !== RAPPORTEUR_2 || agenda[2].title !== TITLE_3
    || agenda[2].rapporteur !== RAPPORTEUR_3) {
    fail(`the agenda's markup should read literally: ${JSON.stringify(agenda)}`);
  }
  if (await visible(seance, 'current')) fail('no item should be shown before the session opens');
  if (!(await visible(seance, 'questions-link'))) fail('the link to the question page should be shown (questions open)');
  if ((await seance.page.getByTestId('questions-link').getAttribute('href')) !== '../viewer/') fail('the question link should lead to ../viewer/');
  if (await visible(seance, 'lives')) fail('no live yet: the players\' section should be hidden');
  await expectInert(seance);
  await shot(seance, '01-pre-seance');
  log('pré-séance, agenda literal');

  await rest({ type: 'session.open' });
  await waitIn(seance, 'the open session should show item 1 with its rapporteur',
    () => document.querySelector('[data-testid="session-text"]')?.dataset.state === 'seance_ouverte'
      && document.querySelector('[data-testid="current"]')?.offsetParent !== null
      && document.querySelector('[data-testid="current-number"]').textContent === 'Point 1'
      && document.querySelector('[data-testid="current-title"]').textContent === 'Budget primitif 2027'
      && document.querySelector('[data-testid="current-rapporteur"]').textContent.includes('Mme Claire Martin'));
  await rest({ type: 'vote.record', item: '1', ballot: 'secret', counts: { pour: 12, contre: 3, abstention: 2 } });
  await waitIn(seance, 'the vote on item 1 should show "Adopté" with its counts',
    () => document.querySelector('[data-testid="last-vote"]')?.offsetParent !== null
      && document.querySelector('[data-testid="last-vote-result"]').textContent === 'Adopté'
      && document.querySelector('[data-testid="last-vote-counts"]').textContent.startsWith('pour 12, contre 3, abstentions 2')
      && document.querySelector('[data-testid="agenda-item"][data-number="1"] [data-testid="item-tag"]').textContent === 'Adopté');
  await shot(seance, '02-vote');
  await rest({ type: 'agenda.next' });
  await waitIn(seance, 'item 2 should be current, its title as literal text, item 1 done',
    (title) => document.querySelector('[data-testid="current-title"]')?.textContent === title
      && document.querySelector('[data-testid="agenda-item"][data-number="2"]').dataset.state === 'current'
      && document.querySelector('[data-testid="agenda-item"][data-number="1"]').dataset.state === 'done', TITLE_2);
  log('session open, vote shown, item 2 current');

  phase = 'huis clos';
  await rest({ type: 'session.huis_clos' });
  await waitIn(seance, 'at huis clos the page should say so and show neither item nor vote',
    () => document.querySelector('[data-testid="notice-huis-clos"]')?.offsetParent !== null
      && document.querySelector('[data-testid="notice-huis-clos"]').textContent.includes('Huis clos : la séance se poursuit sans public.')
      && document.querySelector('[data-testid="current"]').offsetParent === null
      && document.querySelector('[data-testid="last-vote"]').offsetParent === null
      && !document.querySelector('[data-testid="agenda-item"][data-state="current"]'));
  await rest({ type: 'agenda.next' });
  await rest({ type: 'vote.record', item: '3', ballot: 'secret', counts: { pour: 7, contre: 11 } });
  await shot(seance, '03-huis-clos');
  const framesBefore = seance.frames.length;
  await rest({ type: 'session.leave_huis_clos' });
  await waitIn(seance, 'after the huis clos the page should show item 3, reached meanwhile (a fresh snapshot)',
    (title) => document.querySelector('[data-testid="session-text"]')?.dataset.state === 'seance_ouverte'
      && document.querySelector('[data-testid="connection"]').dataset.state === 'connected'
      && document.querySelector('[data-testid="current-title"]')?.textContent === title
      && document.querySelector('[data-testid="current"]').offsetParent !== null, TITLE_3);
  const leaked = seance.frames.filter((f) => f.includes('"contre":11'));
  if (leaked.length > 0) fail(`the vote recorded at huis clos reached the public page: ${leaked[0].slice(0, 300)}`);
  const huisFrames = seance.frames.slice(0, framesBefore).filter((f) => f.includes('item_changed') && f.includes('"index":2'));
  if (huisFrames.length > 0) fail('the item changed at huis clos was sent to the public page during the huis clos');
  if (await visible(seance, 'last-vote')) fail('no vote on item 3 may show: it was recorded at huis clos');
  if ((await text(seance, 'banner')) && (await visible(seance, 'banner'))) fail('the connection banner should not stay after the fresh snapshot');
  const tag3 = await seance.page.locator('[data-testid="agenda-item"][data-number="3"] [data-testid="item-tag"]').textContent();
  if (tag3 !== 'En cours') fail(`item 3 should read "En cours", not a result: "${tag3}"`);
  await expectInert(seance);
  log('huis clos: nothing shown, nothing sent; item 3 after it');

  // --- 2. the live's player, only after a click ------------------------------------------
  phase = 'live';
  if (!args['no-live']) {
  await rest({ type: 'account.link', platform: 'youtube' });
  const linkedBy = Date.now() + STEP_MS;
  for (;;) {
    const snapshot = await technicianSnapshot();
    const youtube = (snapshot.status?.platforms || []).find((p) => p.platform === 'youtube');
    if (youtube?.account?.state === 'linked') break;
    if (Date.now() > linkedBy) fail(`the YouTube account should be linked once the caller approves: ${JSON.stringify(youtube?.account)}`);
    await new Promise((resolve) => { setTimeout(resolve, 200); });
  }
  await rest({ type: 'lives.prepare', platform: 'youtube' });
  await waitIn(seance, 'the live should get a "Regarder sur YouTube" button and a plain link',
    () => document.querySelector('[data-testid="lives"]')?.offsetParent !== null
      && document.querySelector('[data-testid="live-watch"]')?.textContent === 'Regarder sur YouTube'
      && /^https:\/\/www\.youtube\.com\/watch\?v=[A-Za-z0-9_-]{11}$/.test(document.querySelector('[data-testid="live-link"]')?.getAttribute('href') || ''));
  const watchUrl = await seance.page.getByTestId('live-link').getAttribute('href');
  const videoId = new URL(watchUrl).searchParams.get('v');
  if ((await seance.page.getByTestId('live-link').getAttribute('rel')) !== 'noopener noreferrer') fail('the live\'s link should be rel="noopener noreferrer"');
  if (await seance.page.locator('iframe').count() !== 0) fail('no player may be in the page before the click');
  const before = foreign(seance.requests);
  if (before.length > 0) fail(`the page requested other origins before any click: ${before.join(', ')}`);
  if (seance.requests.length < 3) fail(`the request log looks empty: ${seance.requests.join(', ')}`);
  await shot(seance, '04-live');
  log(`live ${watchUrl}; ${seance.requests.length} requests, all to Tribune`);

  const embedHost = 'https://www.youtube-nocookie.com';
  let embedServed = '';
  await seance.page.route(`${embedHost}/**`, (route) => {
    embedServed = route.request().url();
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>lecteur</title><p id="player">lecteur factice</p>' });
  });
  const requestsBeforeClick = seance.requests.length;
  await seance.page.getByTestId('live-watch').click({ timeout: STEP_MS });
  await waitIn(seance, 'the click should load the YouTube player',
    (src) => document.querySelector('[data-testid="live-frame"]')?.getAttribute('src') === src,
    `${embedHost}/embed/${videoId}`);
  const frameReady = Date.now() + STEP_MS;
  let player = null;
  while (!player && Date.now() < frameReady) {
    player = seance.page.frames().find((f) => f.url().startsWith(`${embedHost}/embed/`));
    if (!player) await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
  if (!player) fail('the player\'s frame never loaded');
  await player.waitForSelector('#player', { timeout: STEP_MS });
  if (embedServed !== `${embedHost}/embed/${videoId}`) fail(`the player should be ${embedHost}/embed/${videoId}, was ${embedServed}`);
  const after = foreign(seance.requests.slice(requestsBeforeClick)).filter((url) => !url.startsWith(`${embedHost}/embed/`));
  if (after.length > 0) fail(`the click loaded more than the player: ${after.join(', ')}`);
  await shot(seance, '05-player');
  log('player loaded after the click only');
  await expectInert(seance);
  }

  // --- 3. a public edge's messages, played into the real websocket -----------------------
  phase = 'edge';
  const edgeContext = await browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 }, isMobile: true });
  const sockets = [];  // {name, page: WebSocketRoute}
  let tickets = 0;
  await edgeContext.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    const entry = { ws };
    sockets.push(entry);
    ws.onMessage((message) => {
      let parsed = null;
      try {
        parsed = JSON.parse(message);
      } catch {
        parsed = null;
      }
      // An edge acknowledges a question once it is durably stored, before the town hall has it.
      if (parsed && parsed.type === 'question.ask') {
        tickets += 1;
        ws.send(JSON.stringify({ type: 'result', id: parsed.id, code: 200, status: 'ok', message: '', data: { ticket: `ticket-${tickets}`, received: true } }));
        return;
      }
      server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  const send = (index, message) => sockets[index].ws.send(JSON.stringify(message));

  const viewer = await newPage(edgeContext, 'viewer');
  await viewer.page.goto(`${args.base}/viewer/`);
  await waitIn(viewer, 'the question page should connect through the route',
    () => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected');
  const viewerSocket = sockets.length - 1;
  if (await visible(viewer, 'edge-banner')) fail('no edge banner before edge_status');
  const askIt = async (question) => {
    await viewer.page.getByTestId('ask-text').fill(question);
    await viewer.page.getByTestId('ask-submit').click({ timeout: STEP_MS });
  };
  await askIt('Quand la médiathèque ouvrira-t-elle le dimanche ?');
  await waitIn(viewer, 'the edge\'s acknowledgement should read "Question reçue"',
    () => document.querySelector('[data-testid="ask-feedback"]')?.dataset.step === 'received'
      && document.querySelector('[data-testid="ask-feedback"]').textContent.startsWith('Question reçue'));
  send(viewerSocket, { type: 'question_logged', ticket: 'ticket-unknown', code: 200, status: 'ok', message: '', data: { question: 77, status: 'pending' } });
  send(viewerSocket, { type: 'edge_status', town_hall: 'unreachable' });
  await waitIn(viewer, 'the "salle injoignable" banner should show',
    () => document.querySelector('[data-testid="edge-banner"]')?.offsetParent !== null
      && document.querySelector('[data-testid="edge-banner"]').textContent.includes('momentanément injoignable : vos questions sont gardées'));
  const live = await viewer.page.evaluate(() => {
    const region = document.querySelector('[data-testid="edge-status"]');
    return `${region.getAttribute('role')} ${region.getAttribute('aria-live')}`;
  });
  if (live !== 'status polite') fail(`the edge banner should be in a polite status region, got "${live}"`);
  if ((await viewer.page.getByTestId('ask-feedback').getAttribute('data-step')) !== 'received') {
    fail('a question_logged for a ticket the page never had should be ignored');
  }
  await shot(viewer, '06-viewer-received-unreachable');
  send(viewerSocket, { type: 'question_logged', ticket: 'ticket-1', code: 200, status: 'ok', message: '', data: { question: 78, status: 'pending' } });
  await waitIn(viewer, 'the town hall\'s question_logged should turn it "transmise"',
    () => document.querySelector('[data-testid="ask-feedback"]')?.dataset.step === 'logged'
      && document.querySelector('[data-testid="ask-feedback"]').textContent.includes('Question transmise à la mairie'));
  await askIt('Et la piscine, quand rouvre-t-elle ?');
  await waitIn(viewer, 'the second question should be "reçue"',
    () => document.querySelector('[data-testid="ask-feedback"]')?.dataset.step === 'received');
  const refusal = 'Vous avez déjà envoyé plusieurs questions : réessayez dans 4 min.';
  send(viewerSocket, { type: 'question_logged', ticket: 'ticket-2', code: 429, status: 'rate_limited', message: refusal, data: { retry_after_s: 240 } });
  await waitIn(viewer, 'a refusal by the town hall should show its French message',
    (m) => document.querySelector('[data-testid="ask-feedback"]')?.dataset.step === 'refused'
      && document.querySelector('[data-testid="ask-feedback"]').dataset.kind === 'error'
      && document.querySelector('[data-testid="ask-feedback"]').textContent === m, refusal);
  send(viewerSocket, { type: 'edge_status', town_hall: 'connected' });
  await waitIn(viewer, 'the banner should go once the town hall is back',
    () => document.querySelector('[data-testid="edge-banner"]')?.offsetParent === null);
  log('question page: reçue, transmise, refused; banner on and off');

  const edgeSeance = await newPage(edgeContext, 'seance (edge)');
  await edgeSeance.page.goto(`${args.base}/seance/`);
  await waitIn(edgeSeance, 'the meeting page should connect through the route',
    (noLive) => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected'
      && (noLive || document.querySelector('[data-testid="live-watch"]') !== null), args['no-live']);
  const seanceSocket = sockets.length - 1;
  send(seanceSocket, { type: 'edge_status', town_hall: 'unreachable' });
  await waitIn(edgeSeance, 'the meeting page should show the same banner',
    () => document.querySelector('[data-testid="edge-banner"]')?.offsetParent !== null);
  const hostile = [
    { platform: 'youtube', url: 'javascript:window.__pwned=7//https://www.youtube.com/watch?v=abcdefghijk' },
    { platform: 'youtube', url: 'https://www.youtube.com.evil.example/watch?v=abcdefghijk' },
    { platform: 'youtube', url: 'https://www.youtube.com/watch?v=abc%22%3E%3Cscript%3E' },
    { platform: 'facebook', url: 'https://www.facebook.com.evil.example/mairie/videos/123/' },
    { platform: 'peertube', url: 'http://peertube.example/w/9c9de5e8-0a1e-484a-b099-e80766180a6d' },
    { platform: 'evil', url: 'https://example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d' },
    { platform: 'peertube', url: 'https://video.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d' },
    { platform: 'facebook', url: 'https://www.facebook.com/mairie/videos/1234567890/' },
  ];
  send(seanceSocket, { type: 'lives', lives: hostile });
  await waitIn(edgeSeance, 'the routed lives should replace the list',
    (n) => document.querySelectorAll('[data-testid="live"]').length === n, hostile.length);
  const shown = await edgeSeance.page.getByTestId('live').evaluateAll((nodes) => nodes.map((n) => ({
    button: n.querySelector('[data-testid="live-watch"]')?.textContent || null,
    href: n.querySelector('[data-testid="live-link"]')?.getAttribute('href') || null,
  })));
  const expected = [
    { button: null, href: null },
    { button: null, href: 'https://www.youtube.com.evil.example/watch?v=abcdefghijk' },
    { button: null, href: 'https://www.youtube.com/watch?v=abc%22%3E%3Cscript%3E' },
    { button: null, href: 'https://www.facebook.com.evil.example/mairie/videos/123/' },
    { button: null, href: 'http://peertube.example/w/9c9de5e8-0a1e-484a-b099-e80766180a6d' },
    { button: null, href: 'https://example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d' },
    { button: 'Regarder sur PeerTube', href: 'https://video.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d' },
    { button: 'Regarder sur Facebook', href: 'https://www.facebook.com/mairie/videos/1234567890/' },
  ];
  if (JSON.stringify(shown) !== JSON.stringify(expected)) {
    fail(`hostile live addresses: expected ${JSON.stringify(expected)}, got ${JSON.stringify(shown)}`);
  }
  await shot(edgeSeance, '07-hostile-lives');
  await expectInert(edgeSeance);
  for (const p of [viewer, edgeSeance]) {
    const others = foreign(p.requests);
    if (others.length > 0) fail(`${p.name}: requested other origins without a click: ${others.join(', ')}`);
  }
  log('edge: banner on the meeting page, hostile lives without players');

  if (dialogs.length > 0) fail(`dialogs opened: ${dialogs.join('; ')}`);
  if (errors.length > 0) fail(`the pages logged errors: ${errors.join('; ')}`);
  await passed(overall, browser);
} catch (error) {
  await failed(error, browser, async () => {
    if (errors.length > 0) console.log(`page errors: ${errors.join('; ')}`);
  });
}
