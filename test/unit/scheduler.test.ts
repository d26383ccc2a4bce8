// Pure tests of src/scheduler: the held sums, the resource filter and its
// messages, round robin, the E-PVM cost and choice, and picking a scheduler by
// name. No manager, network or clock: candidates are built by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkerStats } from '../../src/vocabulary/protocol.js';
import {
  emptyHeld,
  epvm,
  epvmCost,
  holdTask,
  LIEB,
  filterCandidates,
  filters,
  noFit,
  nominalDemand,
  roundRobin,
  schedulerByName,
  shortage,
  type Candidate,
  type Held,
  type Scheduler,
} from '../../src/scheduler/index.js';
import { newTask, type Task } from '../../src/vocabulary/task.js';
import { workerStats } from '../helpers/stats.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const aTask = (fields: Partial<Task> = {}): Task => newTask({ ID: 't1', Name: 'web', Image: 'strm/helloworld-http', ...fields });

/** A worker with 4 idle CPUs, 8 GiB of memory all available and 100 GiB of disk all free. */
function worker(name: string, stats: Partial<WorkerStats> = {}, held: Partial<Held> = {}): Candidate {
  return { name, stats: workerStats(name, stats), held: { ...emptyHeld(), ...held } };
}

/** Places `count` tasks one after another, recording each on its worker as the manager would. */
function placeMany(scheduler: Scheduler, task: Task, candidates: Candidate[], count: number) {
  let memo: unknown;
  const picks: string[] = [];
  for (let i = 0; i < count; i++) {
    const placement = scheduler.pick(task, candidates, memo);
    assert.notEqual(placement.worker, null, placement.reason);
    const chosen = candidates.find((c) => c.name === placement.worker)!;
    chosen.held = holdTask(chosen.held, task, 1);
    memo = placement.memo;
    picks.push(placement.worker!);
  }
  return picks;
}

const tally = (picks: string[]) => {
  const counts: Record<string, number> = {};
  for (const name of picks) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};

// --- held ---------------------------------------------------------------

test('holdTask adds a task and removes it symmetrically, returning new objects', { timeout: 10_000 }, () => {
  const task = aTask({ Cpu: 1.5, Memory: 512 * MiB, Disk: GiB });
  const before = emptyHeld();
  const added = holdTask(before, task, 1);
  assert.deepEqual(added, { cpu: 1.5, memory: 512 * MiB, disk: GiB, tasks: 1, nominalCpu: 1.5, nominalMemory: 512 * MiB });
  assert.notEqual(added, before);
  assert.deepEqual(before, emptyHeld(), 'the input is untouched');
  const removed = holdTask(added, task, -1);
  assert.deepEqual(removed, emptyHeld());
  assert.notEqual(removed, added);
  assert.equal(added.tasks, 1, 'removing did not change the object it was given');
});

test('fractional CPUs added and removed in another order come back to exactly zero', { timeout: 10_000 }, () => {
  const tasks = [0.1, 0.2, 0.7, 0.3].map((Cpu, i) => aTask({ ID: `t${i}`, Cpu }));
  let held = emptyHeld();
  for (const task of tasks) held = holdTask(held, task, 1);
  assert.equal(held.cpu, 1.3);
  for (const task of [...tasks].reverse().slice(0, 2).concat(tasks.slice(0, 2))) held = holdTask(held, task, -1);
  assert.deepEqual(held, emptyHeld());
});

test('a task that asks for nothing holds nothing but counts nominally', { timeout: 10_000 }, () => {
  const held = holdTask(emptyHeld(), aTask(), 1);
  assert.deepEqual(held, { cpu: 0, memory: 0, disk: 0, tasks: 1, nominalCpu: 0.1, nominalMemory: 64 * MiB });
});

