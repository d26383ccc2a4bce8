// Which task a word means (src/cli/resolve.ts), the one rule of every command
// that takes a task: status, logs, events --task, stop, restart, rm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/cli/manager-client.js';
import { matchTasks, pickTask } from '../../src/cli/resolve.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';

const task = (fields: Partial<Task> & Pick<Task, 'ID'>): Task =>
  newTask({ Name: '', Image: 'strm/helloworld-http', State: 2, StateName: 'running', Worker: 'w1', ...fields });
const completed = { State: 3, StateName: 'completed' } as const;
const ids = (tasks: readonly Task[]) => tasks.map((t) => t.ID);

const tasks = [
  task({ ID: 'abc123', Name: 'helloworld-http-abc1' }),
  task({ ID: 'abd456', Name: 'api' }),
  task({ ID: 'old-web', Name: 'web', ...completed }),
  task({ ID: 'new-web', Name: 'web' }),
];

test('an exact ID, the start of one, or a name; an exact ID wins over the rest', { timeout: 10_000 }, () => {
  assert.deepEqual(ids(matchTasks(tasks, 'abc123')), ['abc123']);
  assert.deepEqual(ids(matchTasks(tasks, 'abd')), ['abd456']);
  assert.deepEqual(ids(matchTasks(tasks, 'api')), ['abd456']);
  assert.deepEqual(ids(matchTasks(tasks, 'helloworld-http-abc1')), ['abc123']);
  assert.deepEqual(ids(matchTasks([...tasks, task({ ID: 'web', Name: 'other' })], 'web')), ['web'], 'a task whose ID is the word');
  assert.equal(pickTask(tasks, 'nothing'), '');
});

test('of several matches, the one live task: a Completed task does not stand in the way of its name', { timeout: 10_000 }, () => {
  assert.equal(pickTask(tasks, 'web'), 'new-web');
  assert.equal(pickTask([tasks[2]!], 'web'), 'old-web', 'one match is that one, live or not (status, logs and rm of a finished task)');
});

test("a service copy is named by its ID's last group, as tables show it; the end of a group is not enough", { timeout: 10_000 }, () => {
  const copies = [task({ ID: '6be4cb6b-61d1-40cb-bc7b-000000000003' }), task({ ID: '6be4cb6b-61d1-40cb-bc7b-000000000013' })];
  assert.equal(pickTask(copies, '000000000013'), copies[1]!.ID);
  assert.equal(pickTask(copies, '00000013'), '');
});

test('several live matches: nothing is chosen, and the error lists each with name, short ID, state and worker', { timeout: 10_000 }, () => {
  const live = [task({ ID: 'abcdef0123456789', Name: 'api' }), task({ ID: 'abcdef9876543210', Name: 'web', State: 4, StateName: 'restarting', Worker: '' })];
  assert.throws(
    () => pickTask([...live, task({ ID: 'abcdef-done', ...completed })], 'abcdef'),
    (e: unknown) =>
      e instanceof ApiError &&
      e.status === 409 &&
      e.message ===
        [
          '"abcdef" matches 2 live tasks; give more of the ID:',
          '  api  abcdef012345  Running              on w1',
          '  web  abcdef987654  Failed (restarting)  on no worker',
        ].join('\n'),
  );
});

test('several matches, none live: all are listed', { timeout: 10_000 }, () => {
  const done = [task({ ID: 'a1', Name: 'web', ...completed }), task({ ID: 'a2', Name: 'web', ...completed })];
  assert.throws(
    () => pickTask(done, 'web'),
    (e: unknown) =>
      e instanceof ApiError &&
      /^"web" matches 2 tasks, none of them live; give more of the ID:\n {2}web {2}a1 {2}Completed {2}on w1\n {2}web {2}a2/.test(e.message),
  );
});
