// Model-based coverage of the task machine with xstate/graph: explore every
// reachable (state, event) pair, then assert that every state node and every
// transition the machine defines (evented and eventless) was taken at least
// once. When someone adds a transition without a way to reach it, this fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getInitialMicrosteps, getMicrosteps, initialTransition, transition, type ActorLogic, type AnyStateNode } from 'xstate';
import { getAdjacencyMap, getShortestPaths, type AdjacencyValue } from 'xstate/graph';
import { taskMachine, type TaskInput, type TaskMachineEvent, type TaskPolicy, type TaskSnapshot } from '../../machines/task.js';

// The graph functions take plain actor logic; the machine is one.
const logic = taskMachine as unknown as ActorLogic<TaskSnapshot, TaskMachineEvent, TaskInput>;
import { newTask, stateLabels, type StateName } from '../../src/vocabulary/task.js';

// A small policy keeps the explored space small: one restart, two probes.
const policy: TaskPolicy = { restartLimit: 1, restartDelayMs: 10, restartDelayMaxMs: 10, healthFailures: 2 };
const at = '2026-01-01T00:00:00Z';
const container = 'c0ffee000000';

/** Every event a task can receive in a state: commands, facts, and its own actors' results. */
function eventsFor(snapshot: TaskSnapshot): TaskMachineEvent[] {
  const events: object[] = [
    { type: 'schedule', worker: 'w1', at },
    { type: 'unschedulable', reason: 'nothing fits', at },
    { type: 'stop', at },
    { type: 'restart', task: newTask({ ID: 't', Name: 'web', Image: 'img2', Placement: 'p2' }), at },
    { type: 'progress', message: 'pulling', at },
    { type: 'container.exited', containerId: container, exitCode: 1, oom: false, outside: false, at },
    { type: 'container.exited', containerId: container, exitCode: 0, oom: false, outside: false, at },
    { type: 'container.exited', containerId: 'stale', exitCode: 1, oom: false, outside: false, at },
    { type: 'container.missing', containerId: container, at },
    { type: 'container.paused', containerId: container, paused: true, at },
    { type: 'health.passed', at },
    { type: 'health.failed', reason: 'answered 500', at },
  ];
  // Results of invoked actors can only arrive while they run.
  if (snapshot.matches('scheduled')) {
    events.push(
      { type: 'xstate.done.actor.start', output: { containerId: container, hostPorts: null, startedAt: at, notes: ['a note'] } },
      { type: 'xstate.error.actor.start', error: { message: 'no such image', at } },
      { type: 'xstate.error.actor.start', error: { message: 'exited as soon as it started, with code 0', at, exitCode: 0, containerId: container } },
    );
  }
  if (snapshot.matches('stopping')) {
    events.push({ type: 'xstate.done.actor.remove', output: { at } }, { type: 'xstate.error.actor.remove', error: { message: 'docker down', at } });
  }
  if (snapshot.matches({ failed: 'restarting' })) events.push({ type: 'xstate.after.restartDelay.task.failed.restarting' });
  if (snapshot.matches({ failed: 'resuming' })) events.push({ type: 'xstate.after.restartDelay.task.failed.resuming' });
  return events as TaskMachineEvent[];
}

// The state space is finite once the growing history is left out of the key.
const serializeState = (s: TaskSnapshot) =>
  JSON.stringify([
    s.value,
    s.context.task.RestartCount,
    s.context.healthFailures,
    s.context.task.ContainerID,
    s.context.task.HealthCheck,
    s.context.failure?.kind,
  ]);

const entries: Array<{ name: string; fields: object }> = [
  { name: 'new task', fields: {} },
  { name: 'new task with a health check', fields: { HealthCheck: '/health', ExposedPorts: { '80/tcp': {} } } },
  ...(['scheduled', 'running', 'stopping', 'completed', 'failed', 'restarting'] as StateName[]).map((StateName) => ({
    name: `restored ${StateName}`,
    fields: { StateName, ContainerID: container, RestartCount: 0 },
  })),
];
const inputFor = (fields: object) => ({ task: newTask({ ID: 't', Name: 'web', Image: 'img', ...fields }), policy });

