// One list of state names: src/vocabulary/task.ts holds them (service.ts a
// service's), and the live view's words (src/ui/words.js), which the browser
// runs as it is and so cannot import TypeScript, keep the same ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceStateLabels, stateLabel, stateLabels as shownLabels, stateNameLabels } from '../../src/ui/words.js';
import { serviceStateNames } from '../../src/vocabulary/service.js';
import { stateLabels, stateNameOf, stateNames, TaskState } from '../../src/vocabulary/task.js';

test("the live view's words name the same states as the vocabulary", { timeout: 10_000 }, () => {
  assert.deepEqual(shownLabels, stateLabels);
  assert.deepEqual(Object.keys(stateNameLabels), [...stateNames]);
  assert.deepEqual(Object.keys(serviceStateLabels), [...serviceStateNames]);
});

test('each State integer has the StateName of its label', { timeout: 10_000 }, () => {
  for (const [label, state] of Object.entries(TaskState)) {
    assert.equal(stateNameOf(state), label.toLowerCase());
    assert.equal(stateLabel({ State: state }), label);
  }
  assert.equal(stateNameOf(5), undefined);
});