test('nominalDemand is the task asks, or 0.1 CPU and 64 MiB where it asks nothing', { timeout: 10_000 }, () => {
  assert.deepEqual(nominalDemand(aTask()), { cpu: 0.1, memory: 64 * MiB });
  assert.deepEqual(nominalDemand(aTask({ Cpu: 2 })), { cpu: 2, memory: 64 * MiB });
  assert.deepEqual(nominalDemand(aTask({ Memory: GiB })), { cpu: 0.1, memory: GiB });
  assert.deepEqual(nominalDemand(aTask({ Cpu: 0.25, Memory: 6 * MiB })), { cpu: 0.25, memory: 6 * MiB });
});

// --- fit ----------------------------------------------------------------

test('shortage of CPU names the worker, what is unreserved of how many CPUs, and the ask', { timeout: 10_000 }, () => {
  const w2 = worker('w2', { CpuCount: 2 }, { cpu: 1.5 });
  assert.equal(shortage(aTask({ Cpu: 1.5 }), w2), 'w2 has 0.5 of 2 CPUs unreserved, the task asks 1.5');
  assert.equal(shortage(aTask({ Cpu: 0.5 }), w2), undefined, 'exactly what is left fits');
  const one = worker('w1', { CpuCount: 1 }, { cpu: 1 });
  assert.equal(shortage(aTask({ Cpu: 0.5 }), one), 'w1 has none of 1 CPU unreserved, the task asks 0.5');
});

test('CPU fit tolerates floating-point sums: 1 CPU minus 0.7 and 0.2 still takes 0.1', { timeout: 10_000 }, () => {
  let held = emptyHeld();
  held = holdTask(held, aTask({ Cpu: 0.7 }), 1);
  held = holdTask(held, aTask({ Cpu: 0.2 }), 1);
  const w1 = worker('w1', { CpuCount: 1 }, held);
  assert.equal(shortage(aTask({ Cpu: 0.1 }), w1), undefined);
  assert.match(shortage(aTask({ Cpu: 0.11 }), w1) ?? '', /w1 has 0\.1 of 1 CPU unreserved, the task asks 0\.11/);
});

test('amounts that would round to the same text get more digits', { timeout: 10_000 }, () => {
  const w1 = worker('w1', { CpuCount: 2 }, { cpu: 0.501 });
  assert.equal(shortage(aTask({ Cpu: 1.5 }), w1), 'w1 has 1.499 of 2 CPUs unreserved, the task asks 1.5');
  const m = worker('w1', { MemoryTotal: 4 * GiB }, { memory: 2 * GiB + 10 * MiB });
  assert.equal(shortage(aTask({ Memory: 2 * GiB }), m), 'w1 has 1.99 GiB of 4 GiB memory unreserved, the task asks 2 GiB');
});

test('shortage of memory is in GiB or MiB, with one decimal when needed', { timeout: 10_000 }, () => {
  const w1 = worker('w1', { MemoryTotal: 4 * GiB }, { memory: 4 * GiB - Math.round(1.2 * GiB) });
  assert.equal(shortage(aTask({ Memory: 2 * GiB }), w1), 'w1 has 1.2 GiB of 4 GiB memory unreserved, the task asks 2 GiB');
  const small = worker('w1', { MemoryTotal: 4 * GiB }, { memory: 4 * GiB - 512 * MiB });
  assert.equal(shortage(aTask({ Memory: 768 * MiB }), small), 'w1 has 512 MiB of 4 GiB memory unreserved, the task asks 768 MiB');
  assert.equal(shortage(aTask({ Memory: 512 * MiB }), small), undefined);
});

test('memory fit counts what Cube reserved, not what the machine reports available', { timeout: 10_000 }, () => {
  const busy = worker('w1', { MemoryTotal: 4 * GiB, MemoryAvailable: 100 * MiB });
  assert.equal(shortage(aTask({ Memory: 2 * GiB }), busy), undefined);
});

