// The results the report reads: docs/benchmarks/<name>.json, one file per
// benchmark, as bench/lib.ts saveResult() wrote it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../lib.js';

export const dir = join(root, 'docs/benchmarks');

/** A result as read from its file: the benchmarks write many shapes, and the report trusts its own. */
export type Json = any;

/** The result of benchmark `name`, or undefined when it has not been run. */
export function load(name: string): Json | undefined {
  const file = join(dir, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
