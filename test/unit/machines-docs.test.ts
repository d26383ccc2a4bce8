// docs/machines.md and docs/machines/* are generated from the machine
// definitions; this fails when the code changed and they were not regenerated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exportMachines } from '../../src/diagrams/machines.js';
import { machineFiles } from '../../src/diagrams/document.js';

test('the machine diagrams in docs/ match the code (regenerate with: npm run machines)', { timeout: 10_000 }, () => {
  for (const [path, text] of Object.entries(machineFiles(exportMachines()))) {
    const onDisk = readFileSync(new URL(`../../docs/${path}`, import.meta.url), 'utf8');
    assert.equal(onDisk, text, `docs/${path} is out of date: run npm run machines`);
  }
});

test('every state of the task machine appears in its diagram', { timeout: 10_000 }, () => {
  const task = exportMachines().find((e) => e.name === 'task')!;
  for (const state of ['pending', 'scheduled', 'running', 'stopping', 'completed', 'failed', 'failed_restarting', 'failed_halted']) {
    assert.match(task.mermaid, new RegExp(`as ${state}\\b`), state);
  }
  assert.match(task.mermaid, /scheduled --> running: start done/);
});