test('shortage of disk compares with free disk less what tasks reserve', { timeout: 10_000 }, () => {
  const w1 = worker('w1', { DiskTotal: 100 * GiB, DiskFree: 10 * GiB }, { disk: 9 * GiB });
  assert.equal(shortage(aTask({ Disk: 2.5 * GiB }), w1), 'w1 has 1 GiB of 100 GiB disk free and unreserved, the task asks 2.5 GiB');
  assert.equal(shortage(aTask({ Disk: GiB }), w1), undefined);
});

test('a worker whose container engine is down fits nothing, and says why', { timeout: 10_000 }, () => {
  const w3 = worker('w3', { Runtime: 'down', RuntimeProblem: 'cannot reach /var/run/docker.sock; is Docker running?' });
  assert.equal(
    epvm.pick(aTask(), [w3, worker('w4', { Runtime: 'down' })], undefined).reason,
    'no worker can take the task: 2 workers: 2 with its container engine down (w3: cannot reach /var/run/docker.sock; is Docker running?; w4)',
  );
});

// --- constraints and spread ---------------------------------------------

const labelled = (name: string, labels: Record<string, string>, stats: Partial<WorkerStats> = {}): Candidate => ({ ...worker(name, stats), labels });

test('constraints filter workers by label and by Name, with ==, !=, in and not in', { timeout: 10_000 }, () => {
  const pool = [labelled('w1', { zone: 'a', disk: 'ssd' }), labelled('w2', { zone: 'b', disk: 'hdd' }), labelled('w3', {})];
  const fits = (...Constraints: string[]) =>
    filterCandidates(aTask({ Constraints }), pool)
      .fitting.map((c) => c.name)
      .join(',');
  assert.equal(fits('zone==b'), 'w2');
  assert.equal(fits('disk!=hdd'), 'w1,w3', 'a worker without the label is not hdd');
  assert.equal(fits('Name==w3'), 'w3');
  assert.equal(fits('zone in (a, b)'), 'w1,w2');
  assert.equal(fits('zone not in (a)'), 'w2,w3');
  assert.equal(fits('zone in (a,b)', 'disk==ssd'), 'w1', 'every constraint must hold');
  assert.equal(fits('zone==c'), '');
});

test('a task no worker can take gets the reasons counted: filtered by a constraint, short of memory', { timeout: 10_000 }, () => {
  const pool = [labelled('w1', { zone: 'b' }), labelled('w2', { zone: 'b' }), labelled('w3', { zone: 'a' }, { MemoryTotal: 8 * GiB })];
  pool[2]!.held = { ...emptyHeld(), memory: 6 * GiB };
  const placement = epvm.pick(aTask({ Constraints: ['zone==a'], Memory: 6 * GiB }), pool, undefined);
  assert.deepEqual(placement.worker, null);
  assert.equal(
    placement.reason,
    'no worker can take the task: 3 workers: 2 filtered by zone==a, 1 short of memory (w3 has 2 GiB of 8 GiB memory unreserved, the task asks 6 GiB)',
  );
});

test('a service with Spread puts its copy in the label value with the fewest copies, counting workers that are full', { timeout: 10_000 }, () => {
  const copy = aTask({ Service: 'web', Spread: 'zone' });
  const a1 = { ...labelled('a1', { zone: 'a' }), copies: 1 };
  const a2 = { ...labelled('a2', { zone: 'a' }), copies: 0 };
  const b1 = { ...labelled('b1', { zone: 'b' }), copies: 0 };
  for (const scheduler of [epvm, roundRobin]) {
    const placed = scheduler.pick(copy, [a1, a2, b1], undefined);
    assert.equal(placed.worker, 'b1', placed.reason);
    assert.match(placed.reason, /spread over zone: zone=b has the fewest copies \(a 1, b 0\)/);
  }
  // b's only worker cannot take it: zone a still has a worker with room.
  const bFull = { ...b1, stats: workerStats('b1', { MemoryTotal: GiB }) };
  assert.equal(epvm.pick({ ...copy, Memory: 2 * GiB }, [a1, a2, bFull], undefined).worker, 'a2');
  // Without Spread, copies go apart by worker.
  assert.equal(epvm.pick({ ...copy, Spread: '' }, [a1, { ...a2, copies: 1 }, { ...b1, copies: 1 }, labelled('c', {})], undefined).worker, 'c');
});

