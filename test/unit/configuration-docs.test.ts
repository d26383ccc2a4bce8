// docs/configuration.md names every setting the code reads, with its default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flagOf, settingSpecs } from '../../src/config/settings.js';

test('every setting is documented in docs/configuration.md with its flag', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  for (const spec of Object.values(settingSpecs)) {
    assert.match(doc, new RegExp(`\\| \`${spec.env}\` \\| \`${flagOf(spec.env)}\` \\|`), spec.env);
  }
});
