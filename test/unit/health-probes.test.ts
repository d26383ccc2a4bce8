// When a task's health checks go and which results the task machine hears
// (src/worker/health-check.ts, afterProbe): quickly while the task starts,
// without telling the failures of that moment, then once an interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterProbe, START_PROBE_MS } from '../../src/worker/health-check.js';

const INTERVAL = 1000;

test('a task that passes its first probe is told healthy at once, and probed once an interval after', { timeout: 10_000 }, () => {
  assert.deepEqual(afterProbe(false, false, 0, 3, INTERVAL), { tell: true, nextInMs: INTERVAL });
});

test('a failure while the task starts is not told, and the next probe comes soon', { timeout: 10_000 }, () => {
  assert.deepEqual(afterProbe(true, false, 0, 5, INTERVAL), { tell: false, nextInMs: START_PROBE_MS });
  // Close to the end of the first interval: the next probe is the one at one interval, not later.
  assert.deepEqual(afterProbe(true, false, 900, 950, INTERVAL), { tell: false, nextInMs: 50 });
  // A probe that began in time and ended past the interval: not told, and the next goes at once.
  assert.deepEqual(afterProbe(true, false, 990, 1990, INTERVAL), { tell: false, nextInMs: 0 });
});

test('from one interval after the start, every failure is told, as when the first probe waited an interval', { timeout: 10_000 }, () => {
  assert.deepEqual(afterProbe(true, false, INTERVAL, INTERVAL + 2, INTERVAL), { tell: true, nextInMs: INTERVAL });
  assert.deepEqual(afterProbe(true, false, 5000, 5001, INTERVAL), { tell: true, nextInMs: INTERVAL });
});

test('after a pass, a failure is told even within the first interval', { timeout: 10_000 }, () => {
  assert.deepEqual(afterProbe(true, true, 200, 201, INTERVAL), { tell: true, nextInMs: INTERVAL });
});

test('with an interval shorter than the start probes, failures wait no longer than the interval', { timeout: 10_000 }, () => {
  assert.deepEqual(afterProbe(true, false, 0, 10, 50), { tell: false, nextInMs: 40 });
});
