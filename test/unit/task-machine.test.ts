// Pure tests of the task machine: every row of docs/spec.md §2 through `transition()`,
// with no Docker, network or clock. Side effects show up only as actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type AnyEventObject } from 'xstate';
import { restartDecision, restartDelay, taskMachine, type Failure, type TaskMachineEvent, type TaskPolicy, type TaskSnapshot } from '../../machines/task.js';
import { newTask, type StateName, type Task } from '../../src/vocabulary/task.js';

const policy: TaskPolicy = { restartLimit: 3, restartDelayMs: 1000, restartDelayMaxMs: 8000, healthFailures: 3 };
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:01Z';

const aTask = (fields: Partial<Task> = {}): Task => newTask({ ID: 't1', Name: 'web', Image: 'strm/helloworld-http', ...fields });

function start(fields: Partial<Task> = {}, p: TaskPolicy = policy, at?: string) {
  return initialTransition(taskMachine, { task: aTask(fields), policy: p, ...(at === undefined ? {} : { at }) });
}

/** Sends events in order, returning the last snapshot and every action seen. */
function run(snapshot: TaskSnapshot, ...events: AnyEventObject[]) {
  const actions: { type: string; params?: unknown }[] = [];
  for (const event of events) {
    const [next, done] = transition(taskMachine, snapshot, event as TaskMachineEvent);
    actions.push(...(done as { type: string; params?: unknown }[]));
    snapshot = next;
  }
  return { snapshot, actions };
}

const started = {
  type: 'xstate.done.actor.start',
  output: {
    containerId: 'c0ffee000000aaaa',
    hostPorts: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '49155' }] },
    startedAt: T1,
    notes: [],
  },
};
const exited = (exitCode: number, extra: Partial<{ oom: boolean; outside: boolean; containerId: string }> = {}) => ({
  type: 'container.exited',
  containerId: 'c0ffee000000aaaa',
  exitCode,
  oom: false,
  outside: false,
  at: T1,
  ...extra,
});
const schedule = { type: 'schedule', worker: 'w1', at: T0 };
const restartTimer = 'xstate.after.restartDelay.task.failed.restarting';
const resumeTimer = 'xstate.after.restartDelay.task.failed.resuming';

const running = () => run(start()[0], schedule, started).snapshot;
const invoked = (actions: { type: string; params?: unknown }[], src: string) =>
  actions.some((a) => a.type === 'xstate.spawnChild' && (a.params as { src?: string })?.src === src);

test('a new task is Pending and does nothing yet', { timeout: 10_000 }, () => {
  const [snapshot, actions] = start();
  assert.equal(snapshot.value, 'pending');
  assert.equal(snapshot.context.task.State, 0);
  assert.equal(snapshot.context.task.StateName, 'pending');
  assert.equal(invoked(actions as never, 'startContainer'), false);
});

test('Pending --schedule--> Scheduled names the worker and invokes startContainer', { timeout: 10_000 }, () => {
  const { snapshot, actions } = run(start()[0], schedule);
  assert.equal(snapshot.value, 'scheduled');
  assert.equal(snapshot.context.task.State, 1);
  assert.equal(snapshot.context.task.Worker, 'w1');
  assert.deepEqual(snapshot.context.task.Events.at(-1), { Time: T0, Type: 'Scheduled', Message: 'scheduled on worker w1' });
  assert.ok(invoked(actions, 'startContainer'));
});

test('Pending --schedule (no worker fits)--> Failed, and is not restarted', { timeout: 10_000 }, () => {
  const reason = 'no worker has 64 GiB of free memory';
  const { snapshot } = run(start()[0], { type: 'unschedulable', reason, at: T0 });
  assert.deepEqual(snapshot.value, { failed: 'halted' });
  assert.equal(snapshot.context.task.State, 4);
  assert.equal(snapshot.context.task.Reason, reason);
  assert.equal(snapshot.context.task.Events.at(-1)?.Type, 'Not Restarting');
});

test('Scheduled --start--> Running records the container, ports and start time', { timeout: 10_000 }, () => {
  const snapshot = running();
  assert.deepEqual(snapshot.value, { running: 'watching' });
  const task = snapshot.context.task;
  assert.equal(task.State, 2);
  assert.equal(task.ContainerID, 'c0ffee000000aaaa');
  assert.equal(task.StartTime, T1);
  assert.deepEqual(task.HostPorts, started.output.hostPorts);
  assert.equal(task.Events.at(-1)?.Type, 'Started');
});

