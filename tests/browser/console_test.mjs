// The technician's console in a real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by tests/browser/console_browser_tests.cpp against a real
// `tribune run`; it can also be run by hand:
//
//   node tests/browser/console_test.mjs --url 'http://127.0.0.1:8080/console/#token=…' --out /tmp/shots
//
// Scenario 1 (always): connect, start the broadcast if needed, the loudness figures (LUFS,
// target, true peak) and the automatic gain frozen then back to auto, open the session, two
// "Suivant", a public vote "tous pour", huis clos for ~4 s and back; the preview must keep
// changing, a configured destination must show "En direct", and the page must log no error.
// Scenario 2 (--restart): prints READY_FOR_RESTART on its own line, then expects the
// "connexion perdue" banner (the caller stops Tribune), then its disappearance (the caller
// starts Tribune again) and the meeting's state as it was.
//
// Scenario 3 (always, last): a second page whose status pushes are rewritten on the way
// (playwright's routeWebSocket) into what Tribune sends when the recording disk is full,
// the source lost and a Facebook live near its 8 h: the alarms must show, as text, and go
// once the real status comes through again.
//
// Exit status 0 on success; 1 with a line "FAIL: …" otherwise.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { Failure, elapsed, fail, log, overallLimit } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string', default: 'console-screenshots' },
    restart: { type: 'boolean', default: false },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.url) {
  console.error('usage: node console_test.mjs --url <console address with #token=…> [--out DIR] [--restart]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const OVERALL_LIMIT_MS = 100_000;
const STEP_MS = 15_000;

let browser;
let page;
let phase = 'start';
const pageErrors = [];
const consoleErrors = [];
// While Tribune is down on purpose, the browser logs the refused connections: expected.
const EXPECTED_WHILE_DOWN = /WebSocket connection to|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|Failed to load resource|Failed to fetch/i;

const overall = overallLimit(OVERALL_LIMIT_MS, () => phase);

const byId = (id) => page.getByTestId(id);

async function shot(name) {
  const file = join(args.out, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

// Waits for a condition evaluated in the page; fails with `what` and the page's last
// status line if it does not come.
async function waitInPage(what, fn, arg, timeout = STEP_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (error) {
    const statusLine = await page.locator('[data-testid="status-line"] .status-text').textContent().catch(() => '?');
    fail(`${what} (not within ${timeout / 1000} s; console status line: "${(statusLine || '').trim()}")`);
  }
}

const attr = (testid, name) => page.getByTestId(testid).getAttribute(name);
const text = async (testid) => ((await byId(testid).textContent()) || '').trim();

async function expectBadge(stateId, label) {
  await waitInPage(`the session badge should say "${label}"`,
    ([s, l]) => {
      const badge = document.querySelector('[data-testid="session-badge"]');
      return badge && badge.dataset.state === s && badge.textContent.trim() === l;
    }, [stateId, label]);
  log(`badge: ${label}`);
}

async function expectLayer(layer, template) {
  await waitInPage(`the ${layer} layer should show "${template}"`,
    ([l, t]) => {
      const row = document.querySelector(`[data-testid="layer-${l}"]`);
      return row && row.dataset.visible === 'true' && row.dataset.template === t;
    }, [layer, template]);
  log(`layer ${layer}: ${template}`);
}

async function click(testid) {
  await byId(testid).click({ timeout: STEP_MS });
}

const previewSrc = () => page.evaluate(() => {
  const image = document.querySelector('[data-testid="preview"]');
  return image && image.complete && image.naturalWidth > 0 ? image.src : '';
});

async function expectPreviewChanges(what) {
  const before = await previewSrc();
  await waitInPage(`the preview should show a new picture ${what}`,
    (old) => {
      const image = document.querySelector('[data-testid="preview"]');
      return image && image.src.startsWith('blob:') && image.src !== old && image.complete && image.naturalWidth > 0;
    }, before);
  log(`preview updates ${what}`);
}

function errorsSoFar() {
  const unexpected = consoleErrors.filter((e) => !(e.phase === 'restart' && EXPECTED_WHILE_DOWN.test(e.text)));
  return [...pageErrors.map((e) => `page error (${e.phase}): ${e.text}`), ...unexpected.map((e) => `console error (${e.phase}): ${e.text}`)];
}

// Text from the agenda file is shown as text: the caller puts markup in an item's title
// and in a councillor's name.
async function expectNoInjection() {
  const injected = await page.evaluate(() => ({
    ran: window.__tribuneXss !== undefined,
    elements: document.querySelectorAll('[data-testid="console"] img:not([data-testid="preview"]), [data-testid="console"] b').length,
    shownAsText: [...document.querySelectorAll('[data-testid="agenda-item"], [data-testid="vote-public"] th, [data-testid="speaker-select"] option')]
      .filter((n) => /<img src="x"|<b onmouseover/.test(n.textContent)).length,
  }));
  if (injected.ran || injected.elements > 0) fail('markup from the agenda became part of the page (XSS)');
  if (injected.shownAsText) log(`markup from the agenda shown as text in ${injected.shownAsText} place(s)`);
}

async function scenarioMeeting() {
  phase = 'connect';
  await page.goto(args.url);
  await waitInPage('the console should connect to Tribune',
    () => document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected');
  log('connected');
  const address = await page.evaluate(() => location.href);
  if (address.includes('token=')) fail(`the token should leave the address bar, still there: ${address.replace(/token=[^&]*/, 'token=…')}`);
  await waitInPage('the console should show the meeting (agenda items)',
    () => document.querySelectorAll('[data-testid="agenda-item"]').length > 0);
  await waitInPage('the first preview picture should arrive',
    () => {
      const image = document.querySelector('[data-testid="preview"]');
      return image && image.src.startsWith('blob:') && image.naturalWidth > 0;
    });
  await waitInPage('the mayor\'s and the moderator\'s pairing QR codes should be shown',
    () => ['mayor', 'moderator'].every((role) => document.querySelector(`[data-testid="pairing-${role}"] .qr svg path`)));
  await shot('01-connected');
  await expectNoInjection();

  phase = 'broadcast';
  if (await byId('broadcast-start').isVisible()) {
    await click('broadcast-start');
    log('broadcast started from the console');
  }
  await waitInPage('the broadcast should be running', () => document.querySelector('[data-testid="broadcast-state"]')?.dataset.running === 'true');

  // The loudness of what goes out, next to the meters (issue 27), and the one-click freeze.
  phase = 'loudness';
  await waitInPage('the loudness figures should show in LUFS, with the target and the true peak',
    () => /^−16,0 LUFS$/.test(document.querySelector('[data-testid="loudness-target"]')?.textContent || '') &&
      /^−?\d+,\d LUFS$/.test(document.querySelector('[data-testid="loudness-momentary"]')?.textContent || '') &&
      /^−?\d+,\d LUFS$/.test(document.querySelector('[data-testid="loudness-integrated"]')?.textContent || '') &&
      /^−?\d+,\d dBTP$/.test(document.querySelector('[data-testid="loudness-true-peak"]')?.textContent || '') &&
      document.querySelector('[data-testid="loudness-auto"]')?.getAttribute('aria-pressed') === 'true');
  log(`loudness: ${await text('loudness-momentary')} momentary, ${await text('loudness-integrated')} integrated, ` +
    `${await text('loudness-true-peak')}, gain ${await text('loudness-gain')}`);
  await click('loudness-frozen');
  await waitInPage('the automatic gain should show as frozen',
    () => document.querySelector('[data-testid="loudness-frozen"]')?.getAttribute('aria-pressed') === 'true' &&
      /figé/.test(document.querySelector('[data-testid="loudness-note"]')?.textContent || ''));
  await shot('01b-loudness-frozen');
  await click('loudness-auto');
  await waitInPage('the automatic gain should be back on auto',
    () => document.querySelector('[data-testid="loudness-auto"]')?.getAttribute('aria-pressed') === 'true');

  phase = 'open';
  const initial = await attr('session-badge', 'data-state');
  if (initial !== 'pre_seance') fail(`the meeting should start in pré-séance, it is in "${initial}" (use a fresh data folder)`);
  await click('session-open');
  await expectBadge('seance_ouverte', 'Séance ouverte');
  const numbers = await page.getByTestId('agenda-item').evaluateAll((nodes) => nodes.map((n) => n.dataset.number));
  if (numbers.length < 3) fail(`the demo agenda should have at least 3 items, the console lists ${numbers.length}`);

  phase = 'agenda';
  for (let step = 1; step <= 2; step += 1) {
    await click('agenda-next');
    await waitInPage(`after "Suivant" n° ${step}, item ${numbers[step]} should be highlighted`,
      (n) => {
        const current = document.querySelectorAll('[data-testid="agenda-item"][data-current="true"]');
        return current.length === 1 && current[0].dataset.number === n && current[0].getAttribute('aria-current') === 'true';
      }, numbers[step]);
    log(`current item: ${numbers[step]}`);
  }
  await expectLayer('lower_third', 'agenda');
  await shot('02-agenda');

  phase = 'vote';
  await byId('vote-all-pour').click({ timeout: STEP_MS });
  const counted = await text('vote-count');
  if (!/^(\d+) \/ \1 /.test(counted)) fail(`"Tous pour" should tick every councillor, the form says "${counted}"`);
  await click('vote-submit');
  await expectLayer('lower_third', 'vote');
  await waitInPage('the recorded vote should read "adopté à l\'unanimité"',
    () => /unanimité/.test(document.querySelector('[data-testid="vote-recorded"]')?.textContent || ''));
  await shot('03-vote');
  await expectNoInjection();

  phase = 'huis-clos';
  await click('session-huis-clos');
  await expectBadge('huis_clos', 'Huis clos');
  await expectLayer('slate', 'huis-clos');
  if (!(await byId('huis-clos-bar').isVisible())) fail('the huis-clos bar should be visible during the huis clos');
  console.log(`HUIS_CLOS_ON ${Date.now()}`);
  await expectPreviewChanges('during the huis clos');
  await shot('04-huis-clos');
  await page.waitForTimeout(4000);
  await click('session-leave-huis-clos');
  await expectBadge('seance_ouverte', 'Séance ouverte');
  console.log(`HUIS_CLOS_OFF ${Date.now()}`);
  await waitInPage('the slate should be taken off after the huis clos',
    () => document.querySelector('[data-testid="layer-slate"]')?.dataset.visible === 'false');
  if (await byId('huis-clos-bar').isVisible()) fail('the huis-clos bar should be gone after "Fin du huis clos"');

  phase = 'outputs';
  await expectPreviewChanges('after the huis clos');
  const cards = await page.getByTestId('destination-card').count();
  if (cards > 0) {
    await waitInPage('a destination card should show "En direct"',
      () => [...document.querySelectorAll('[data-testid="destination-card"]')]
        .some((card) => card.dataset.phase === 'live' && /En direct/.test(card.textContent)));
    const facts = await page.getByTestId('destination-card').first().getByTestId('destination-facts').textContent();
    log(`destination live: ${(facts || '').trim()}`);
  } else {
    log('no destination configured: no card to check');
  }
  // Add a destination from a platform preset: its card appears, and the key is nowhere on
  // the page afterwards (no real platform is reachable from here: it only tries).
  phase = 'add-destination';
  await page.getByTestId('add-destination').locator('summary').click();
  await byId('add-platform').selectOption('twitch');
  await byId('add-key').fill('live_123456789_PAGESECRETKEY');
  await click('add-submit');
  await waitInPage('a card for the added Twitch destination should appear',
    () => [...document.querySelectorAll('[data-testid="destination-card"]')].some((card) => /twitch/.test(card.textContent)));
  const html = await page.content();
  if (html.includes('PAGESECRETKEY')) fail('the stream key is still in the page after adding the destination');
  if ((await byId('add-key').inputValue()) !== '') fail('the key field should be emptied once sent');

  // Sound and picture as usual for a while after the huis clos (the caller checks them).
  await page.waitForTimeout(2000);
  await shot('05-after-huis-clos');
  const errors = errorsSoFar();
  if (errors.length) fail(`the page logged errors:\n  ${errors.join('\n  ')}`);
}

async function scenarioRestart() {
  phase = 'restart';
  console.log('READY_FOR_RESTART');
  await waitInPage('the "connexion perdue" banner should appear once Tribune stops',
    () => {
      const banner = document.querySelector('[data-testid="banner"]');
      return banner && !banner.hidden && /Connexion perdue/.test(banner.textContent);
    }, undefined, 30_000);
  if ((await attr('connection', 'data-state')) === 'connected') fail('the connection indicator should not say connected while Tribune is down');
  log('banner shown');
  await shot('06-connection-lost');
  await waitInPage('the banner should disappear once Tribune is back',
    () => {
      const banner = document.querySelector('[data-testid="banner"]');
      return banner && banner.hidden && document.querySelector('[data-testid="connection"]')?.dataset.state === 'connected';
    }, undefined, 45_000);
  log('reconnected, banner gone');
  phase = 'after-restart';
  await expectBadge('seance_ouverte', 'Séance ouverte');
  await expectPreviewChanges('after the reconnection');
  await waitInPage('the status line should say the connection is back',
    () => /Connexion rétablie/.test(document.querySelector('[data-testid="status-line"]')?.textContent || ''));
  await shot('07-reconnected');
  const errors = errorsSoFar();
  if (errors.length) fail(`the page logged errors:\n  ${errors.join('\n  ')}`);
}

// What Tribune's status says in trouble (hub_clients.cpp statusJson), markup included in
// the technical detail: it must be shown as text.
function troubled(status) {
  status.recording = {
    ...(status.recording || {}),
    state: 'failed',
    error: 'Disque plein ou non inscriptible : l\'enregistrement est arrêté, la diffusion continue / Disk full or unwritable: recording stopped, streaming goes on',
    error_detail: 'No space left on device <img src="x" onerror="window.__tribuneXss=2">',
    free_bytes: 1.2e9,
    needed_bytes: 5.4e9,
    low_space: true,
  };
  status.source = {
    video: { up: false, reason: 'no video for 2 s' },
    audio: { up: false, reason: 'no audio for 2 s' },
    restarts: 2,
    drift_ppm: 12,
    drift_correction: 'correcting',
    stalls: 1,
  };
  // The replay export at the closing failed (docs/EXPORT.md), its reason carrying markup.
  status.export = {
    state: 'failed',
    dir: '/srv/tribune/replays/seance-2026-12-05',
    error: 'ecriture impossible <img src="x" onerror="window.__tribuneXss=3">',
  };
  for (const d of (status.broadcast && status.broadcast.destinations) || []) {
    Object.assign(d, { platform: 'facebook', phase: 'live', enabled: true, live_left_s: 25 * 60 - 10, live_limit_s: 8 * 3600 });
  }
  return status;
}

async function scenarioAlarms(context) {
  phase = 'alarms';
  const alarms = { on: true };
  const second = await context.newPage();
  second.on('pageerror', (error) => pageErrors.push({ phase, text: error.message }));
  await second.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (typeof message !== 'string' || !alarms.on) {
        ws.send(message);
        return;
      }
      const m = JSON.parse(message);
      if (m.type === 'status') troubled(m);
      if (m.type === 'welcome' && m.snapshot && m.snapshot.status) troubled(m.snapshot.status);
      ws.send(JSON.stringify(m));
    });
  });
  const main = page;
  page = second;
  try {
    await page.goto(args.url);
    await waitInPage('the recording alarm should show the reason',
      () => {
        const alarm = document.querySelector('[data-testid="recording-alarm"]');
        return alarm && !alarm.hidden && /Disque plein ou non inscriptible/.test(alarm.textContent) && /Disk full/.test(alarm.textContent);
      });
    log('recording alarm shown');
    await waitInPage('the video-lost banner should show', () => !document.querySelector('[data-testid="video-lost-alarm"]').hidden);
    await waitInPage('the no-sound warning should show', () => !document.querySelector('[data-testid="source-audio-alert"]').hidden);
    await waitInPage('the A/V drift and source counts should show',
      () => /Dérive de l'horloge du son : \+12 ppm, corrigée/.test(document.querySelector('[data-testid="source-facts"]').textContent));
    await waitInPage('the free space should be shown short of what the meeting needs',
      () => {
        const space = document.querySelector('[data-testid="recording-space"]');
        return space && !space.hidden && space.dataset.low === 'true' && /il faut ~5,4 Go pour la fin de la séance/.test(space.textContent);
      });
    await waitInPage('the live-limit warning should show on the destination',
      () => /Facebook coupera ce direct dans 25 min \(limite de 8 h\)/.test(
        document.querySelector('[data-testid="destination-live-limit"]:not([hidden])')?.textContent || ''));
    log('source, space and live-limit warnings shown');
    await waitInPage('the failed replay export should say why and how to run it again',
      () => {
        const line = document.querySelector('[data-testid="export"]');
        return line && !line.hidden && line.dataset.state === 'failed' &&
          /Export du replay impossible : ecriture impossible <img src="x"/.test(line.textContent) &&
          /Relancez-le avec « tribune export »/.test(line.textContent) && /Replay export failed/.test(line.textContent);
      });
    log('replay export failure shown');
    const injected = await page.evaluate(() => window.__tribuneXss !== undefined ||
      document.querySelector('[data-testid="recording-alarm"] img, [data-testid="export"] img') !== null);
    if (injected) fail('markup in the recording error became part of the page (XSS)');
    await shot('08-alarms');
    alarms.on = false;
    await waitInPage('the alarms should go once the status is fine again',
      () => document.querySelector('[data-testid="recording-alarm"]').hidden && document.querySelector('[data-testid="video-lost-alarm"]').hidden &&
        document.querySelector('[data-testid="export"]').hidden);
    log('alarms cleared');
  } finally {
    page = main;
    await second.close().catch(() => {});
  }
}

async function main() {
  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'fr-FR' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push({ phase, text: error.message }));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push({ phase, text: message.text() });
  });
  await scenarioMeeting();
  if (args.restart) await scenarioRestart();
  await scenarioAlarms(context);
  const errors = errorsSoFar();
  if (errors.length) fail(`the page logged errors:\n  ${errors.join('\n  ')}`);
}

let status = 0;
try {
  await main();
  console.log(`OK: console scenario${args.restart ? 's' : ''} passed in ${elapsed()}`);
} catch (error) {
  status = 1;
  console.log(`FAIL: ${error instanceof Failure ? error.message : error.stack || error}`);
  if (page) await shot('failure').catch(() => {});
} finally {
  clearTimeout(overall);
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
