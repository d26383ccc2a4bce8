// bin/cube.js runs the build in dist/ only when it matches the sources: a
// missing build, a changed, new or removed source file is refused in one line
// that says how to fix it, never run silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sourceFiles, stampOf, staleBuild, STAMP } from '../../bin/build-stamp.js';

const bin = fileURLToPath(new URL('../../bin', import.meta.url));

/** A checkout in miniature: two sources, and bin/ as it is. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'cube-stamp-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'machines'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'machines', 'b.ts'), 'export const b = 2;\n');
  cpSync(bin, join(root, 'bin'), { recursive: true });
  return root;
}

const build = (root: string) => writeFileSync(join(root, STAMP), JSON.stringify(stampOf(root, sourceFiles(root))));

test('a build matches its sources until one changes, appears or goes', { timeout: 10_000 }, () => {
  const root = checkout();
  try {
    assert.equal(staleBuild(root), 'there is no build in dist/');
    build(root);
    assert.equal(staleBuild(root), undefined);
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 10;\n');
    assert.equal(staleBuild(root), 'src/a.ts changed since the last build');
    build(root);
    writeFileSync(join(root, 'src', 'c.ts'), 'export {};\n');
    assert.equal(staleBuild(root), 'src/c.ts is new since the last build');
    build(root);
    rmSync(join(root, 'machines', 'b.ts'));
    assert.equal(staleBuild(root), 'machines/b.ts was removed since the last build');
    build(root);
    writeFileSync(join(root, 'tsconfig.build.json'), '{}\n');
    assert.equal(staleBuild(root), 'tsconfig.build.json is new since the last build', 'what tsc reads counts as a source');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bin/cube.js refuses a missing or stale build in one line, exit 1', { timeout: 10_000 }, async () => {
  const root = checkout();
  try {
    const run = () =>
      promisify(execFile)(process.execPath, [join(root, 'bin', 'cube.js'), 'status']).then(
        () => assert.fail('it ran'),
        (error: { code: number; stderr: string }) => error,
      );
    const missing = await run();
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `cube: there is no build in dist/; build it with: npm run build (in ${root})\n`);
    build(root);
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 100;\n');
    const stale = await run();
    assert.equal(stale.code, 1);
    assert.equal(stale.stderr, `cube: src/a.ts changed since the last build; build it with: npm run build (in ${root})\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