test('Scheduled --start (container did not start)--> Failed with the reason', { timeout: 10_000 }, () => {
  const { snapshot } = run(start()[0], schedule, {
    type: 'xstate.error.actor.start',
    error: { message: 'image "nope" is not on this worker', at: T1 },
  });
  assert.equal(snapshot.context.task.State, 4);
  assert.match(snapshot.context.task.Reason, /failed to start: image "nope"/);
  assert.deepEqual(snapshot.value, { failed: 'restarting' });
});

test('pull progress while Scheduled replaces the previous progress line', { timeout: 10_000 }, () => {
  const { snapshot } = run(
    start()[0],
    schedule,
    { type: 'progress', message: 'pulling 1 of 3 layers', at: T0 },
    { type: 'progress', message: 'pulling 2 of 3 layers', at: T0 },
  );
  const progress = snapshot.context.task.Events.filter((e) => e.Type === 'Progress');
  assert.deepEqual(
    progress.map((e) => e.Message),
    ['pulling 2 of 3 layers'],
  );
});

test('Running --stop--> stopping (still State 2) --removed--> Completed with a FinishTime', { timeout: 10_000 }, () => {
  const stopping = run(running(), { type: 'stop', at: T1 });
  assert.equal(stopping.snapshot.value, 'stopping');
  assert.equal(stopping.snapshot.context.task.State, 2);
  assert.ok(invoked(stopping.actions, 'removeContainer'));
  const { snapshot } = run(stopping.snapshot, { type: 'xstate.done.actor.remove', output: { at: '2026-01-01T00:00:02Z' } });
  assert.equal(snapshot.value, 'completed');
  assert.equal(snapshot.status, 'done');
  assert.equal(snapshot.context.task.State, 3);
  assert.equal(snapshot.context.task.FinishTime, '2026-01-01T00:00:02Z');
});

test('a stop that Docker cannot carry out still completes, and says the worker will clean up', { timeout: 10_000 }, () => {
  const { snapshot } = run(
    running(),
    { type: 'stop', at: T1 },
    {
      type: 'xstate.error.actor.remove',
      error: { message: 'connect ENOENT /var/run/docker.sock', at: T1 },
    },
  );
  assert.equal(snapshot.context.task.State, 3);
  assert.match(snapshot.context.task.Events.at(-1)!.Message, /retries when Docker answers/);
});

test('a stop of a task not yet Running cancels it', { timeout: 10_000 }, () => {
  assert.equal(run(start()[0], { type: 'stop', at: T0 }).snapshot.value, 'completed');
  const scheduled = run(start()[0], schedule, { type: 'stop', at: T0 });
  assert.equal(scheduled.snapshot.value, 'stopping');
  assert.equal(scheduled.snapshot.context.task.State, 1, 'a cancelled start stays Scheduled until removed');
});

