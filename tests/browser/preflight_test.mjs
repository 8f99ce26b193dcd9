// The console's "Vérifier avant la séance" (web/console/preflight.js, docs/PREFLIGHT.md) in a
// real Chromium against a real `tribune serve` in standby: the button on the standby screen,
// its busy state while the server checks, then one line a check, coloured: the source and
// its sound green (the test pattern moves, its tone is at -20 dBFS), the destination "ferme"
// red with its advice, the overall verdict red. A screenshot of the report is left in --out.
//
//   node preflight_test.mjs --base http://127.0.0.1:PORT --technician TOKEN [--out DIR]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { fail, failed, log, overallLimit, passed } from './page_support.mjs';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    technician: { type: 'string' },
    out: { type: 'string', default: 'preflight-screenshots' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.base || !args.technician) {
  console.error('usage: node preflight_test.mjs --base http://127.0.0.1:PORT --technician TOKEN [--out DIR]');
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });

const STEP_MS = 20_000;
const CHECK_MS = 60_000;  // the check itself: the source's look, the destination's probe
let phase = 'start';
const overall = overallLimit(100_000, () => phase);
const pageErrors = [];
let browser;
let page;

async function waitIn(what, fn, arg, timeout = STEP_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch {
    const status = await page.locator('[data-testid="preflight-standby"] [data-testid="preflight-status"]')
      .textContent().catch(() => '?');
    fail(`${what} (not within ${timeout / 1000} s; preflight status: "${(status || '').trim()}")`);
  }
}

async function main() {
  browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR' });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${args.base}/console/#token=${args.technician}`);

  phase = 'standby screen';
  await waitIn('the console should show the standby screen with the check button',
    () => !document.querySelector('[data-testid="standby"]').hidden
      && document.querySelector('[data-testid="preflight-standby"] [data-testid="preflight-run"]') !== null);

  phase = 'the check runs';
  const panel = page.getByTestId('preflight-standby');
  await panel.getByTestId('preflight-run').click();
  // The check lasts at least the source's look (3 s): the busy state shows meanwhile.
  await waitIn('the button should be disabled and say that the check runs',
    () => {
      const p = document.querySelector('[data-testid="preflight-standby"]');
      return p.getAttribute('aria-busy') === 'true' && p.querySelector('[data-testid="preflight-run"]').disabled
        && p.querySelector('[data-testid="preflight-status"]').textContent === 'Vérification en cours… (environ 20 s)';
    });
  log('busy state shown');

  phase = 'the report';
  await waitIn('the report should come with its lines',
    () => document.querySelector('[data-testid="preflight-standby"]').dataset.state === 'done'
      && document.querySelectorAll('[data-testid="preflight-standby"] [data-testid="preflight-line"]').length >= 5,
    null, CHECK_MS);
  const lines = await panel.getByTestId('preflight-line').evaluateAll((nodes) => nodes.map((n) => ({
    id: n.dataset.id,
    level: n.dataset.level,
    text: n.querySelector('.preflight-text').textContent,
    advice: n.querySelector('.preflight-advice')?.textContent || '',
    colour: getComputedStyle(n.querySelector('.preflight-level')).backgroundColor,
  })));
  log(`lines: ${JSON.stringify(lines)}`);
  const line = (id) => lines.find((l) => l.id === id) || fail(`no line "${id}" in the report`);
  const expect = (id, level) => {
    if (line(id).level !== level) fail(`line "${id}" should be ${level}, not ${line(id).level}: ${line(id).text}`);
  };
  expect('source', 'green');
  expect('sound', 'green');
  expect('destination:ferme', 'red');
  if (!line('destination:ferme').advice.startsWith('→ ')) fail('the red destination should say what to do');
  if (line('destination:ferme').text.includes('KEY')) fail('the destination\'s key should never be shown');
  // The colours the technician sees (web/shared/staff.css --green and --red).
  if (line('source').colour !== 'rgb(30, 142, 62)') fail(`a green line should be green, not ${line('source').colour}`);
  if (line('destination:ferme').colour !== 'rgb(198, 40, 40)') {
    fail(`a red line should be red, not ${line('destination:ferme').colour}`);
  }
  const verdict = await panel.getByTestId('preflight-status').textContent();
  if (!verdict.startsWith('À corriger avant la séance : les points en rouge.')) fail(`overall verdict: "${verdict}"`);
  if (await panel.getByTestId('preflight-run').isDisabled()) fail('the button should be back once the check is done');
  await page.screenshot({ path: join(args.out, 'preflight-report.png'), fullPage: true });
  log('report shown with its colours');

  if (pageErrors.length) fail(`errors in the page: ${pageErrors.join(' | ')}`);
  await passed(overall, browser);
}

main().catch((error) => failed(error, browser, async () => {
  if (pageErrors.length) console.log(`page errors: ${pageErrors.join(' | ')}`);
  if (page) await page.screenshot({ path: join(args.out, 'preflight-failure.png'), fullPage: true }).catch(() => {});
}));
