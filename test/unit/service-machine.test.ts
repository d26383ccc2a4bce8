// Pure tests of the service machine (docs/spec.md §9) through `transition()`,
// with no Docker, network or clock: the test plays the manager, turning the
// machine's startCopy and stopCopy into copy records that it changes by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { serviceMachine, type ServiceEvent } from '../../machines/service.js';
import { newService, type ServiceCommand } from '../../machines/service/record.js';
import { DEFAULT_SHUTDOWN_DELAY, type ServiceDefinition, type ServiceUpdate } from '../../src/vocabulary/service.js';
import { newTask, type StateName, type Task } from '../../src/vocabulary/task.js';

type Snapshot = SnapshotFrom<typeof serviceMachine>;
type Action = { type: string; params?: any };

const T0 = Date.parse('2026-01-01T00:00:00Z');
const UID = '6be4cb6b-61d1-40cb-bc7b-9cacefefa60c';

function definition(fields: Partial<ServiceDefinition> = {}, update: Partial<ServiceUpdate> = {}): ServiceDefinition {
  return {
    Name: 'web',
    Count: 3,
    Task: { ...newTask({ ID: '', Name: '', Image: 'hello:1' }), HealthCheck: '' } as never,
    Update: { Parallelism: 1, Order: 'start-first', MinHealthy: '10s', HealthyDeadline: '1m', OnFailure: 'rollback', ...update },
    ShutdownDelay: DEFAULT_SHUTDOWN_DELAY,
    ...fields,
  };
}

const image = (def: ServiceDefinition, name: string): ServiceDefinition => ({ ...def, Task: { ...def.Task, Image: name } });

/**
 * The machine and a model of the manager: copies it asked for become task
 * records (Pending), which the test moves on; every change is reported back
 * to the machine as the manager would.
 */
function harness(def = definition()) {
  let ms = 0;
  const at = () => new Date(T0 + ms).toISOString();
  const tasks = new Map<string, Task>();
  const stopping = new Set<string>();
  const actions: Action[] = [];
  /** The wake-ups the machine asked for (delayed events to itself), by id: when each is due, and what it sends. */
  const wakes = new Map<string, { dueMs: number; event: ServiceEvent }>();
  let snapshot: Snapshot;
  const take = (done: Action[]) => {
    for (const action of done) {
      actions.push(action);
      if (action.type === 'xstate.cancel') wakes.delete(action.params.sendId);
      if (action.type === 'xstate.raise' && action.params.delay !== undefined) {
        wakes.set(action.params.id, { dueMs: ms + action.params.delay, event: action.params.event });
      }
      if (action.type === 'startCopy') {
        // The manager stamps the copy with the time of the service's request, as it does every submit.
        const task: Task = { ...action.params.task, SubmitTime: action.params.at };
        tasks.set(task.ID, task);
        queue.push({ type: 'copy.changed', report: { task, stopping: false }, at: at() });
      }
      if (action.type === 'stopCopy') {
        stopping.add(action.params.id);
        queue.push({ type: 'copy.changed', report: { task: tasks.get(action.params.id)!, stopping: true }, at: at() });
      }
    }
  };
  const queue: ServiceEvent[] = [];
  const send = (event: ServiceEvent) => {
    queue.push(event);
    let steps = 0;
    while (queue.length > 0) {
      if (++steps > 1000) throw new Error(`the machine does not settle: ${JSON.stringify(queue.slice(0, 3)).slice(0, 600)}`);
      const [next, done] = transition(serviceMachine, snapshot, queue.shift()!);
      snapshot = next;
      take(done as Action[]);
    }
  };
  const [first, done] = initialTransition(serviceMachine, { service: newService(def, UID, at()), copies: [], at: at() });
  snapshot = first;
  take(done as Action[]);
  while (queue.length > 0) send(queue.shift()!);

  const change = (id: string, fields: Partial<Task>, event?: string) => {
    const task = tasks.get(id)!;
    const next = { ...task, ...fields, Events: event ? [...task.Events, { Time: at(), Type: event, Message: event }] : task.Events };
    tasks.set(id, next);
    send({ type: 'copy.changed', report: { task: next, stopping: stopping.has(id) }, at: at() });
  };
  const live = () => [...tasks.values()].filter((t) => !['completed', 'failed'].includes(t.StateName));
  const h = {
    tasks,
    actions,
    get snapshot() {
      return snapshot;
    },
    get service() {
      return snapshot.context.service;
    },
    at,
    send,
    /** Moves the clock on without telling the machine: the next event is the first it hears of the time. */
    wait(byMs: number) {
      ms += byMs;
    },
    /** Moves the clock on as a runtime would: the wake-ups the machine asked for arrive when they are due, and nothing else. */
    advance(byMs: number) {
      const end = ms + byMs;
      for (
        let next = [...wakes.values()].sort((a, b) => a.dueMs - b.dueMs)[0];
        next && next.dueMs <= end;
        next = [...wakes.values()].sort((a, b) => a.dueMs - b.dueMs)[0]
      ) {
        ms = next.dueMs;
        for (const [id, wake] of wakes) if (wake === next) wakes.delete(id);
        send(next.event);
      }
      ms = end;
    },
    /** Moves the clock on and tells the machine. */
    tick(byMs: number) {
      ms += byMs;
      send({ type: 'tick', at: at() });
    },
    command(command: ServiceCommand) {
      send({ type: 'service.command', command, at: at(), requestId: 'r1' });
    },
    change,
    run: (id: string) => change(id, { StateName: 'running', State: 2, StartTime: at() }, 'Started'),
    fail: (id: string) => change(id, { StateName: 'failed', State: 4 }, 'Terminated'),
    complete: (id: string) => change(id, { StateName: 'completed', State: 3 }, 'Stopped'),
    /** Every copy the service asked to stop is stopped, as a manager would confirm it. */
    confirmStops() {
      for (const id of stopping) if (tasks.get(id)!.StateName !== 'completed') h.complete(id);
    },
    /** Runs every Pending copy. */
    runPending() {
      for (const task of [...tasks.values()]) if (task.StateName === 'pending') h.run(task.ID);
    },
    live,
    versions: () =>
      live()
        .map((t) => `${t.Slot}:v${t.ServiceVersion}`)
        .sort(),
  };
  return h;
}