test('a task that asks nothing fits a worker whose reservations are all taken', { timeout: 10_000 }, () => {
  const full = worker('w1', { CpuCount: 1, MemoryTotal: GiB, DiskFree: GiB }, { cpu: 1, memory: GiB, disk: GiB });
  assert.equal(shortage(aTask(), full), undefined);
});

test('a worker short of several resources gets one clause for each', { timeout: 10_000 }, () => {
  const w1 = worker('w1', { CpuCount: 2, MemoryTotal: 4 * GiB }, { cpu: 2, memory: 3 * GiB });
  assert.equal(
    shortage(aTask({ Cpu: 1, Memory: 2 * GiB }), w1),
    'w1 has none of 2 CPUs unreserved, the task asks 1; w1 has 1 GiB of 4 GiB memory unreserved, the task asks 2 GiB',
  );
});

test('a worker that does not know its CPU count takes CPU asks unchecked; a book worker takes no Env or Cmd', { timeout: 10_000 }, () => {
  const counting = worker('b1', { CpuCount: 0, Protocol: 'book' });
  assert.equal(shortage(aTask({ Cpu: 8 }), counting), undefined, 'a book worker before its CPU count is known');
  assert.equal(shortage(aTask({ Cpu: 8 }), worker('b1', { CpuCount: 2, Protocol: 'book' })), 'b1 has 2 of 2 CPUs unreserved, the task asks 8');
  assert.equal(epvm.pick(aTask({ Env: ['A=1'] }), [counting], undefined).worker, null, 'no Env for a book worker');
  assert.equal(epvm.pick(aTask({ Env: ['A=1'] }), [worker('w1', { Protocol: 'cube' })], undefined).worker, 'w1');
  const placed = epvm.pick(aTask({ Env: ['A=1'] }), [counting, worker('w2', { CpuUsage: 0.9 })], undefined);
  assert.equal(placed.worker, 'w2', 'E-PVM gives a task with Env to the Cube worker, however busy');
  assert.equal(
    epvm.pick(aTask({ Cmd: ['true'] }), [counting], undefined).reason,
    "no worker can take the task: 1 worker: 1 speaking the book's protocol, which cannot carry the task's Cmd",
  );
});

test('filterCandidates splits the fitting from the rejected, and noFit counts the rejections by why', { timeout: 10_000 }, () => {
  const task = aTask({ Cpu: 2 });
  const w1 = worker('w1', { CpuCount: 1 });
  const w2 = worker('w2');
  const w3 = worker('w3', { Runtime: 'down', RuntimeProblem: 'engine stopped' });
  const w4 = { ...worker('w4', { CpuCount: 1 }), unavailable: 'down' };
  const { fitting, rejected } = filterCandidates(task, [w1, w2, w3, w4]);
  assert.deepEqual(fitting, [w2]);
  assert.equal(
    noFit(4, rejected),
    'no worker can take the task: 4 workers: 1 short of CPU (w1 has 1 of 1 CPU unreserved, the task asks 2), ' +
      '1 with its container engine down (w3: engine stopped), 1 down (w4)',
  );
  assert.equal(noFit(0, []), 'no worker can take the task: there are no workers');
});

// --- round robin --------------------------------------------------------

test('round robin cycles w1, w2, w3, w1 whatever order the workers are listed in', { timeout: 10_000 }, () => {
  for (const order of [
    ['w3', 'w1', 'w2'],
    ['w1', 'w2', 'w3'],
    ['w2', 'w3', 'w1'],
  ]) {
    const picks = placeMany(
      roundRobin,
      aTask(),
      order.map((n) => worker(n)),
      4,
    );
    assert.deepEqual(picks, ['w1', 'w2', 'w3', 'w1'], `listed as ${order.join(',')}`);
  }
});

