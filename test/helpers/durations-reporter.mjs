// A node:test reporter for `npm test` (issue 21): what each test and each file
// took, set beside the limits they declare. scripts/test.sh has it write
// test-durations.txt beside the TAP on stdout, so a slow test, or a file
// close to its limits, shows after any run, on any machine. JavaScript, as
// node loads reporters before tsx's hooks; test-calls.ts comes through tsx.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { tsImport } from 'tsx/esm/api';

/** @typedef {{ file: string, name: string, ms: number }} Result */

const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * What the tests took, slowest first, with their limits: the ten slowest
 * tests, and the ten slowest files with the sum of the limits of the tests
 * that ran (a test in a loop counts each time it ran).
 * @param {Result[]} results
 * @param {(file: string) => (name: string) => number | undefined} limitsOf the limit a test of a file declares, by its name
 * @param {string} cwd
 */
export function durations(results, limitsOf, cwd) {
  /** @type {Map<string, (name: string) => number | undefined>} */
  const limits = new Map();
  const limitOf = (/** @type {Result} */ r) => {
    if (!limits.has(r.file)) limits.set(r.file, limitsOf(r.file));
    return limits.get(r.file)?.(r.name);
  };
  const lines = ['The slowest tests (time, its limit):'];
  for (const r of [...results].sort((a, b) => b.ms - a.ms).slice(0, 10)) {
    const limit = limitOf(r);
    lines.push(`  ${seconds(r.ms).padStart(8)}  ${(limit === undefined ? '?' : seconds(limit)).padStart(8)}  ${relative(cwd, r.file)}: ${r.name}`);
  }
  /** @type {Map<string, { ms: number, limit: number, tests: number }>} */
  const files = new Map();
  for (const r of results) {
    const file = files.get(r.file) ?? { ms: 0, limit: 0, tests: 0 };
    file.ms += r.ms;
    file.limit += limitOf(r) ?? Number.NaN;
    file.tests += 1;
    files.set(r.file, file);
  }
  lines.push('', 'The slowest files (time, the sum of the limits of its tests that ran, the share of it used):');
  for (const [file, { ms, limit, tests }] of [...files].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10)) {
    const known = !Number.isNaN(limit);
    const share = known ? `${Math.round((100 * ms) / limit)} %` : '?';
    lines.push(`  ${seconds(ms).padStart(8)}  ${(known ? seconds(limit) : '?').padStart(8)}  ${share.padStart(5)}  ${relative(cwd, file)} (${tests} tests)`);
  }
  const total = results.reduce((sum, r) => sum + r.ms, 0);
  lines.push('', `${results.length} tests in ${files.size} files, ${seconds(total)} in tests`);
  return lines.join('\n') + '\n';
}

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* reporter(source) {
  // With --test-force-exit the process exits as soon as the last test ends, before a reporter sees the
  // end of its events or its stream is flushed: so the table is written again, synchronously, after
  // each test, to the file CUBE_TEST_DURATIONS names.
  const file = process.env['CUBE_TEST_DURATIONS'];
  if (!file) throw new Error('durations-reporter: set CUBE_TEST_DURATIONS to the file to write');
  /** @type {{ testCalls: (path: string, source: string) => { timeoutMs: number | undefined, names: RegExp | undefined }[] }} */
  const { testCalls } = await tsImport('./test-calls.ts', import.meta.url);
  /** @type {Map<string, ReturnType<typeof testCalls>>} */
  const calls = new Map();
  const limitsOf = (/** @type {string} */ path) => {
    if (!calls.has(path)) {
      try {
        calls.set(path, testCalls(path, readFileSync(path, 'utf8')));
      } catch {
        calls.set(path, []); // a file gone since: its limits are unknown
      }
    }
    return (/** @type {string} */ name) => calls.get(path)?.find((call) => call.names?.test(name))?.timeoutMs;
  };
  /** @type {Result[]} */
  const results = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // By name: tsx hands node code on one line, so the line a result names is not the source's.
    const { nesting, file: path, name, details, skip, todo } = event.data;
    if (nesting !== 0 || path === undefined || skip !== undefined || todo !== undefined) continue;
    results.push({ file: path, name, ms: details.duration_ms });
    writeFileSync(file, durations(results, limitsOf, process.cwd()));
  }
  yield ''; // a reporter yields; what it has to say is in the file
}
