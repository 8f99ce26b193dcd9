// The technician's settings page (web/console/settings.html, issue 23) in a real Chromium
// against a real `tribune serve` in standby: reached from the console's "Réglages" link; a
// colour changes the lower-third preview (its PNG bytes differ) and is saved; an invalid colour
// → the server's French problem next to that field and nothing saved; a destination added
// with a stream key → the key appears nowhere in the page's HTML, in any HTTP response or
// websocket frame the pages received, and "****" keeps it on the next save; a logo that is
// not an image → its error next to the logo field; two pages saving from the same revision →
// the second gets the conflict message, overwrites nothing, and saves after "Recharger"; the
// web port → "after a restart". Markup in the commune stays text. A screenshot is left in --out.
//
//   node settings_test.mjs --base http://127.0.0.1:PORT --technician TOKEN [--key STREAM_KEY] [--out DIR]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { fail, failed, log, overallLimit, passed } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    technician: { type: 'string' },
    key: { type: 'string', default: 'cle-tres-secrete-4f7a9b2c81d0' },
    out: { type: 'string', default: 'settings-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.base || !args.technician) {
  console.error('usage: node settings_test.mjs --base http://127.0.0.1:PORT --technician TOKEN [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const STEP_MS = 20_000;
let phase = 'start';
const overall = overallLimit(150_000, () => phase);
const pageErrors = [];
let browser;
let settings1;

// The stream key typed in the page: it must never come back from the server.
const STREAM_KEY = args.key;
const XSS_COMMUNE = '<img src=x onerror="window.__pwned=1">Saint-Test';
const CONFLICT_TEXT = 'Les réglages ont été modifiés dans une autre console : rechargez';

// Everything the pages received: the bodies of HTTP responses and the websocket frames; the
// lower-third previews drawn, in order ({colour asked, PNG bytes}).
const received = [];
const previews = [];

function watch(page) {
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('response', async (response) => {
    try {
      const body = await response.body();
      received.push({ what: `${response.status()} ${response.url()}`, body: body.toString('latin1') });
      if (response.url().endsWith('/api/settings/preview') && response.status() === 200) {
        previews.push({ asked: response.request().postData() || '', body });
      }
    } catch {
      // a navigation's body that is gone, a redirect: nothing was read by the page
    }
  });
  page.on('websocket', (ws) => {
    ws.on('framereceived', (frame) => received.push({ what: `frame from ${ws.url()}`, body: String(frame.payload) }));
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
    const status = await page.locator('[data-testid="status-line"] .status-text').textContent().catch(() => '?');
    fail(`${what} (not within ${timeout / 1000} s; status line: "${(status || '').trim()}")`);
  }
}

async function shot(page, name) {
  const file = join(args.out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

async function rest(method, path, body) {
  const response = await fetch(`${args.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${args.technician}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}

async function settings() {
  const reply = await rest('GET', '/api/settings');
  if (reply.status !== 200) fail(`GET /api/settings answered ${reply.status}: ${reply.text}`);
  return reply.json;
}

const loaded = (page) => waitIn(page, 'the settings page should load the settings',
  () => document.body.dataset.loaded === 'true' && !document.querySelector('[data-testid="settings"]').hidden);

// A section's outcome after "Enregistrer": {kind, applies, text}.
async function saved(page, section, kind) {
  await waitIn(page, `the ${section} section should say "${kind}" after its save`,
    ([s, k]) => document.querySelector(`[data-section="${s}"] [data-role="outcome"]`)?.dataset.kind === k, [section, kind]);
  return page.locator(`[data-section="${section}"] [data-role="outcome"]`).evaluate((node) => ({
    kind: node.dataset.kind, applies: node.dataset.applies, text: (node.querySelector('.outcome-text')?.textContent || '').trim(),
  }));
}

// The problem shown next to the field of `path`: its text, and whether the field points to it.
async function fieldProblem(page, path) {
  await waitIn(page, `a problem should be shown next to the field ${path}`,
    (p) => [...document.querySelectorAll('.field-problem')].some((n) => n.dataset.path === p), path);
  return page.evaluate((p) => {
    const problem = [...document.querySelectorAll('.field-problem')].find((n) => n.dataset.path === p);
    const input = document.querySelector(`[data-path="${p}"]`);
    const holder = input.closest('.field, .check') || input;
    return {
      text: problem.textContent.trim(),
      role: problem.getAttribute('role'),
      described: (input.getAttribute('aria-describedby') || '').split(' ').includes(problem.id),
      invalid: input.getAttribute('aria-invalid') === 'true',
      beside: holder.nextElementSibling === problem,
    };
  }, path);
}

async function notPwned(page) {
  const pwned = await page.evaluate(() => window.__pwned);
  if (pwned !== undefined) fail(`markup from the settings ran in the page (window.__pwned = ${pwned})`);
}

function keyNowhere(where) {
  const leak = received.find((r) => r.body.includes(STREAM_KEY));
  if (leak) fail(`the stream key came back to the page ${where}: in ${leak.what}`);
}

async function main() {
  browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  const context1 = await browser.newContext({ viewport: { width: 1300, height: 1000 }, locale: 'fr-FR' });

  phase = 'the console\'s "Réglages" link';
  const console1 = await openPage(context1, `${args.base}/console/#token=${args.technician}`);
  await waitIn(console1, 'the console should show the standby screen',
    () => !document.querySelector('[data-testid="standby"]').hidden);
  if ((await console1.content()).includes(args.technician)) fail('the console\'s markup should not hold the token');
  await console1.getByTestId('settings-link').click();
  await console1.waitForURL(/\/console\/settings\.html/);
  settings1 = console1;
  await loaded(settings1);
  if (settings1.url().includes('token=')) fail(`the token should leave the address bar: ${settings1.url()}`);
  const before = await settings();
  log(`settings page from the console's link, revision ${before.revision}`);

  phase = 'a colour changes the preview';
  await waitIn(settings1, 'the lower-third preview should be shown',
    () => document.querySelector('[data-testid="branding-preview"]').dataset.state === 'shown');
  const imageOf = () => settings1.getByTestId('branding-preview').evaluate(async (img) => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { src: img.src, head: Array.from(bytes.slice(0, 8)), bytes: btoa(binary) };
  });
  const shown1 = await imageOf();
  if (shown1.head.join(',') !== '137,80,78,71,13,10,26,10') fail(`the preview should be a PNG, not bytes ${shown1.head}`);
  if (!previews.some((p) => Buffer.from(shown1.bytes, 'base64').equals(p.body))) {
    fail(`the preview shown should be one the server drew (${previews.length} drawn: ${previews.map((p) => p.body.length)}; shown ${Buffer.from(shown1.bytes, 'base64').length})`);
  }
  const newColour = before.values.branding.primary_color.toLowerCase() === '#112233' ? '#a01050' : '#112233';
  await settings1.getByTestId('branding-primary').fill(newColour);
  if ((await settings1.getByTestId('branding-primary-picker').inputValue()) !== newColour) {
    fail('the colour picker should follow the colour typed');
  }
  await waitIn(settings1, 'the preview should show the new drawing',
    (src) => document.querySelector('[data-testid="branding-preview"]').src !== src, shown1.src);
  const shown2 = await imageOf();
  const drawn2 = previews.find((p) => Buffer.from(shown2.bytes, 'base64').equals(p.body));
  if (!drawn2 || !drawn2.asked.includes(newColour)) fail(`the new preview should be the server's drawing of ${newColour}`);
  if (shown2.bytes === shown1.bytes) fail(`the preview's PNG should change with the primary colour ${newColour}`);
  await settings1.getByTestId('branding-commune').fill(XSS_COMMUNE);
  await settings1.getByTestId('save-branding').click();
  const brandingSaved = await saved(settings1, 'branding', 'ok');
  const afterColour = await settings();
  if (afterColour.values.branding.primary_color.toLowerCase() !== newColour) {
    fail(`the colour should be saved: ${JSON.stringify(afterColour.values.branding)}`);
  }
  if ((await settings1.getByTestId('commune').textContent()) !== XSS_COMMUNE) fail('the commune should be shown as text');
  await notPwned(settings1);
  log(`colour ${newColour}: preview ${shown1.bytes.length} → ${shown2.bytes.length} base64 bytes, saved (${brandingSaved.text})`);

  phase = 'an invalid colour';
  await settings1.getByTestId('branding-primary').fill('rouge');
  await settings1.getByTestId('save-branding').click();
  const colourProblem = await fieldProblem(settings1, 'branding.primary_color');
  const dry = await rest('POST', '/api/settings', { revision: afterColour.revision, patch: { branding: { primary_color: 'rouge' } }, dry_run: true });
  const expected = (dry.json?.problems || []).find((p) => p.path === 'branding.primary_color');
  if (dry.status !== 422 || !expected) fail(`the server should refuse "rouge": ${dry.status} ${dry.text}`);
  if (colourProblem.text !== expected.message) fail(`next to the colour: "${colourProblem.text}", the server said "${expected.message}"`);
  if (colourProblem.role !== 'alert' || !colourProblem.described || !colourProblem.invalid || !colourProblem.beside) {
    fail(`the colour's problem should be an alert beside the field it describes: ${JSON.stringify(colourProblem)}`);
  }
  const afterInvalid = await settings();
  if (afterInvalid.revision !== afterColour.revision || afterInvalid.values.branding.primary_color.toLowerCase() !== newColour) {
    fail(`an invalid colour should save nothing: ${JSON.stringify(afterInvalid.values.branding)} revision ${afterInvalid.revision}`);
  }
  await settings1.getByTestId('branding-primary').fill(newColour);
  log(`invalid colour refused: "${colourProblem.text}"`);

  phase = 'a logo that is not an image';
  await settings1.getByTestId('branding-logo-file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('ceci n\'est pas une image\n') });
  const logoProblem = await fieldProblem(settings1, 'branding.logo');
  if (logoProblem.text.length < 10 || !logoProblem.described) fail(`the logo's error: ${JSON.stringify(logoProblem)}`);
  if ((await settings()).values.branding.logo !== afterInvalid.values.branding.logo) fail('a refused logo should change nothing');
  log(`logo refused: "${logoProblem.text}"`);

  phase = 'a destination with a key';
  const rowsBefore = await settings1.getByTestId('destination').count();
  await settings1.getByTestId('destination-add').click();
  const row = settings1.getByTestId('destination').nth(rowsBefore);
  await row.getByTestId('destination-name').fill('essai-direct');
  await row.getByTestId('destination-platform').selectOption('youtube');
  await row.getByTestId('destination-key').fill(STREAM_KEY);
  await row.getByTestId('destination-enabled').uncheck();
  await settings1.getByTestId('save-destinations').click();
  const destinationsSaved = await saved(settings1, 'destinations', 'ok');
  const withKey = await settings();
  const added = withKey.values.destinations.find((d) => d.name === 'essai-direct');
  if (!added || added.key !== '****' || added.enabled !== false) fail(`the destination should be saved with a key: ${JSON.stringify(withKey.values.destinations)}`);
  const keyField = settings1.getByTestId('destination').nth(rowsBefore).getByTestId('destination-key');
  if ((await keyField.inputValue()) !== '' || (await keyField.getAttribute('placeholder')) !== '****') {
    fail('after the save the key field should be empty with the "****" placeholder');
  }
  if ((await settings1.content()).includes(STREAM_KEY)) fail('the stream key should not be in the page\'s HTML after its save');
  // The bodies were read (a check on empty bodies would prove nothing): the GET after the save
  // names the destination, with its key hidden.
  if (!received.some((r) => r.what.endsWith('/api/settings') && r.body.includes('"essai-direct"') && r.body.includes('"****"'))) {
    fail('the page should have received the settings naming "essai-direct" with its key as "****"');
  }
  keyNowhere('after its save');
  // Saved again without typing it: "****" keeps it.
  await settings1.getByTestId('save-destinations').click();
  await waitIn(settings1, 'the second save of the destinations should go through',
    (revision) => Number(document.body.dataset.revision) > revision, withKey.revision);
  const kept = (await settings()).values.destinations.find((d) => d.name === 'essai-direct');
  if (!kept || kept.key !== '****') fail(`"****" should keep the key: ${JSON.stringify(kept)}`);
  await settings1.reload();
  await loaded(settings1);
  if ((await settings1.content()).includes(STREAM_KEY)) fail('the stream key should not be in the reloaded page');
  keyNowhere('after a reload');
  log(`destination saved (${destinationsSaved.text}); the key is nowhere in ${received.length} responses and frames`);

  phase = 'two pages from the same revision';
  const context2 = await browser.newContext({ viewport: { width: 1300, height: 1000 }, locale: 'fr-FR' });
  const settings2 = await openPage(context2, `${args.base}/console/settings.html#token=${args.technician}`);
  await loaded(settings2);
  const common = await settings();
  const bitrate = common.values.video.bitrate_kbps === 2000 ? 2100 : 2000;
  const maxLength = common.values.questions.max_length === 300 ? 310 : 300;
  await settings1.getByTestId('video-bitrate').fill(String(bitrate));
  await settings1.getByTestId('save-video').click();
  const videoSaved = await saved(settings1, 'video', 'ok');
  await settings2.getByTestId('questions-max-length').fill(String(maxLength));
  await settings2.getByTestId('save-questions').click();
  const conflict = await saved(settings2, 'questions', 'conflict');
  if (!conflict.text.startsWith(CONFLICT_TEXT)) fail(`the conflict should say "${CONFLICT_TEXT}", not "${conflict.text}"`);
  const afterConflict = await settings();
  if (afterConflict.values.questions.max_length !== common.values.questions.max_length
    || afterConflict.values.video.bitrate_kbps !== bitrate) {
    fail(`the conflict should overwrite nothing: ${JSON.stringify({ questions: afterConflict.values.questions, video: afterConflict.values.video })}`);
  }
  await settings2.getByTestId('conflict-reload').click();
  await waitIn(settings2, 'the reload should show the other console\'s bitrate',
    (b) => document.querySelector('[data-testid="video-bitrate"]').value === String(b), bitrate);
  await settings2.getByTestId('questions-max-length').fill(String(maxLength));
  await settings2.getByTestId('save-questions').click();
  await saved(settings2, 'questions', 'ok');
  if ((await settings()).values.questions.max_length !== maxLength) fail('the questions should be saved after the reload');
  log(`video saved (${videoSaved.applies}: ${videoSaved.text}); conflict: "${conflict.text}", saved after the reload`);

  phase = 'the web address needs a restart';
  const port = Number(new URL(args.base).port);
  await settings2.getByTestId('web-port').fill(String(port === 65535 ? port - 1 : port + 1));
  await settings2.getByTestId('save-web').click();
  const webSaved = await saved(settings2, 'web', 'ok');
  if (webSaved.applies !== 'restart' || !(await settings2.getByTestId('restart-needed').isVisible())) {
    fail(`a new port should need a restart of the service: ${JSON.stringify(webSaved)}`);
  }
  await shot(settings2, 'settings');
  log(`web port: ${webSaved.text}`);
  await context2.close();

  keyNowhere('at the end');
  await notPwned(settings1);
  if (pageErrors.length) fail(`errors in the pages: ${pageErrors.join(' | ')}`);
  await passed(overall, browser);
}

main().catch((error) => failed(error, browser, async () => {
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join(' | ')}`);
  if (settings1) await shot(settings1, 'settings-failure').catch(() => {});
}));
