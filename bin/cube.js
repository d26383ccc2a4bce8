#!/usr/bin/env node
// The `cube` command: runs the JavaScript that `npm run build` compiled into
// dist/ (npm install and npm start build it). A build that is missing or older
// than the sources is never run: cube says so and how to fix it. Developers who
// want the sources as they are can set CUBE_FROM_SOURCE=1 (through tsx).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleBuild } from './build-stamp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.env['CUBE_FROM_SOURCE'] === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
} else {
  const stale = staleBuild(root);
  if (stale) {
    process.stderr.write(`cube: ${stale}; build it with: npm run build (in ${root})\n`);
    process.exit(1);
  }
  await import('../dist/src/cli/main.js');
}
