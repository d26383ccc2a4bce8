// The simulator as a test: a seed replays byte for byte; the first 1,000
// seeds, drawn with services, break no invariant (beyond the bugs still open
// in found.ts); every bug found stays found until fixed and passes once fixed;
// every mistake of mistakes.ts, of tasks and of services, is caught within
// those 1,000 seeds; shrinking keeps the failure. A seed drawn with services
// is the seed's task scenario (its cluster, tasks, calls and faults) with the
// user's services added (schedule.ts), so one sweep checks both. Seeds run in
// batches of 100, each its own test, on every core (worker threads); the timing
// is printed, not asserted (bench/sim.ts measures it). Seeds drawn with
// placement (labels, constraints, memory asks, named volumes) pass too, and its mistakes are caught, each by its invariant.
// A seed that does not end within the pool's limit fails as `seed-ends` instead of holding the sweep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { found } from './found.js';
import { mistakeByName, mistakes, placementMistakes, serviceMistakes, undeclared } from './mistakes.js';
import { runSeeds } from './pool.js';
import type { SeedSummary } from './pool-worker.js';
import { drawScenario } from './schedule.js';
import { shrink } from './shrink.js';
import { simulate } from './simulation.js';

const SEEDS = 1000;
/** Invariants that the bugs still open break: a seed may fail with these until issue 8 lands. */
const openInvariants = new Set(found.filter((f) => f.open).map((f) => f.invariant));

test('a seed replays byte for byte', { timeout: 60_000 }, async () => {
  for (const [seed, services] of [
    [6, false],
    [42, false],
    [2, true],
  ] as const) {
    const first = await simulate(drawScenario(seed, new Set(), { services }));
    const second = await simulate(drawScenario(seed, new Set(), { services }));
    assert.ok(first.trace.length > 10, `seed ${seed} should leave a trace`);
    assert.equal(JSON.stringify(second.trace), JSON.stringify(first.trace), `seed ${seed} gave two histories`);
  }
});

// In batches, each a test with a limit of its own: the sweep is long, and a limit on the whole would cancel it as one.
const BATCH = 100;
const passing: number[] = [];
for (let first = 1; first <= SEEDS; first += BATCH) {
  const seeds = Array.from({ length: BATCH }, (_, i) => first + i);
  test(`seeds ${first}–${first + BATCH - 1} with services break no invariant but those of the open bugs`, { timeout: 420_000 }, async (t) => {
    const result = await runSeeds({ seeds, services: true });
    assert.equal(result.summaries.length, seeds.length);
    passing.push(...result.summaries.filter((s) => s.ok).map((s) => s.seed));
    const unexplained = result.failures.filter((f) => !openInvariants.has(f.invariant!));
    t.diagnostic(
      `${seeds.length} seeds with services in ${(result.wallMs / 1000).toFixed(1)} s; ${result.failures.length} failed with invariants of open bugs (${[...openInvariants].join(', ') || 'none'})`,
    );
    assert.deepEqual(
      unexplained.map((f) => `seed ${f.seed}: ${f.invariant}: ${f.detail}`),
      [],
      'a new failure: replay it with npm run sim -- --seed N --services, and add it to test/sim/found.ts and FOUND.md',
    );
  });
}

// The found bugs replay in the pool, so one whose fix is undone and that never ends again (seed 4774) fails as
// `seed-ends` instead of holding the test's process. The first test to ask runs them all (those drawn without
// services, then those with); the others read the result, by services and seed.
let replayed: Promise<Map<string, SeedSummary>> | undefined;
const foundReplays = () =>
  (replayed ??= (async () => {
    const summaries = new Map<string, SeedSummary>();
    for (const services of [false, true]) {
      const run = await runSeeds({ seeds: found.filter((f) => (f.services ?? false) === services).map((f) => f.seed), services, found: true });
      for (const summary of run.summaries) summaries.set(`${services} ${summary.seed}`, summary);
    }
    return summaries;
  })());
for (const bug of found) {
  const replay = `npm run sim -- --found ${bug.seed}${bug.services ? ' --services' : ''}`;
  test(`found: seed ${bug.seed} (${bug.invariant}) ${bug.open ? 'still fails until fixed' : 'passes'}`, { timeout: 300_000 }, async () => {
    const summary = (await foundReplays()).get(`${bug.services ?? false} ${bug.seed}`)!;
    if (bug.open) {
      assert.equal(
        summary.invariant,
        bug.invariant,
        `found seed ${bug.seed} no longer breaks ${bug.invariant} first (${replay}): if the fix landed, set open: false in test/sim/found.ts`,
      );
    } else {
      assert.ok(summary.ok, `found seed ${bug.seed} (${bug.what}) fails again: ${summary.invariant}: ${summary.detail} (${replay})`);
    }
  });
}