test('round robin orders names with numbers as numbers, and says what it did', { timeout: 10_000 }, () => {
  const candidates = ['w10', 'w2', 'w1'].map((n) => worker(n));
  const first = roundRobin.pick(aTask(), candidates, undefined);
  assert.deepEqual(first, { worker: 'w1', reason: 'round robin: first in name order', memo: 'w1' });
  const second = roundRobin.pick(aTask(), candidates, first.memo);
  assert.deepEqual(second, { worker: 'w2', reason: 'round robin: next after w1', memo: 'w2' });
  assert.equal(roundRobin.pick(aTask(), candidates, second.memo).worker, 'w10');
  assert.equal(roundRobin.pick(aTask(), candidates, 'w10').worker, 'w1', 'wraps around');
});

test('round robin skips a worker that does not fit', { timeout: 10_000 }, () => {
  const candidates = [worker('w1'), worker('w2', { CpuCount: 1 }), worker('w3')];
  const placement = roundRobin.pick(aTask({ Cpu: 2 }), candidates, 'w1');
  assert.deepEqual(placement, { worker: 'w3', reason: 'round robin: next after w1, skipping w2 (filtered out)', memo: 'w3' });
  assert.equal(roundRobin.pick(aTask({ Cpu: 2 }), candidates, 'w3').worker, 'w1');
});

test('round robin continues after a last pick that has since left', { timeout: 10_000 }, () => {
  const candidates = [worker('w1'), worker('w3')];
  assert.equal(roundRobin.pick(aTask(), candidates, 'w2').worker, 'w3');
  assert.equal(roundRobin.pick(aTask(), candidates, 'w9').worker, 'w1');
});

test('round robin returns worker null with the shortages when none fits, keeping its memo', { timeout: 10_000 }, () => {
  const task = aTask({ Memory: 16 * GiB });
  const candidates = [worker('w2'), worker('w1', { Runtime: 'down', RuntimeProblem: 'no socket' })];
  const placement = roundRobin.pick(task, candidates, 'w1');
  assert.deepEqual(placement, {
    worker: null,
    reason:
      'no worker can take the task: 2 workers: 1 with its container engine down (w1: no socket), ' +
      '1 short of memory (w2 has 8 GiB of 8 GiB memory unreserved, the task asks 16 GiB)',
    memo: 'w1',
  });
  assert.deepEqual(roundRobin.pick(task, [], undefined), {
    worker: null,
    reason: 'no worker can take the task: there are no workers',
    memo: undefined,
  });
});

// --- E-PVM --------------------------------------------------------------

test('epvmCost of an idle worker is the marginal cost of the nominal demand', { timeout: 10_000 }, () => {
  // (LIEB^(0.1/4) − 1) + (LIEB^(64 MiB / 8 GiB) − 1), worked out separately.
  assert.ok(Math.abs(epvmCost(aTask(), worker('w1')) - 0.014223442273524789) < 1e-12);
  assert.equal(LIEB, 1.53960071783900203869);
});

test('epvmCost takes the higher of measured load and what Cube holds', { timeout: 10_000 }, () => {
  const idle = epvmCost(aTask({ Cpu: 1 }), worker('w1'));
  const measured = epvmCost(aTask({ Cpu: 1 }), worker('w1', { CpuUsage: 0.5 }));
  const held = epvmCost(aTask({ Cpu: 1 }), worker('w1', {}, { nominalCpu: 2 }));
  assert.ok(measured > idle);
  assert.ok(Math.abs(held - measured) < 1e-12, 'holding 2 of 4 CPUs is a load of 0.5');
  const both = epvmCost(aTask({ Cpu: 1 }), worker('w1', { CpuUsage: 0.5 }, { nominalCpu: 1 }));
  assert.ok(Math.abs(both - measured) < 1e-12, 'the measured 0.5 beats a held 0.25');
});

