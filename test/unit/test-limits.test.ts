// Every test and hook declares its own time limit (issue 21). `npm test` runs
// node's test runner without --test-timeout, which would also cancel a whole
// file once the sum of its tests passed it: a file that grew, or a slow
// machine, then failed as one. So each test says how long it may take (at
// least three times what it needs on a quiet machine), and this test holds
// every test file to it, read as TypeScript, without running it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { testCalls } from '../helpers/test-calls.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'helpers' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The calls of node:test's test() and hooks (and a context's t.test()) in `source` that carry no `timeout`, as file:line. */
export const unlimited = (path: string, source: string): string[] =>
  testCalls(path, source)
    .filter((call) => !call.limited)
    .map((call) => `${relative(root, path)}:${call.line}`);

test('every test and hook in test/ declares its own timeout', { timeout: 30_000 }, () => {
  const files = testFiles(join(root, 'test'));
  assert.ok(files.length > 50, `found only ${files.length} test files`);
  const missing = files.flatMap((path) => unlimited(path, readFileSync(path, 'utf8')));
  assert.deepEqual(missing, [], "give each a limit of its own: test('…', { timeout: N }, async () => …), N at least 3× its time on a quiet machine");
});

test('the check finds a test, a hook and a subtest without a limit, and passes those with one', { timeout: 10_000 }, () => {
  const source = [
    "import { test as check, after } from 'node:test';",
    "check('limited', { timeout: 1000 }, () => {});",
    "check('unlimited', () => {});",
    "check('options without a limit', { skip: false }, async (t) => { await t.test('sub', () => {}); });",
    'after(() => {});',
    'after(() => {}, { timeout: 1000 });',
    "/a/.test('not a test');",
  ].join('\n');
  assert.deepEqual(unlimited(join(root, 'x.test.ts'), source), ['x.test.ts:3', 'x.test.ts:4', 'x.test.ts:4', 'x.test.ts:5']);
});

test('npm test sets no limit per file', { timeout: 10_000 }, () => {
  const script = readFileSync(join(root, 'scripts/test.sh'), 'utf8');
  const command = script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .find((line) => /^(\w+=\S+ )*exec node/.test(line));
  assert.ok(command, 'scripts/test.sh runs the tests with exec node …');
  assert.doesNotMatch(command, /--test-timeout/, 'node --test-timeout also limits each file as a whole');
});