for (const mistake of mistakes) {
  test(`mistake caught within ${SEEDS} seeds: ${mistake.what}`, { timeout: 600_000 }, async (t) => {
    const missing = undeclared(mistake);
    if (mistake.pending) {
      assert.notDeepEqual(missing, [], `${mistake.name}: the machines declare what it replaces now; remove pending from it in test/sim/mistakes.ts`);
      t.diagnostic(`waiting for issue 8 to declare ${missing.join(', ')}`);
      return;
    }
    assert.deepEqual(missing, [], `${mistake.name} replaces what the machines do not declare, so it cannot bite`);
    assert.ok(passing.length > 0, 'runs after the seed sweep, which finds the seeds that pass without the mistake');
    // Only seeds that pass without the mistake count: the failure is the mistake's.
    const result = await runSeeds({ seeds: passing, services: true, mistake: mistake.name, stopAfter: 1 });
    const caught = result.failures[0];
    assert.ok(caught, `${mistake.name} went unnoticed through ${passing.length} seeds`);
    t.diagnostic(`caught by seed ${caught.seed}: ${caught.invariant}: ${caught.detail}`);
  });
}

for (const mistake of serviceMistakes) {
  test(`service mistake caught within ${SEEDS} seeds: ${mistake.what}`, { timeout: 600_000 }, async (t) => {
    assert.deepEqual(undeclared(mistake), [], `${mistake.name} replaces what the service machine does not declare, so it cannot bite`);
    assert.ok(passing.length > 0, 'runs after the seed sweep, which finds the seeds that pass without the mistake');
    const result = await runSeeds({ seeds: passing, services: true, mistake: mistake.name, stopAfter: 1 });
    const caught = result.failures[0];
    assert.ok(caught, `${mistake.name} went unnoticed through ${passing.length} seeds with services`);
    t.diagnostic(`caught by seed ${caught.seed}: ${caught.invariant}: ${caught.detail}`);
  });
}

// Placement (schedule.ts draws it on request): one batch of seeds where workers have labels and offer 4 GiB, and
// tasks carry constraints, memory asks and named volumes, amid the same faults; the placement mistakes caught in it.
const PLACEMENT_SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);
const placementPassing: number[] = [];
test(`placement seeds 1–${PLACEMENT_SEEDS.length} break no invariant but those of the open bugs`, { timeout: 180_000 }, async (t) => {
  const result = await runSeeds({ seeds: PLACEMENT_SEEDS, placement: true });
  placementPassing.push(...result.summaries.filter((s) => s.ok).map((s) => s.seed));
  t.diagnostic(`${PLACEMENT_SEEDS.length} seeds with placement in ${(result.wallMs / 1000).toFixed(1)} s`);
  assert.deepEqual(
    result.failures.filter((f) => !openInvariants.has(f.invariant!)).map((f) => `seed ${f.seed}: ${f.invariant}: ${f.detail}`),
    [],
    'a new failure: replay it with npm run sim -- --seed N --placement, and add it to test/sim/found.ts and FOUND.md',
  );
});

for (const mistake of placementMistakes) {
  test(`placement mistake caught within ${PLACEMENT_SEEDS.length} seeds: ${mistake.what}`, { timeout: 180_000 }, async (t) => {
    assert.ok(placementPassing.length > 0, 'runs after the placement seeds, which find the seeds that pass without the mistake');
    const result = await runSeeds({ seeds: placementPassing, placement: true, mistake: mistake.name, stopAfter: 1 });
    const caught = result.failures[0];
    assert.ok(caught, `${mistake.name} went unnoticed through ${placementPassing.length} seeds with placement`);
    assert.equal(caught.invariant, mistake.caughtBy);
    t.diagnostic(`caught by seed ${caught.seed}: ${caught.invariant}: ${caught.detail}`);
  });
}

test('shrinking keeps the failure and drops what it does not need', { timeout: 60_000 }, async () => {
  // A mistake makes a failure that stays whatever main fixes: the first seed it breaks is shrunk.
  const mistake = mistakeByName('drop-placement-check')!;
  let failing: { scenario: ReturnType<typeof drawScenario>; invariant: string } | undefined;
  for (let seed = 1; seed <= 1000 && !failing; seed++) {
    const scenario = drawScenario(seed);
    const invariant = (await simulate(scenario, { mistake, failFast: true })).violations[0]?.invariant;
    if (invariant) failing = { scenario, invariant };
  }
  assert.ok(failing, 'drop-placement-check should break one of the first 1,000 seeds');
  const shrunk = await shrink(failing.scenario, failing.invariant, mistake);
  assert.ok(shrunk.keep.length < failing.scenario.events.length, `nothing was dropped from ${failing.scenario.events.length} entries`);
  assert.ok(shrunk.result.violations.some((v) => v.invariant === failing.invariant));
});

test('a seed that outlives its limit is named as failed, and the seeds after it run on', { timeout: 60_000 }, async () => {
  // A limit no seed can meet (1 ms, less than a thread takes to start) stands for a seed that never ends.
  const result = await runSeeds({ seeds: [1, 2, 3], threads: 1, seedLimitMs: 1 });
  assert.deepEqual(
    result.summaries.map((s) => `${s.seed} ${s.invariant}`),
    ['1 seed-ends', '2 seed-ends', '3 seed-ends'],
  );
});