test('a worker that reports no CPUs or no memory costs Infinity', { timeout: 10_000 }, () => {
  assert.equal(epvmCost(aTask(), worker('w1', { CpuCount: 0 })), Infinity);
  assert.equal(epvmCost(aTask(), worker('w1', { MemoryTotal: 0 })), Infinity);
});

test('E-PVM spreads tasks evenly over equal workers: 6 tasks go 2, 2, 2', { timeout: 10_000 }, () => {
  for (const task of [aTask(), aTask({ Cpu: 1, Memory: GiB })]) {
    const picks = placeMany(
      epvm,
      task,
      ['w1', 'w2', 'w3'].map((n) => worker(n)),
      6,
    );
    assert.deepEqual(tally(picks), { w1: 2, w2: 2, w3: 2 }, `Cpu ${task.Cpu}: ${picks.join(',')}`);
    assert.equal(new Set(picks.slice(0, 3)).size, 3, 'the first three go to three workers');
  }
});

test('E-PVM counts CPU: a busy worker loses to an idle one, and wins again when both are equally busy', { timeout: 10_000 }, () => {
  const task = aTask({ Cpu: 1 });
  // w1 has more free memory, which alone would make it the choice.
  const w1 = (CpuUsage: number) => worker('w1', { CpuUsage, MemoryAvailable: 6.4 * GiB });
  const w2 = (CpuUsage: number) => worker('w2', { CpuUsage, MemoryAvailable: 3.2 * GiB });
  const busy = epvm.pick(task, [w1(0.8), w2(0)], undefined);
  assert.equal(busy.worker, 'w2', busy.reason);
  assert.ok(epvmCost(task, w1(0.8)) > epvmCost(task, w2(0)));
  const equal = epvm.pick(task, [w1(0.8), w2(0.8)], undefined);
  assert.equal(equal.worker, 'w1', equal.reason);
  assert.equal(epvm.pick(task, [w1(0), w2(0)], undefined).worker, 'w1');
});

test('E-PVM sends a memory-heavy task to the worker with more memory available', { timeout: 10_000 }, () => {
  const task = aTask({ Memory: 2 * GiB });
  const tight = worker('w1', { MemoryAvailable: 2.5 * GiB });
  const roomy = worker('w2', { MemoryAvailable: 6 * GiB });
  assert.equal(epvm.pick(task, [tight, roomy], undefined).worker, 'w2');
  assert.equal(epvm.pick(task, [roomy, tight], undefined).worker, 'w2');
  assert.equal(epvm.pick(task, [worker('w1', { MemoryAvailable: 6 * GiB }), roomy], undefined).worker, 'w1');
});

test('E-PVM breaks cost ties by fewer tasks, then by name', { timeout: 10_000 }, () => {
  // Measured load above what the tasks hold, so the held sums do not change the cost.
  const busy = { CpuUsage: 0.5, MemoryAvailable: 4 * GiB };
  const w1 = worker('w1', busy, { tasks: 3, nominalCpu: 0.3, nominalMemory: 192 * MiB });
  const w2 = worker('w2', busy, { tasks: 1, nominalCpu: 0.1, nominalMemory: 64 * MiB });
  assert.equal(epvmCost(aTask(), w1), epvmCost(aTask(), w2));
  const fewer = epvm.pick(aTask(), [w1, w2], undefined);
  assert.equal(fewer.worker, 'w2');
  assert.match(fewer.reason, /tied with w1: fewer tasks \(1 vs 3\)/);
  const w3 = worker('w3', busy, { tasks: 1, nominalCpu: 0.1, nominalMemory: 64 * MiB });
  const byName = epvm.pick(aTask(), [w3, w2], undefined);
  assert.equal(byName.worker, 'w2');
  assert.match(byName.reason, /tied with w3: first by name/);
});