/** A new service of 3 brought up: every copy Running for MinHealthy. */
function stable(def = definition()) {
  const h = harness(def);
  h.runPending();
  h.tick(10_000);
  assert.equal(h.snapshot.value, 'stable');
  return h;
}

test('a new service starts a copy in every slot at once, each a task of its own with a UUID and a name of its slot', { timeout: 10_000 }, () => {
  const h = harness();
  assert.equal(h.snapshot.value, 'deploying');
  const started = h.actions.filter((a) => a.type === 'startCopy').map((a) => a.params.task as Task);
  assert.deepEqual(
    started.map((t) => [t.Slot, t.Name, t.Service, t.ServiceVersion]),
    [
      [0, 'web.0.0.6be4cb', 'web', 1],
      [1, 'web.1.1.6be4cb', 'web', 1],
      [2, 'web.2.2.6be4cb', 'web', 1],
    ],
  );
  for (const task of started) assert.match(task.ID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(new Set(started.map((t) => t.ID)).size, 3);
  assert.equal(h.service.Copies, 3);
});

test('the first version succeeds once every copy has been healthy for MinHealthy, and becomes the stable one', { timeout: 10_000 }, () => {
  const h = harness();
  h.runPending();
  h.tick(9_000);
  assert.equal(h.snapshot.value, 'deploying', 'not yet: 9 s of 10');
  assert.equal(h.service.Deployment!.Healthy, 0);
  h.tick(1_000);
  assert.equal(h.snapshot.value, 'stable');
  assert.equal(h.service.Deployment!.State, 'succeeded');
  assert.equal(h.service.Stable, 1);
  assert.deepEqual(h.service.Succeeded, [1]);
  assert.equal(h.service.Running, 3);
  assert.equal(h.service.Healthy, 3);
});

test('a copy with a health check counts from its first passed check, not from its start', { timeout: 10_000 }, () => {
  const def = definition();
  const h = harness({ ...def, Task: { ...def.Task, HealthCheck: '/health', ExposedPorts: { '80/tcp': {} } } });
  h.runPending();
  h.tick(20_000);
  assert.equal(h.snapshot.value, 'deploying', 'Running alone does not count');
  for (const task of h.live()) h.tasks.set(task.ID, task);
  for (const id of [...h.tasks.keys()]) {
    const task = h.tasks.get(id)!;
    h.send({
      type: 'copy.changed',
      report: { task: { ...task, Events: [...task.Events, { Time: h.at(), Type: 'Healthy', Message: 'ok' }] }, stopping: false },
      at: h.at(),
    });
  }
  h.tick(10_000);
  assert.equal(h.snapshot.value, 'stable');
});

test('a copy that fails for good is replaced in its slot; one that restarts is left to its restart policy', { timeout: 10_000 }, () => {
  const h = stable();
  const [first, second] = h.live();
  h.send({
    type: 'copy.changed',
    report: { task: { ...h.tasks.get(second!.ID)!, StateName: 'restarting', RestartCount: 1 }, stopping: false },
    at: h.at(),
  });
  h.fail(first!.ID);
  const replacement = h.actions.filter((a) => a.type === 'startCopy').at(-1)!.params.task as Task;
  assert.equal(replacement.Slot, first!.Slot);
  assert.equal(replacement.ServiceVersion, 1);
  assert.equal(h.actions.filter((a) => a.type === 'startCopy').length, 4, 'one replacement, none for the restarting copy');
  assert.equal(h.snapshot.value, 'stable');
});

test(
  'start-first, Parallelism 1: one new copy at a time; the old one leaves the endpoints once the new one counts, and stops after the delay',
  { timeout: 10_000 },
  () => {
    const h = stable();
    h.command({ kind: 'update', definition: image(definition(), 'hello:2') });
    assert.equal(h.snapshot.value, 'deploying');
    assert.equal(h.service.Version, 2);
    assert.deepEqual(h.versions(), ['0:v1', '0:v2', '1:v1', '2:v1'], 'slot 0 gets a new copy; the old one serves meanwhile');
    let most = 0;
    for (let round = 0; round < 3; round++) {
      h.runPending();
      h.tick(10_000); // the new copy counts: the old one is drained, not yet stopped
      most = Math.max(most, h.live().length);
      const drained = [...h.snapshot.context.draining.keys()];
      assert.equal(drained.length, 1, `round ${round}: one old copy out of the endpoints`);
      h.tick(1_000); // ShutdownDelay
      h.confirmStops();
      most = Math.max(most, h.live().length);
    }
    h.tick(1_000);
    assert.equal(h.snapshot.value, 'stable');
    assert.equal(h.service.Deployment!.State, 'succeeded');
    assert.deepEqual(h.versions(), ['0:v2', '1:v2', '2:v2']);
    assert.ok(most <= 4, `never more than Count + Parallelism copies (saw ${most})`);
    assert.equal(h.service.Stable, 2);
  },
);

test('a rollout takes each step that waits on the clock when it is due, not at the next tick', { timeout: 10_000 }, () => {
  const h = stable();
  h.command({ kind: 'update', definition: image(definition(), 'hello:2') });
  const begin = Date.parse(h.at());
  const stops: number[] = [];
  for (let round = 0; round < 3; round++) {
    h.runPending(); // each new copy runs at once: it counts 10 s later (MinHealthy), and its old one stops 1 s after that
    h.advance(10_000);
    assert.equal(h.snapshot.context.draining.size, 1, `round ${round}: the old copy leaves the endpoints the moment the new one counts`);
    h.advance(1_000);
    const stop = h.actions.filter((a) => a.type === 'stopCopy').at(-1)!;
    stops.push(Date.parse(stop.params.at) - begin);
    h.confirmStops();
  }
  assert.deepEqual(stops, [11_000, 22_000, 33_000], 'each old copy stops when its ShutdownDelay ends, to the millisecond');
  assert.equal(h.snapshot.value, 'stable', 'done as the last old copy stops, with no tick from the manager');
  assert.deepEqual(h.versions(), ['0:v2', '1:v2', '2:v2']);
});

test('a copy that fails in the instant it is made (no worker has room) is made again at the next tick, not over and over', { timeout: 10_000 }, () => {
  const h = stable();
  const starts = () => h.actions.filter((a) => a.type === 'startCopy').length;
  h.fail(h.live()[0]!.ID);
  const replacement = h.actions.filter((a) => a.type === 'startCopy').at(-1)!.params.task as Task;
  // The manager cannot place it: it is Failed at once, in the same instant (the simulator's seed 53 spun here for good).
  h.change(replacement.ID, { StateName: 'failed', State: 4, Reason: 'no worker has room for the task' }, 'Not Placed');
  assert.equal(starts(), 4, 'no new copy in the instant the last one failed');
  h.tick(1000);
  assert.equal(starts(), 5, 'the next tick makes the slot a new copy');
  assert.equal(h.snapshot.value, 'stable');
});

test('stop-first: the old copy goes first, and the new one starts once it has', { timeout: 10_000 }, () => {
  const h = stable(definition({}, { Order: 'stop-first', Parallelism: 2 }));
  h.command({ kind: 'update', definition: image(definition({}, { Order: 'stop-first', Parallelism: 2 }), 'hello:2') });
  assert.deepEqual(h.versions(), ['0:v1', '1:v1', '2:v1'], 'nothing new before the old copies go');
  assert.equal(h.snapshot.context.draining.size, 2, 'two old copies leave the endpoints (Parallelism 2)');
  h.tick(1_000);
  h.confirmStops();
  assert.deepEqual(h.versions(), ['0:v2', '1:v2', '2:v1']);
  h.runPending();
  h.tick(10_000);
  h.tick(1_000);
  h.confirmStops();
  h.runPending();
  h.tick(10_000);
  assert.equal(h.snapshot.value, 'stable');
  assert.deepEqual(h.versions(), ['0:v2', '1:v2', '2:v2']);
});

/** An update to version 2 whose copy in slot 0 counted and whose copy in slot 1 failed: rolling back to version 1. */
function rollingBack() {
  const h = stable();
  h.command({ kind: 'update', definition: image(definition(), 'flaky:2') });
  h.runPending();
  h.tick(10_000); // slot 0's new copy counts, the old one is drained
  h.tick(1_000);
  h.confirmStops();
  assert.deepEqual(h.versions(), ['0:v2', '1:v1', '1:v2', '2:v1']);
  const second = h.live().find((t) => t.Slot === 1 && t.ServiceVersion === 2)!;
  h.run(second.ID);
  h.fail(second.ID);
  assert.equal(h.snapshot.value, 'rollingBack');
  return h;
}

/** Runs the new copies and lets the clock and the stops carry a rollout to its end. */
function finish(h: ReturnType<typeof harness>) {
  h.runPending();
  h.tick(10_000);
  h.tick(1_000);
  h.confirmStops();
  h.tick(1_000);
}

test('a new copy that fails before it counts rolls the service back: copies of the new version that had counted are replaced too', { timeout: 10_000 }, () => {
  const h = rollingBack();
  assert.equal(h.service.Version, 1);
  assert.equal(h.service.Deployment!.State, 'rolling-back');
  assert.match(h.service.Deployment!.Reason, /failed before it was healthy/);
  assert.deepEqual(h.versions(), ['0:v1', '0:v2', '1:v1', '2:v1'], 'slot 0 gets a copy of version 1 first (start-first)');
  finish(h);
  assert.equal(h.snapshot.value, 'stable');
  assert.equal(h.service.Deployment!.State, 'rolled-back');
  assert.deepEqual(h.versions(), ['0:v1', '1:v1', '2:v1']);
  assert.equal(h.service.Stable, 1);
  assert.ok(h.service.Events.some((e) => e.Type === 'Rolling Back'));
});

test(
  'a rollback waits for a copy that restarts before it counts (an engine restarted under it); one failed for good fails it (sim seed 487)',
  { timeout: 10_000 },
  () => {
    const h = rollingBack();
    const back = h.live().find((t) => t.ServiceVersion === 1 && t.StateName === 'pending')!;
    h.run(back.ID);
    h.change(back.ID, { StateName: 'restarting', RestartCount: 1 }, 'Terminated');
    assert.equal(h.snapshot.value, 'rollingBack', "a restart is its restart policy's business");
    h.run(back.ID);
    finish(h);
    assert.equal(h.snapshot.value, 'stable');
    assert.equal(h.service.Deployment!.State, 'rolled-back');

    const again = rollingBack();
    const lost = again.live().find((t) => t.ServiceVersion === 1 && t.StateName === 'pending')!;
    again.run(lost.ID);
    again.fail(lost.ID);
    assert.equal(again.snapshot.value, 'failed', 'failed for good (its restart limit reached), it fails the rollback');
    assert.match(again.service.Deployment!.Reason, /failed before it was healthy/);
  },
);

test('a command that comes long after the last event judges the copies it makes from its own time', { timeout: 10_000 }, () => {
  const h = stable();
  h.wait(30_000); // no tick meanwhile: the machine last heard of the time 30 s ago
  h.command({ kind: 'update', definition: image(definition(), 'broken:2') });
  const fresh = h.live().find((t) => t.ServiceVersion === 2)!;
  h.run(fresh.ID);
  h.fail(fresh.ID);
  assert.equal(h.snapshot.value, 'stable', 'rolled back at once: the old copies never left');
  assert.equal(h.service.Deployment!.State, 'rolled-back');
});

test('a copy change stamped before the command that made the copy does not turn the clock back: the history stays in order', { timeout: 10_000 }, () => {
  const h = stable();
  h.wait(900);
  h.command({ kind: 'update', definition: image(definition(), 'broken:2') });
  const fresh = h.live().find((t) => t.ServiceVersion === 2)!;
  // The manager stamps a copy's change with its last tick, which came before the command.
  const tick = new Date(Date.parse(h.at()) - 800).toISOString();
  const failed: Task = { ...fresh, StateName: 'failed', State: 4 };
  h.tasks.set(fresh.ID, failed);
  h.send({ type: 'copy.changed', report: { task: failed, stopping: false }, at: tick });
  assert.equal(h.service.Deployment!.State, 'rolled-back');
  const times = h.service.Events.map((e) => e.Time);
  assert.deepEqual(times, [...times].sort(), `newest last: ${JSON.stringify(h.service.Events)}`);
  assert.ok(h.service.Deployment!.Changed >= h.service.Deployment!.Started, 'the deployment ended after it started');
});

test('a new copy not healthy within HealthyDeadline fails the deployment; OnFailure pause stops there', { timeout: 10_000 }, () => {
  const def = definition({}, { OnFailure: 'pause', HealthyDeadline: '30s' });
  const h = stable(def);
  h.command({ kind: 'update', definition: image(def, 'slow:2') });
  h.tick(29_000);
  assert.equal(h.snapshot.value, 'deploying');
  h.tick(2_000);
  assert.equal(h.snapshot.value, 'paused');
  assert.equal(h.service.Deployment!.State, 'paused');
  assert.match(h.service.Deployment!.Reason, /HealthyDeadline/);
  const starts = h.actions.filter((a) => a.type === 'startCopy').length;
  h.tick(60_000);
  assert.equal(h.actions.filter((a) => a.type === 'startCopy').length, starts, 'a paused service starts nothing');
});

test('a first version that fails has nowhere to go back to: the service is failed, saying why', { timeout: 10_000 }, () => {
  const h = harness();
  h.fail(h.live()[0]!.ID);
  assert.equal(h.snapshot.value, 'failed');
  assert.equal(h.service.StateName, 'failed');
  assert.equal(h.service.Deployment!.State, 'failed');
});

test('scaling up starts the new slots at once; scaling down drains and stops the highest slots', { timeout: 10_000 }, () => {
  const h = stable();
  h.command({ kind: 'scale', count: 5 });
  assert.deepEqual(h.versions(), ['0:v1', '1:v1', '2:v1', '3:v1', '4:v1']);
  h.runPending();
  h.tick(10_000);
  h.command({ kind: 'scale', count: 2 });
  assert.deepEqual([...h.snapshot.context.draining.keys()].map((id) => h.tasks.get(id)!.Slot).sort(), [2, 3, 4]);
  h.tick(1_000);
  h.confirmStops();
  assert.deepEqual(h.versions(), ['0:v1', '1:v1']);
  assert.equal(h.service.Count, 2);
});

test('a copy drained for a scale down serves again when its slot is scaled back before it stops (sim seed 1221)', { timeout: 10_000 }, () => {
  const h = stable();
  const before = h.live().map((t) => t.ID);
  h.command({ kind: 'scale', count: 1 });
  assert.equal(h.snapshot.context.draining.size, 2, 'slots 1 and 2 are drained first');
  h.wait(500);
  h.command({ kind: 'scale', count: 3 });
  assert.equal(h.snapshot.context.draining.size, 0, 'back into the endpoints');
  h.tick(2_000);
  assert.equal(h.actions.filter((a) => a.type === 'stopCopy').length, 0, 'nothing is stopped');
  assert.deepEqual(
    h.live().map((t) => t.ID),
    before,
    'the same copies, none started',
  );
  assert.equal(h.snapshot.value, 'stable');
});

test('a slot scaled away and back during a rollout keeps both its old copy and its new one (sim seed 1716)', { timeout: 10_000 }, () => {
  const def = definition({}, { Parallelism: 2 });
  const h = stable(def);
  h.command({ kind: 'update', definition: image(def, 'hello:2') });
  h.runPending(); // slots 0 and 1 have their new copy Running, not yet counting
  h.wait(1_000);
  h.command({ kind: 'scale', count: 1 });
  h.wait(500);
  h.command({ kind: 'scale', count: 3 });
  h.tick(2_000);
  assert.equal(h.actions.filter((a) => a.type === 'stopCopy').length, 0, 'nothing is stopped before a new copy counts');
  assert.deepEqual(h.versions(), ['0:v1', '0:v2', '1:v1', '1:v2', '2:v1']);
  for (let i = 0; i < 4; i++) {
    h.tick(10_000);
    h.confirmStops();
    h.runPending();
  }
  assert.equal(h.snapshot.value, 'stable');
  assert.deepEqual(h.versions(), ['0:v2', '1:v2', '2:v2']);
});

test('a rollback asked of a stable service goes to the version that succeeded before; with none it is refused', { timeout: 10_000 }, () => {
  const h = stable();
  h.command({ kind: 'rollback' });
  assert.equal(h.snapshot.value, 'stable', 'nothing to go back to');
  h.command({ kind: 'update', definition: image(definition(), 'hello:2') });
  for (let i = 0; i < 3; i++) {
    h.runPending();
    h.tick(10_000);
    h.tick(1_000);
    h.confirmStops();
  }
  h.tick(1_000);
  assert.equal(h.service.Version, 2);
  assert.equal(h.snapshot.value, 'stable');
  h.command({ kind: 'rollback' });
  assert.equal(h.snapshot.value, 'rollingBack');
  assert.equal(h.service.Version, 1);
  for (let i = 0; i < 3; i++) {
    h.runPending();
    h.tick(10_000);
    h.tick(1_000);
    h.confirmStops();
  }
  h.tick(1_000);
  assert.equal(h.snapshot.value, 'stable');
  assert.deepEqual(h.versions(), ['0:v1', '1:v1', '2:v1']);
});

test('a command whose record cannot be written is answered 503 and changes nothing', { timeout: 10_000 }, () => {
  const h = stable();
  const failing = serviceMachine.provide({ actions: { persist: () => undefined } });
  // A snapshot carries the machine that made it: the one whose store fails resumes it.
  let [snapshot, actions] = transition(failing, failing.resolveState({ value: 'stable', context: h.snapshot.context }), {
    type: 'service.command',
    command: { kind: 'scale', count: 7 },
    at: h.at(),
    requestId: 'r9',
  });
  assert.ok(actions.some((a) => a.type === 'persist'));
  assert.equal(snapshot.context.pending?.requestId, 'r9');
  [snapshot, actions] = transition(failing, snapshot, { type: 'service.persisted', ok: false, problem: 'disk full' });
  assert.equal(snapshot.context.service.Count, 3);
  assert.equal(snapshot.context.pending, null);
  const emitted = actions.filter((a) => (a.type as string) === 'xstate.emit').map((a) => (a as any).params.event);
  const answer = emitted.find((e: any) => e.type === 'service.answered');
  assert.equal(answer?.requestId, 'r9');
  assert.equal(answer?.status, 503);
  assert.match(answer?.refusal, /could not store the scale of service web \(disk full\); nothing was done/);
});

test('a service restored mid-deployment resumes from its record and its copies', { timeout: 10_000 }, () => {
  const h = stable();
  h.command({ kind: 'update', definition: image(definition(), 'hello:2') });
  h.runPending();
  const service = h.service;
  const copies = [...h.tasks.values()].map((task) => ({ task, stopping: false }));
  const [restored, actions] = initialTransition(serviceMachine, { service, copies, at: h.at() });
  assert.equal(restored.value, 'deploying');
  assert.equal(actions.filter((a) => a.type === 'startCopy').length, 0, 'the copy it had asked for is there: nothing new');
  assert.deepEqual(
    [...restored.context.copies.values()].map((c) => c.StateName as StateName),
    ['running', 'running', 'running', 'running'],
  );
});

test('a service restored mid-deployment counts healthy time from its own start, not from records written before it (sim seed 205)', { timeout: 10_000 }, () => {
  const h = stable();
  h.command({ kind: 'update', definition: image(definition(), 'hello:2') });
  h.runPending();
  const fresh = [...h.tasks.values()].find((t) => t.ServiceVersion === 2)!;
  // The manager is killed 2 s into the new copy's MinHealthy, and starts again 15 s later: its record says
  // Running since then, but what happened meanwhile it learns only from the worker's listing, which may come later.
  h.wait(2_000);
  const copies = [...h.tasks.values()].map((task) => ({ task, stopping: false }));
  h.wait(15_000);
  const [restored, actions] = initialTransition(serviceMachine, { service: h.service, copies, at: h.at() });
  assert.deepEqual([...restored.context.counted], [], 'nothing counts on the record alone');
  assert.equal(actions.filter((a) => a.type === 'stopCopy').length, 0, 'no old copy is stopped for it');
  const early = transition(serviceMachine, restored, { type: 'tick', at: new Date(Date.parse(h.at()) + 9_000).toISOString() })[0];
  assert.deepEqual([...early.context.counted], [], 'MinHealthy (10 s) runs from the start');
  const later = transition(serviceMachine, early, { type: 'tick', at: new Date(Date.parse(h.at()) + 10_000).toISOString() })[0];
  assert.deepEqual([...later.context.counted], [fresh.ID], 'heard of nothing else, it counts MinHealthy after the start');
});

test('a service restored from a record older than what it announced goes on with a higher Revision (sim seed 2342)', { timeout: 10_000 }, () => {
  const h = stable();
  const announced = h.service.Revision;
  // The manager's disk refused the writes behind since the record it holds (Revision 1), then the manager was killed.
  const record = { ...h.service, Revision: 1 };
  const copies = [...h.tasks.values()].map((task) => ({ task, stopping: false }));
  const [restored] = initialTransition(serviceMachine, { service: record, copies, at: h.at() });
  assert.ok(restored.context.service.Revision > announced, `Revision ${restored.context.service.Revision} after the restart, ${announced} announced before it`);
});

test('the endpoints are the serving copies, without one that is drained', { timeout: 10_000 }, () => {
  const def = definition();
  const h = harness({ ...def, Task: { ...def.Task, ExposedPorts: { '80/tcp': {} } } });
  for (const task of h.live()) {
    h.send({
      type: 'copy.changed',
      report: {
        task: {
          ...task,
          StateName: 'running',
          Worker: 'w1',
          HostPorts: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: String(40000 + task.Slot) }] },
          Events: [{ Time: h.at(), Type: 'Started', Message: '' }],
        },
        stopping: false,
      },
      at: h.at(),
    });
  }
  assert.deepEqual(
    JSON.parse(h.snapshot.context.announced).map((e: any) => e.HostPort),
    ['40000', '40001', '40002'],
  );
  h.tick(10_000);
  h.command({ kind: 'scale', count: 2 });
  assert.deepEqual(
    JSON.parse(h.snapshot.context.announced).map((e: any) => e.HostPort),
    ['40000', '40001'],
    'slot 2 left the endpoints before its stop',
  );
});
