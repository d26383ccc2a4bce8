// The floor phase of bench/scale.ts: what XState itself costs each live task,
// measured apart from the rest of Cube. Cube's shape (docs/architecture.md
// §1) gives every task an XState actor for as long as it lives, so no Cube
// can keep a live task in less heap than its actor takes. In a process of its
// own (a clean heap; --expose-gc), with nothing but XState and Cube's
// machines in it, N actors are spawned in shards of 64 and kept:
// - bare: a one-state machine with an empty context, spawned as a child: the
//   least any XState actor costs;
// - task: Cube's task machine, each with its own record, spawned by Cube's
//   shard machine exactly as a worker spawns it (snapshot sync to the shard)
//   and taken to Running by its `schedule` event over a stand-in runtime that
//   keeps nothing (no container, no timer: its start only answers with an ID);
// - task without sync: the same, with no snapshot sync (a worker would then
//   not hear its tasks): what the sync adds.
// Heap per actor is the V8 heap after a full GC, all N live, less before,
// over N; µs per task is spawn → all Running, the XState share of a rate.
//
//   node --import tsx bench/scale.ts --phases floor [--floor-tasks 10000] [--rounds 3]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createActor, enqueueActions, setup, type AnyActorLogic, type AnyActorRef } from 'xstate';
import { shardMachine } from '../machines/shard.js';
import type { TaskPolicy } from '../machines/task.js';
import type { ContainerRuntime } from '../src/runtime/types.js';
import type { Started } from '../src/vocabulary/runtime.js';
import { taskLogic } from '../src/worker/logic.js';
import { newTask, type Task } from '../src/vocabulary/task.js';
import { median, round } from './lib.js';

export type FloorKind = 'bare' | 'task' | 'task without sync';
const KINDS: FloorKind[] = ['bare', 'task', 'task without sync'];
const SHARD_SIZE = 64;
const WORKER = 'floor';
const policy: TaskPolicy = { restartLimit: 0, restartDelayMs: 0, restartDelayMaxMs: 0, healthFailures: 3 };

interface FloorRun {
  kind: FloorKind;
  n: number;
  heapPerActorBytes: number;
  microsPerTask: number;
}

const gc = () => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('the floor phase needs --expose-gc');
  collect();
  collect();
};

/** A machine that holds shards and hears their tasks, as a worker does, and decides nothing. */
function hostOf(shard: AnyActorLogic, onChanged: (task: Task) => void) {
  return setup({ actors: { shard }, types: { events: {} as { type: 'open'; id: string } | { type: 'task.changed'; task: Task } } }).createMachine({
    on: {
      open: { actions: enqueueActions(({ enqueue, event }) => enqueue.spawnChild('shard', { id: event.id, input: { worker: WORKER, policy } })) },
      'task.changed': { actions: ({ event }) => onChanged(event.task) },
    },
  });
}

/** A shard of one-state machines with an empty context: one for each task it is given. */
function bareShard() {
  const bare = setup({}).createMachine({ id: 'bare', initial: 'idle', states: { idle: {} } });
  return setup({ actors: { bare }, types: { events: {} as { type: 'shard.spawn'; task: Task } } }).createMachine({
    on: { 'shard.spawn': { actions: enqueueActions(({ enqueue, event }) => enqueue.spawnChild('bare', { id: `bare:${event.task.ID}` })) } },
  });
}

/** A stand-in engine that only starts, and keeps nothing: what it holds is not a task's. */
function startOnly(): ContainerRuntime {
  let next = 0;
  const start = async (): Promise<Started> => ({
    containerId: (next++).toString(16).padStart(64, '0'),
    hostPorts: null,
    startedAt: new Date().toISOString(),
    notes: [],
  });
  return { start } as unknown as ContainerRuntime;
}

/** Cube's shard machine, its task actors made by Cube's task logic; `sync` false turns the snapshot sync off. */
function cubeShard(sync: boolean) {
  const runtime = startOnly();
  const task = taskLogic(() => runtime, { intervalMs: 60_000, timeoutMs: 1000 });
  if (sync) return shardMachine.provide({ actors: { task } });
  type Spawn = { type: 'shard.spawn'; task: Task; first?: { type: 'schedule'; worker: string; at: string } };
  return setup({ actors: { task }, types: { events: {} as Spawn } }).createMachine({
    on: {
      'shard.spawn': {
        actions: enqueueActions(({ enqueue, event }) => {
          const id = `task:${event.task.ID}@${WORKER}`;
          enqueue.spawnChild('task', { id, input: { task: event.task, policy } });
          if (event.first) enqueue.sendTo(id, event.first);
        }),
      },
    },
  });
}

