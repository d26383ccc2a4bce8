// A phase of the scale section (bench/scale.ts): the floor under the shape, one XState actor per live task.
import { fmt } from '../format.js';
import type { Json } from '../results.js';
import { phaseWhen } from './phase.js';

/** Scale, floor: what XState itself costs each live task, apart from the rest of Cube (bench/scale-floor.ts). */
export function scaleFloor(r: Json, x: Json, rows: string[]): string {
  rows.push(
    `| | the floor under the shape: heap of one task actor with its record, Running, as a worker spawns it (nothing else of Cube) | **${fmt(x.taskHeap)} B** (a one-state XState actor: ${fmt(x.bareHeap)} B) | none set (it bounds the heap figure: ${x.taskHeap > 4096 ? 'above' : 'below'} 4,096 B by itself) | no target |`,
  );
  const runs = x.runs.map((y: Json) => `| ${y.kind} | ${fmt(y.n)} | ${fmt(y.heapPerActorBytes)} B | ${y.microsPerTask} µs |`).join('\n');
  // The time a task may take at the rate the issue asks for: twice the baseline's at 10,000 (rates phase).
  const wanted = r.rates ? 2 * r.rates.baseline10k : undefined;
  const budget = wanted
    ? ` At the rate the issue asks for, ${fmt(wanted)} tasks/s (2× the baseline's ${fmt(r.rates.baseline10k)} at 10,000), a task may take ${fmt(1e6 / wanted, 0)} µs in all; spawning its actor and taking it to Running takes ${x.taskMicros} µs of them.`
    : '';
  return `### The floor under the shape: one XState actor per live task (${phaseWhen(x, r)})

**What it measures.** Cube's shape gives every task an XState actor for as long as it lives (docs/architecture.md §1), so no
Cube keeps a live task in less heap than that actor. In a process of its own, with nothing but XState and Cube's machines,
${fmt(x.n)} actors are spawned in shards of 64 and kept; heap per actor is the V8 heap after a full GC less before, over N
(bench/scale-floor.ts). ${x.runs.length / 3} rounds, a fresh process each; medians.

| what is spawned | heap per live actor | spawn → Running |
|---|---:|---:|
| a one-state machine with an empty context (XState's least) | ${fmt(x.bareHeap)} B | |
| Cube's task machine with its record, Running, by Cube's shard machine (snapshot sync on, as a worker spawns it) | **${fmt(x.taskHeap)} B** | ${x.taskMicros} µs |
| the same without the snapshot sync (a worker would not hear its tasks) | ${fmt(x.taskHeapWithoutSync)} B | |

The task actors alone take ${fmt(x.taskHeap)} B per live task, against the issue's 4,096 B for all of Cube: the worker's
index of its tasks, the manager's copy of each record, its listing order and the change logs come on top.${budget}

<details><summary>Every run</summary>

| what | actors | heap per actor | µs per actor |
|---|---:|---:|---:|
${runs}

</details>
`;
}
