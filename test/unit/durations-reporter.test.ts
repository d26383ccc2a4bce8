// The table `npm test` writes to test-durations.txt (issue 21): each test's
// time beside the limit it declares, found by its name in its file's source,
// and each file's time beside the sum of the limits of its tests that ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durations } from '../helpers/durations-reporter.mjs';
import { testCalls } from '../helpers/test-calls.js';

const source = [
  "import { test, after } from 'node:test';",
  "test('plain', { timeout: 10_000 }, () => {});",
  'for (const first of [0, 100]) {',
  '  test(`seeds ${first}–${first + 99} pass`, { timeout: 180_000 }, () => {});',
  '}',
  "test('no limit', () => {});",
  'after(() => {}, { timeout: 1000 });',
].join('\n');

test('a test is found by the name it is given, a template matching every name it makes', { timeout: 10_000 }, () => {
  const calls = testCalls('x.test.ts', source);
  const limitOf = (name: string) => calls.find((call) => call.names?.test(name))?.timeoutMs;
  assert.equal(limitOf('plain'), 10_000);
  assert.equal(limitOf('seeds 100–199 pass'), 180_000);
  assert.equal(limitOf('seeds pass'), undefined, 'the text around the substitutions must be there');
  assert.equal(limitOf('no limit'), undefined);
  assert.deepEqual(
    calls.map((call) => [call.line, call.limited, call.timeoutMs]),
    [
      [2, true, 10_000],
      [4, true, 180_000],
      [6, false, undefined],
      [7, true, 1000],
    ],
  );
});

test('the table puts the slowest first, and sums a file’s limits over the tests that ran', { timeout: 10_000 }, () => {
  const calls = testCalls('/r/test/x.test.ts', source);
  const table = durations(
    [
      { file: '/r/test/x.test.ts', name: 'plain', ms: 2_000 },
      { file: '/r/test/x.test.ts', name: 'seeds 0–99 pass', ms: 30_000 },
      { file: '/r/test/x.test.ts', name: 'seeds 100–199 pass', ms: 60_000 },
      { file: '/r/test/y.test.ts', name: 'elsewhere', ms: 1_000 },
    ],
    (file) => (name) => (file.endsWith('x.test.ts') ? calls.find((call) => call.names?.test(name))?.timeoutMs : undefined),
    '/r',
  );
  const lines = table.split('\n');
  assert.match(lines[1]!, /^ +60\.0 s +180\.0 s {2}test\/x\.test\.ts: seeds 100–199 pass$/);
  assert.match(lines[4]!, /^ +1\.0 s +\? +test\/y\.test\.ts: elsewhere$/);
  const files = lines.slice(lines.findIndex((line) => line.startsWith('The slowest files')) + 1);
  assert.match(files[0]!, /^ +92\.0 s +370\.0 s +25 % +test\/x\.test\.ts \(3 tests\)$/);
  assert.match(files[1]!, /^ +1\.0 s +\? +\? +test\/y\.test\.ts \(1 tests\)$/);
  assert.match(table, /4 tests in 2 files, 93\.0 s in tests\n$/);
});
