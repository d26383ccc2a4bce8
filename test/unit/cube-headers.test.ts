// Cube's own headers are listed in one place (src/http/cube-headers.ts), so a
// follower passes every one of them back: a header name written anywhere else
// in src/ would be a header the list, and the follower, could miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCubeHeaders } from '../../src/http/cube-headers.js';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => /\.(ts|js)$/.test(f) && f !== join('http', 'cube-headers.ts'));

test('no Cube-* header name is written in src/ outside the list', { timeout: 10_000 }, () => {
  // A header name in a string: 'Cube-Version', or as a client reads it, 'cube-version' (not a certificate's name such as 'cube-worker').
  const named = /['"`](Cube-[A-Z][\w-]*|cube-(?!manager|worker|client)[a-z][\w-]*)['"`]/g;
  const found = files.flatMap((file) => [...readFileSync(join(src, file), 'utf8').matchAll(named)].map((m) => `${file}: ${m[1]}`));
  assert.deepEqual(found, []);
});

test('the list names each header once, as HTTP writes them', { timeout: 10_000 }, () => {
  assert.equal(new Set(allCubeHeaders.map((h) => h.toLowerCase())).size, allCubeHeaders.length);
  for (const header of allCubeHeaders) assert.match(header, /^Cube(-[A-Z][a-z]+)+$/);
});
