// `npm run build` (also run by `npm install` through `prepare`, by `npm start`
// and by `npm test`): compiles src/ and machines/ to dist/ with tsc, copies the
// live view's static files beside the compiled routes, and writes dist/stamp.json,
// which lists every source file with its size and time. bin/cube.js compares
// that list with the sources before it runs anything, so a stale or missing
// build is never used silently; and a build that matches is not made again.
// Plain JavaScript, so it runs before any build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceFiles, staleBuild, stampOf, STAMP } from '../bin/build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const started = Date.now();

// A build that matches every source is used as it is: `npm start` a second
// time goes straight to its Docker check (issue 25). `--force` compiles anyway.
if (!process.argv.includes('--force') && staleBuild(root) === undefined) {
  process.stdout.write(`cube build: dist/ matches the sources (${sourceFiles(root).length} files); nothing to compile (--force compiles anyway)\n`);
  process.exit(0);
}

try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
} catch {
  process.stderr.write('cube build: tsc failed (its errors are above); dist/ was not updated\n');
  process.exit(1);
}

// The live view's page, script, style and icon are served from dist/src/ui/ (src/http/ui-routes.ts).
const files = sourceFiles(root);
for (const file of files.filter((f) => f.startsWith('src/ui/') && !f.endsWith('.ts'))) {
  mkdirSync(dirname(join(root, 'dist', file)), { recursive: true });
  copyFileSync(join(root, file), join(root, 'dist', file));
}
writeFileSync(join(root, STAMP), `${JSON.stringify(stampOf(root, files))}\n`);
process.stdout.write(`cube build: ${files.length} source files compiled to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
