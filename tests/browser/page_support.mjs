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