/** All state nodes and all transition definitions, keyed `source|event|index`. */
function definedTransitions() {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode) => {
    nodes.push(node);
    Object.values(node.states).forEach(visit);
  };
  visit(taskMachine.root);
  const keys = new Set<string>();
  for (const node of nodes) {
    for (const [eventType, list] of node.transitions) list.forEach((_, i) => keys.add(`${node.id}|${eventType}|${i}`));
    (node.always ?? []).forEach((_, i) => keys.add(`${node.id}|always|${i}`));
  }
  return { nodes, keys };
}

const keyOf = (t: { source: AnyStateNode; eventType: string }) => {
  const list = t.eventType === '' ? t.source.always! : t.source.transitions.get(t.eventType)!;
  return `${t.source.id}|${t.eventType === '' ? 'always' : t.eventType}|${list.indexOf(t as never)}`;
};

/** The eventless transitions taken between two microsteps: the `always` whose target became active. */
function eventlessTaken(before: TaskSnapshot, after: TaskSnapshot, taken: Set<string>) {
  for (const node of before._nodes) {
    (node.always ?? []).forEach((t, i) => {
      const targets = t.target ?? [];
      if (targets.length > 0 && targets.every((target) => after._nodes.includes(target))) taken.add(`${node.id}|always|${i}`);
    });
  }
}

test('every state and every transition of the task machine is reachable', { timeout: 10_000 }, () => {
  const { nodes, keys } = definedTransitions();
  const visited = new Set<string>();
  const taken = new Set<string>();
  for (const entry of entries) {
    const input = inputFor(entry.fields);
    // The initial microsteps walk the boot router.
    const initial = getInitialMicrosteps(taskMachine, input).map(([snapshot]) => snapshot);
    initial.forEach((snapshot, i) => {
      snapshot._nodes.forEach((n) => visited.add(n.id));
      if (i > 0) eventlessTaken(initial[i - 1]!, snapshot, taken);
    });
    const adjacency = getAdjacencyMap(logic, { input, events: eventsFor, serializeState });
    for (const { state, transitions } of Object.values(adjacency) as AdjacencyValue<TaskSnapshot, TaskMachineEvent>[]) {
      state._nodes.forEach((n) => visited.add(n.id));
      for (const { event } of Object.values(transitions)) {
        for (const t of taskMachine.getTransitionData(state, event)) taken.add(keyOf(t));
        let previous = state;
        for (const [micro] of getMicrosteps(taskMachine, state, event)) {
          micro._nodes.forEach((n) => visited.add(n.id));
          eventlessTaken(previous, micro, taken);
          previous = micro;
        }
      }
    }
  }
  const missingStates = nodes.map((n) => n.id).filter((id) => !visited.has(id));
  const missingTransitions = [...keys].filter((k) => !taken.has(k));
  assert.deepEqual(missingStates, [], 'states never reached');
  assert.deepEqual(missingTransitions, [], 'transitions never taken');
  // The enumeration itself must see evented, eventless and delayed transitions.
  for (const known of ['task.running|stop|0', 'task.failed.deciding|always|1', 'task.failed.restarting|xstate.after.restartDelay.task.failed.restarting|0']) {
    assert.ok(keys.has(known), `${known} is enumerated`);
  }
});

test('on every shortest path, State and StateName agree and history stays bounded', { timeout: 10_000 }, () => {
  for (const entry of entries) {
    const input = inputFor(entry.fields);
    const paths = getShortestPaths(logic, { input, events: eventsFor, serializeState });
    assert.ok(paths.length > 0);
    for (const path of paths) {
      let [snapshot] = initialTransition(taskMachine, input);
      for (const step of path.steps) {
        [snapshot] = transition(taskMachine, snapshot, step.event);
        const task = snapshot.context.task;
        const top = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]!;
        if (top !== 'stopping') assert.equal(stateLabels[task.State].toLowerCase(), top, `${entry.name}: ${path.steps.map((s) => s.event.type).join(' → ')}`);
        assert.ok(task.Events.length <= 20);
        if (task.State === 2) assert.notEqual(task.ContainerID, '', 'a Running task has a container');
      }
    }
  }
});
