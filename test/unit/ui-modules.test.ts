// The live view is ES modules the browser loads one by one from /ui/, with no
// bundler, and src/http/ui-routes.ts serves a fixed list of them (nothing else
// of src/ui/ is public). The list is app.js and every module it imports, found
// here by following the imports: a module added to the page and not to the
// list would be a 404 in the browser, and one left on the list after the page
// stopped loading it would be served for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { uiScripts } from '../../src/http/ui-routes.js';

const ui = fileURLToPath(new URL('../../src/ui/', import.meta.url));

/** The paths in src/ui/ of `entry` and of every module it imports, directly or not. */
function importedFrom(entry: string): string[] {
  const found = new Set<string>();
  const visit = (path: string) => {
    if (found.has(path)) return;
    found.add(path);
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ui, path), 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      assert.match(fileName, /^\.\.?\/.*\.js$/, `${path} imports ${fileName}: the browser resolves only relative paths to files`);
      const target = normalize(join(dirname(path), fileName));
      assert.ok(!target.startsWith('..'), `${path} imports ${fileName}, outside src/ui/, which /ui/ does not serve`);
      visit(target);
    }
  };
  visit(entry);
  return [...found].sort();
}

test('/ui/ serves app.js and the modules it imports, and no other script', { timeout: 10_000 }, () => {
  assert.deepEqual([...uiScripts].sort(), importedFrom('app.js'));
});