async function measure(kind: FloorKind, n: number): Promise<FloorRun> {
  const at = new Date().toISOString();
  let running = 0;
  let allRunning: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allRunning = resolve));
  const shard = kind === 'bare' ? bareShard() : cubeShard(kind === 'task');
  const host = createActor(
    hostOf(shard, (task) => {
      if (task.StateName === 'running' && ++running === n) allRunning();
    }),
  ).start();
  gc();
  const before = process.memoryUsage().heapUsed;
  const begin = performance.now();
  for (let i = 0; i < n; i++) {
    const id = `t${String(i).padStart(20, '0')}`;
    const s = Math.floor(i / SHARD_SIZE);
    if (i % SHARD_SIZE === 0) host.send({ type: 'open', id: `shard-${s}` });
    const to = (host.getSnapshot() as { children: Record<string, AnyActorRef> }).children[`shard-${s}`]!;
    const task = newTask({ ID: id, Name: `floor-${i}`, Image: 'strm/helloworld-http', Placement: `floor.${i}` });
    to.send({ type: 'shard.spawn', task: { ...task, Worker: WORKER }, first: { type: 'schedule', worker: WORKER, at } });
    // Let the starts finish as they would between requests, so they do not all wait at once.
    if (i % SHARD_SIZE === SHARD_SIZE - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  // The stand-in's starts answer in microtasks: one turn of the loop runs the last of them.
  if (kind === 'task') await done;
  else await new Promise((resolve) => setImmediate(resolve));
  const micros = ((performance.now() - begin) * 1000) / n;
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  if (kind === 'task without sync') {
    // No sync to hear Running by: every task actor is looked at instead.
    const children = (actor: AnyActorRef) => Object.values((actor.getSnapshot() as { children: Record<string, AnyActorRef> }).children);
    const states = children(host).flatMap((shard) => children(shard).map((task) => (task.getSnapshot() as { context: { task: Task } }).context.task.StateName));
    const notRunning = states.filter((state) => state !== 'running');
    if (states.length !== n || notRunning.length > 0) {
      throw new Error(
        `${notRunning.length} of ${states.length} tasks without sync are not running (${notRunning[0]}): the floor would be measured on the wrong state`,
      );
    }
  }
  host.stop();
  return { kind, n, heapPerActorBytes: Math.round(heap / n), microsPerTask: round(micros, 1) };
}

/** In the child process: one run of each kind, in the order given, printed as JSON. */
async function child(n: number, order: FloorKind[]) {
  await measure('task', Math.min(n, 2000)); // warm: the code of each path compiled before it counts
  await measure('bare', Math.min(n, 2000));
  await measure('task without sync', Math.min(n, 2000));
  const runs: FloorRun[] = [];
  for (const kind of order) runs.push(await measure(kind, n));
  process.send!(runs);
}

/** Runs each kind `rounds` times (a fresh process a round, the order turned each time); medians. */
export async function floor(n: number, rounds: number) {
  const runs: FloorRun[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? KINDS : [...KINDS].reverse();
    const proc = fork(fileURLToPath(import.meta.url), ['--child', String(n), order.join(',')], { execArgv: ['--import', 'tsx', '--expose-gc'] });
    const got = await new Promise<FloorRun[]>((resolve, reject) => {
      proc.once('message', (message) => resolve(message as FloorRun[]));
      proc.once('exit', (code) => reject(new Error(`the floor process ended with ${code} before it answered`)));
    });
    proc.kill();
    for (const run of got) console.log(`  floor ${run.kind.padEnd(18)} ${run.n} actors: heap ${run.heapPerActorBytes} B each; ${run.microsPerTask} µs each`);
    runs.push(...got);
  }
  const of = (kind: FloorKind, key: 'heapPerActorBytes' | 'microsPerTask') => median(runs.filter((r) => r.kind === kind).map((r) => r[key]));
  return {
    n,
    bareHeap: Math.round(of('bare', 'heapPerActorBytes')),
    taskHeap: Math.round(of('task', 'heapPerActorBytes')),
    taskHeapWithoutSync: Math.round(of('task without sync', 'heapPerActorBytes')),
    taskMicros: round(of('task', 'microsPerTask'), 1),
    runs,
  };
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]), process.argv[4]!.split(',') as FloorKind[]);