test('Running --container exited--> Failed with the exit code, then a restart is planned', { timeout: 10_000 }, () => {
  const { snapshot, actions } = run(running(), exited(137, { outside: true }));
  assert.deepEqual(snapshot.value, { failed: 'restarting' });
  assert.equal(snapshot.context.task.State, 4);
  assert.equal(snapshot.context.task.StateName, 'restarting');
  assert.equal(snapshot.context.task.ExitCode, 137);
  assert.equal(snapshot.context.task.FinishTime, T1);
  assert.match(snapshot.context.task.Reason, /exited with code 137 \(stopped through Docker/);
  assert.match(snapshot.context.task.Events.at(-1)!.Message, /^restarting in \d\.\d s \(restart 1\)$/);
  assert.ok(invoked(actions, 'stopContainer'), 'a failed task makes sure its container is stopped');
});

test('an OOM kill is reported as such', { timeout: 10_000 }, () => {
  const { snapshot } = run(running(), exited(137, { oom: true }));
  assert.match(snapshot.context.task.Reason, /^OOM killed/);
});

test(
  'a container that exits 0 by itself under RestartPolicy "" or on-failure is a job that is done: Completed, "exited 0" in its history',
  { timeout: 10_000 },
  () => {
    for (const RestartPolicy of ['', 'on-failure'] as const) {
      const { snapshot, actions } = run(run(start({ RestartPolicy })[0], schedule, started).snapshot, exited(0));
      assert.equal(snapshot.value, 'completed', RestartPolicy);
      assert.equal(snapshot.context.task.State, 3);
      assert.equal(snapshot.context.task.ExitCode, 0);
      assert.equal(snapshot.context.task.Reason, '');
      assert.match(snapshot.context.task.Events.at(-1)!.Message, /^exited 0: the job is done/);
      assert.ok(!invoked(actions, 'stopContainer'), 'nothing to stop: it has exited');
    }
  },
);

test('a job done before its start returned (exit 0 during the start) is Completed, with the container it ran in', { timeout: 10_000 }, () => {
  const quick = {
    type: 'xstate.error.actor.start',
    error: { message: 'the container exited as soon as it started, with code 0', at: T1, exitCode: 0, containerId: 'c0ffee000000bbbb' },
  };
  const { snapshot } = run(start()[0], schedule, quick);
  assert.equal(snapshot.value, 'completed');
  assert.equal(snapshot.context.task.ContainerID, 'c0ffee000000bbbb');
  assert.equal(snapshot.context.task.ExitCode, 0);
  const failed = run(start({ RestartPolicy: 'always' })[0], schedule, quick).snapshot;
  assert.equal(failed.context.task.State, 4, 'always: an exit is a failure, restarted');
});

test('exit 0 is still a failure when the policy restarts everything, or when someone stopped the container through Docker', { timeout: 10_000 }, () => {
  for (const RestartPolicy of ['always', 'unless-stopped'] as const) {
    const { snapshot } = run(run(start({ RestartPolicy })[0], schedule, started).snapshot, exited(0));
    assert.deepEqual(snapshot.value, { failed: 'restarting' }, RestartPolicy);
  }
  const { snapshot } = run(running(), exited(0, { outside: true }));
  assert.equal(snapshot.context.task.State, 4, 'docker stop of a task is not its job being done (docs/spec.md §7)');
  assert.deepEqual(snapshot.value, { failed: 'restarting' });
});

test('an exit of a container the task no longer owns is ignored', { timeout: 10_000 }, () => {
  const before = running();
  const { snapshot, actions } = run(before, exited(1, { containerId: 'someoldcontainer' }));
  assert.deepEqual(snapshot.value, before.value);
  assert.equal(snapshot.context.task, before.context.task);
  assert.equal(actions.length, 0);
});

test('a vanished container fails the task', { timeout: 10_000 }, () => {
  const { snapshot } = run(running(), { type: 'container.missing', containerId: 'c0ffee000000aaaa', at: T1 });
  assert.equal(snapshot.context.task.State, 4);
  assert.match(snapshot.context.task.Reason, /disappeared/);
});

test('health checks: failures below the threshold are tolerated, a pass resets the count', { timeout: 10_000 }, () => {
  const withCheck = run(start({ HealthCheck: '/health', ExposedPorts: { '80/tcp': {} } })[0], schedule, started);
  assert.deepEqual(withCheck.snapshot.value, { running: 'probing' });
  assert.ok(invoked(withCheck.actions, 'healthCheck'));
  const fail = { type: 'health.failed', reason: 'GET /health answered 500', at: T1 };
  const twice = run(withCheck.snapshot, fail, fail);
  assert.equal(twice.snapshot.context.task.State, 2);
  assert.equal(twice.snapshot.context.healthFailures, 2);
  const reset = run(twice.snapshot, { type: 'health.passed', at: T1 }, fail, fail);
  assert.equal(reset.snapshot.context.task.State, 2);
  const third = run(reset.snapshot, fail);
  assert.equal(third.snapshot.context.task.State, 4);
  assert.match(third.snapshot.context.task.Reason, /health check failed 3 times in a row: GET \/health answered 500/);
});

test('Failed --restart delay--> Scheduled with RestartCount + 1, replacing the old container', { timeout: 10_000 }, () => {
  const failed = run(running(), exited(1)).snapshot;
  const { snapshot, actions } = run(failed, { type: restartTimer });
  assert.equal(snapshot.value, 'scheduled');
  assert.equal(snapshot.context.task.RestartCount, 1);
  assert.equal(snapshot.context.replace, true);
  assert.ok(invoked(actions, 'startContainer'));
});

test('at the restart limit the task stays Failed and says why', { timeout: 10_000 }, () => {
  const failedAgain = run(
    running(),
    exited(1),
    { type: restartTimer },
    started,
    exited(1),
    { type: restartTimer },
    started,
    exited(1),
    { type: restartTimer },
    started,
    exited(1),
  );
  assert.deepEqual(failedAgain.snapshot.value, { failed: 'halted' });
  assert.equal(failedAgain.snapshot.context.task.RestartCount, 3);
  assert.match(failedAgain.snapshot.context.task.Events.at(-1)!.Message, /restart limit reached \(3 of 3/);
});

const restart = (fields: Partial<Task> = {}) => ({ type: 'restart', task: aTask({ Placement: 'p2', ...fields }), at: T1 });

test('a client restart of a Running or Failed task starts it afresh, as the new placement it carries', { timeout: 10_000 }, () => {
  const fromRunning = run(running(), restart()).snapshot;
  assert.equal(fromRunning.value, 'scheduled');
  assert.equal(fromRunning.context.replace, true);
  assert.equal(fromRunning.context.task.Placement, 'p2');
  assert.equal(fromRunning.context.task.Events.at(-1)!.Type, 'Restart Signaled');
  const halted = run(start()[0], { type: 'unschedulable', reason: 'x', at: T0 }).snapshot;
  assert.equal(run(halted, restart()).snapshot.value, 'scheduled');
  // A new placement while the start is under way starts again, replacing what the first start makes.
  const starting = run(start()[0], schedule).snapshot;
  const again = run(starting, restart());
  assert.equal(again.snapshot.value, 'scheduled');
  assert.equal(again.snapshot.context.replace, true);
  assert.ok(invoked(again.actions, 'startContainer'), 'the start is invoked again');
});

test('a restart that carries a changed definition runs it, and the history names what changed', { timeout: 10_000 }, () => {
  const updated = run(running(), restart({ Image: 'strm/helloworld-http:2', Env: ['A=1'], Name: 'web' })).snapshot;
  assert.equal(updated.context.task.Image, 'strm/helloworld-http:2');
  assert.deepEqual(updated.context.task.Env, ['A=1']);
  assert.equal(updated.context.task.RestartCount, 0);
  const entry = updated.context.task.Events.at(-1)!;
  assert.equal(entry.Type, 'Update Signaled', "the worker's word, not the manager's `Updated` a second time");
  assert.match(entry.Message, /runs the new definition \(Image, Env changed\) as placement p2/);
});

test('a restart by the policy continues the placement as <placement>#<n>, and records when it is due', { timeout: 10_000 }, () => {
  const failed = run(start({ Placement: 'abc.7' })[0], schedule, started, exited(1)).snapshot;
  assert.deepEqual(failed.value, { failed: 'restarting' });
  const due = Date.parse(failed.context.task.RestartDue);
  assert.equal(due, Date.parse(T1) + failed.context.restartDelayMs, 'due one delay after the failure');
  const restarted = run(failed, { type: restartTimer }).snapshot;
  assert.equal(restarted.context.task.Placement, 'abc.7#1');
  assert.equal(restarted.context.task.RestartDue, '0001-01-01T00:00:00Z', 'nothing waits any more');
});

test('commands the state does not take are refused with a reason, and change nothing', { timeout: 10_000 }, () => {
  const done = run(running(), { type: 'stop', at: T1 }, { type: 'xstate.done.actor.remove', output: { at: T1 } }).snapshot;
  for (const command of ['stop', 'restart', 'schedule']) {
    const { snapshot, actions } = run(done, { type: command, at: T1, worker: 'w1' });
    assert.equal(snapshot.context.task, done.context.task);
    const refusal = actions.find((a) => a.type === 'xstate.emit');
    assert.ok(refusal, `${command} of a completed task is refused`);
    assert.match(JSON.stringify(refusal.params), /is completed, which is final/);
  }
  const { actions } = run(running(), schedule);
  assert.match(JSON.stringify(actions), /cannot schedule task t1: it is running/);
});

test('a task restored from disk resumes where it was', { timeout: 10_000 }, () => {
  const cases: [StateName, unknown][] = [
    ['scheduled', 'scheduled'],
    ['running', { running: 'watching' }],
    ['stopping', 'stopping'],
    ['completed', 'completed'],
    ['failed', { failed: 'halted' }],
    ['restarting', { failed: 'resuming' }],
  ];
  for (const [StateName, value] of cases) {
    const [snapshot] = start({ StateName, ContainerID: 'abc' });
    assert.deepEqual(snapshot.value, value, StateName);
  }
  const [restarting] = start({ StateName: 'restarting', RestartCount: 1 });
  assert.equal(restarting.context.task.StateName, 'restarting');
  assert.equal(restarting.context.restartDelayMs, 0, 'a restored restart with no due time waits no more');
  assert.equal(run(restarting, { type: resumeTimer }).snapshot.context.task.RestartCount, 2);
});

test('a restored restart waits what is left until its due time, counted from when the actor was made', { timeout: 10_000 }, () => {
  const due = '2026-01-01T00:00:10Z';
  const [early] = start({ StateName: 'restarting', RestartCount: 1, RestartDue: due }, policy, '2026-01-01T00:00:04Z');
  assert.equal(early.context.restartDelayMs, 6000, 'six seconds of the wait are left');
  const [late] = start({ StateName: 'restarting', RestartCount: 1, RestartDue: due }, policy, '2026-01-01T00:01:00Z');
  assert.equal(late.context.restartDelayMs, 0, 'overdue: at once');
});

test('a task its restarted worker restores Running forgets that it passed its health check: the next pass is a new Healthy', { timeout: 10_000 }, () => {
  const checked = { StateName: 'running' as const, ContainerID: 'abc', HealthCheck: '/health', Events: [{ Time: T0, Type: 'Healthy', Message: 'ok' }] };
  const [restored] = start(checked, policy, T1);
  assert.deepEqual(
    restored.context.task.Events.map((e) => [e.Time, e.Type]),
    [
      [T0, 'Healthy'],
      [T1, 'Worker Restarted'],
    ],
  );
  const passed = run(restored, { type: 'health.passed', at: '2026-01-01T00:00:02Z' }).snapshot;
  assert.deepEqual(passed.context.task.Events.at(-1)?.Type, 'Healthy', 'the first pass after the restart is told');
  const [unchecked] = start({ ...checked, HealthCheck: '' }, policy, T1);
  assert.equal(unchecked.context.task.Events.length, 1, 'without a check, nothing to forget');
  const [made] = start(checked);
  assert.equal(made.context.task.Events.length, 1, 'an actor made without a start time (not restored by a worker) leaves the record as it is');
});

test('the restart delay doubles from the base up to the cap, with deterministic jitter', { timeout: 10_000 }, () => {
  const delays = [0, 1, 2, 3, 4, 5].map((n) => restartDelay({ ID: 'a', RestartCount: n }, policy));
  const fulls = [1000, 2000, 4000, 8000, 8000, 8000];
  delays.forEach((d, n) => assert.ok(d >= fulls[n]! / 2 && d <= fulls[n]!, `attempt ${n}: ${d} within [${fulls[n]! / 2}, ${fulls[n]}]`));
  assert.deepEqual(
    delays,
    [0, 1, 2, 3, 4, 5].map((n) => restartDelay({ ID: 'a', RestartCount: n }, policy)),
  );
  const spread = new Set(['a', 'b', 'c', 'd'].map((ID) => restartDelay({ ID, RestartCount: 0 }, policy)));
  assert.ok(spread.size > 1, 'different tasks get different delays');
  assert.equal(restartDelay({ ID: 'a', RestartCount: 3 }, { ...policy, restartDelayMs: 0 }), 0);
});

test('RestartPolicy decides which failures are restarted', { timeout: 10_000 }, () => {
  const exit = (exitCode: number, outside = false): Failure => ({ kind: 'exited', exitCode, outside });
  const decide = (RestartPolicy: Task['RestartPolicy'], failure: Failure, RestartCount = 0) =>
    restartDecision(aTask({ RestartPolicy, RestartCount }), failure, policy).restart;
  assert.equal(decide('', exit(0)), true);
  assert.equal(decide('', exit(1), 3), false);
  assert.equal(decide('on-failure', exit(0)), false);
  assert.equal(decide('on-failure', exit(2)), true);
  assert.equal(decide('on-failure', { kind: 'health', exitCode: null, outside: false }), true);
  assert.equal(decide('always', exit(0), 50), true);
  assert.equal(decide('unless-stopped', exit(1), 50), true);
  assert.equal(decide('unless-stopped', exit(143, true)), false);
  assert.equal(decide('always', { kind: 'unschedulable', exitCode: null, outside: false }), false);
});
