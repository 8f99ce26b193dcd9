// What the browser scripts in tests/browser share: the log with the time since the start, the
// Failure a step throws (the script prints "FAIL: …" and exits 1), and the overall limit that
// ends a stuck run with such a line rather than letting the C++ caller kill it.
export class Failure extends Error {}
export const fail = (text) => {
  throw new Failure(text);
};

const started = Date.now();
export const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
export const log = (text) => console.log(`[${elapsed()}] ${text}`);

// After `ms`, "FAIL: the browser test took more than N s" (with the phase when `phase` is
// given: a function that says it) and exit status 1. Returns the timer, for clearTimeout.
export function overallLimit(ms, phase = null) {
  return setTimeout(() => {
    console.log(`FAIL: the browser test took more than ${ms / 1000} s${phase ? ` (phase: ${phase()})` : ''}`);
    process.exit(1);
  }, ms);
}

// The end of a run that passed: "OK", the limit cleared, the browser closed, exit status 0.
export async function passed(overall, browser) {
  console.log('OK');
  clearTimeout(overall);
  await browser.close();
  process.exit(0);
}

// The end of a run that failed: "FAIL: " with a Failure's message (another error's stack),
// then what `report` adds (page errors, a screenshot), the browser closed, exit status 1.
export async function failed(error, browser, report = async () => {}) {
  console.log(`FAIL: ${error instanceof Failure ? error.message : error.stack || error}`);
  await report();
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