test('E-PVM spreads tasks over two workers on one host, whose samples of the same machine differ a little', { timeout: 10_000 }, () => {
  // Sampled a moment apart: the same machine, a few percent of noise in CPU and a few MiB of memory.
  const a = worker('a', { CpuUsage: 0.052, MemoryAvailable: 5 * GiB + 3 * MiB });
  const b = worker('b', { CpuUsage: 0.049, MemoryAvailable: 5 * GiB });
  assert.deepEqual(placeMany(epvm, aTask(), [a, b], 4).sort(), ['a', 'a', 'b', 'b']);
});

test('E-PVM returns worker null with the noFit reason when the task fits nowhere', { timeout: 10_000 }, () => {
  const task = aTask({ Cpu: 8 });
  const candidates = [worker('w2'), worker('w1', { CpuCount: 2 }, { cpu: 1 })];
  assert.deepEqual(epvm.pick(task, candidates, 'kept'), {
    worker: null,
    reason:
      'no worker can take the task: 2 workers: 2 short of CPU ' +
      '(w1 has 1 of 2 CPUs unreserved, the task asks 8; w2 has 4 of 4 CPUs unreserved, the task asks 8)',
    memo: 'kept',
  });
});

test("an E-PVM pick's reason gives the chosen worker's cost and the others'", { timeout: 10_000 }, () => {
  const task = aTask({ Cpu: 1 });
  const w1 = worker('w1', { CpuUsage: 0.6 });
  const w2 = worker('w2');
  const w3 = worker('w3', { CpuUsage: 0.3 });
  const w4 = worker('w4', { CpuCount: 0.5 });
  const cost = (c: Candidate) => epvmCost(task, c).toFixed(4);
  const placement = epvm.pick(task, [w4, w1, w3, w2], 'unused');
  assert.deepEqual(placement, {
    worker: 'w2',
    reason: `lowest E-PVM cost ${cost(w2)} (w3 ${cost(w3)}, w1 ${cost(w1)}; filtered out: w4)`,
    memo: 'unused',
  });
  assert.notEqual(cost(w2), cost(w3));
  const alone = epvm.pick(task, [w2, w4], undefined);
  assert.equal(alone.reason, `lowest E-PVM cost ${cost(w2)} (filtered out: w4)`);
  assert.equal(epvm.pick(task, [w2], undefined).reason, `lowest E-PVM cost ${cost(w2)} (the only worker up)`);
});

// --- by name ------------------------------------------------------------

test('schedulerByName gives both schedulers and names the choices for anything else', { timeout: 10_000 }, () => {
  assert.equal(schedulerByName('roundrobin'), roundRobin);
  assert.equal(schedulerByName('epvm'), epvm);
  assert.equal(schedulerByName('roundrobin').name, 'roundrobin');
  assert.equal(schedulerByName('epvm').name, 'epvm');
  assert.throws(() => schedulerByName('fifo'), { message: 'unknown scheduler "fifo": choose one of roundrobin, epvm' });
  assert.throws(() => schedulerByName('toString'), /unknown scheduler "toString"/);
  assert.throws(() => schedulerByName(''), /unknown scheduler ""/);
});

test('schedulerByName with filters of its own ranks the same behind them: a rule left out is not asked', { timeout: 10_000 }, () => {
  const withVolume = aTask({ Mounts: [{ Type: 'volume', Source: 'v', Target: '/data', ReadOnly: false, Size: 0 }] });
  const pool = [worker('w1'), { ...worker('w2'), volumes: ['v'] }];
  assert.equal(schedulerByName('roundrobin').pick(withVolume, pool, undefined).worker, 'w2', 'every rule: the holder of its volume');
  const lax = schedulerByName(
    'roundrobin',
    filters.filter((f) => f.name !== 'volumes'),
  );
  assert.equal(lax.name, 'roundrobin');
  assert.equal(lax.pick(withVolume, pool, undefined).worker, 'w1', 'without the volume rule: first in name order');
});
