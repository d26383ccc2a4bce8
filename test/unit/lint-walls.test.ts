// The walls of the house hold: the lint rule of eslint.config.js refuses an
// import of anything but xstate and src/vocabulary/ in machines/, and of
// anything outside src/vocabulary/ in it. Checked with ESLint itself on code
// that breaks each wall, and on the imports the code really uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The messages of the import wall for `code` as the file `path`. */
async function walls(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('machines/ may import xstate, each other and src/vocabulary/, and nothing else', { timeout: 10_000 }, async () => {
  const allowed = [
    "import { setup } from 'xstate';",
    "import type { Task } from '../src/vocabulary/task.js';",
    "import { shardOf } from './shard.js';",
    "import { ledger } from './manager/ledger.js';",
  ].join('\n');
  assert.deepEqual(await walls('machines/probe.ts', `${allowed}\nexport const x = [setup, shardOf, ledger];\nexport type T = Task;\n`), []);
  assert.deepEqual(
    await walls(
      'machines/manager/probe.ts',
      "import { setup } from 'xstate';\nimport type { Task } from '../../src/vocabulary/task.js';\nimport { taskMachine } from '../task.js';\nexport const x = [setup, taskMachine];\nexport type T = Task;\n",
    ),
    [],
  );
  for (const [path, source] of [
    ['machines/probe.ts', '../src/runtime/types.js'],
    ['machines/probe.ts', '../src/config/settings.js'],
    ['machines/probe.ts', 'node:fs'],
    ['machines/probe.ts', 'nanoid'],
    ['machines/manager/probe.ts', '../../src/manager/service.js'],
    ['machines/manager/probe.ts', '../../src/vocabulary/../log.js'],
  ] as const) {
    const messages = await walls(path, `import * as x from '${source}';\nexport { x };\n`);
    assert.equal(messages.length, 1, `${path} importing ${source}`);
    assert.match(messages[0]!, /machines\/ imports only xstate and src\/vocabulary\//);
  }
});

test('src/vocabulary/ imports nothing but itself', { timeout: 10_000 }, async () => {
  assert.deepEqual(await walls('src/vocabulary/probe.ts', "import type { Task } from './task.js';\nexport type T = Task;\n"), []);
  for (const source of ['xstate', '../config/settings.js', '../../machines/task.js']) {
    const messages = await walls('src/vocabulary/probe.ts', `import * as x from '${source}';\nexport { x };\n`);
    assert.equal(messages.length, 1, source);
    assert.match(messages[0]!, /src\/vocabulary\/ is the shared words of every layer/);
  }
});
