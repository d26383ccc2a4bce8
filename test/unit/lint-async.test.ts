// The type-checked lint rules of eslint.config.js refuse the async mistakes
// they are there for: checked with ESLint itself on code that makes each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The rules that `code` breaks, as a file of machines/ (a path the lint's project service takes for a probe). */
async function broken(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}machines/probe.ts` });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

const later = 'export const later = async (): Promise<number> => 1;\n';

test('a promise nobody awaits or catches is refused; one marked void, awaited or caught is not', { timeout: 60_000 }, async () => {
  assert.deepEqual(await broken(`${later}later();\n`), ['@typescript-eslint/no-floating-promises']);
  assert.deepEqual(await broken(`${later}void later();\nlater().catch(() => undefined);\nexport const f = async () => {\n  await later();\n};\n`), []);
});

test('a promise where a callback must return nothing is refused', { timeout: 60_000 }, async () => {
  assert.deepEqual(await broken(`${later}setTimeout(later, 1);\n`), ['@typescript-eslint/no-misused-promises']);
  assert.deepEqual(await broken(`${later}setTimeout(() => void later(), 1);\n`), []);
});

test('awaiting what is not a promise, and returning one unawaited from try, are refused', { timeout: 60_000 }, async () => {
  assert.deepEqual(await broken('export const f = async () => {\n  await 1;\n};\n'), ['@typescript-eslint/await-thenable']);
  assert.deepEqual(await broken(`${later}export async function f() {\n  try {\n    return later();\n  } catch {\n    return 0;\n  }\n}\n`), [
    '@typescript-eslint/return-await',
  ]);
});
