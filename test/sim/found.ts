// Every bug the simulator found, by the seed that first showed it, with its
// shrunk schedule written out: the schedule a seed draws changes whenever the
// generator does (a new fault kind, another weight), so the regression keeps
// the entries themselves, played over the seed's cluster and tasks. Each is a
// test (sim.test.ts): a bug still `open` must still fail with its invariant
// (so a fix is noticed and the entry flipped), a fixed one must pass.
// `npm run sim -- --found SEED` replays one; test/sim/FOUND.md has its trace.
import { drawScenario, type Scenario, type SimEvent } from './schedule.js';

export interface Found {
  seed: number;
  /** Kinds left out of the seed's schedule when it was found (`--without`), to isolate the bug. */
  without: string[];
  invariant: string;
  /** What went wrong, in a line. */
  what: string;
  /** The case of issue 8 it is ("No task lost, no stop undone"), when it is one of those. */
  issue8Case?: number;
  /** The commit of main it was found on. */
  foundOn: string;
  /** True while the bug is on main; set false when the fix lands. */
  open: boolean;
  /** Found on a scenario drawn with services (`npm run sim -- --services`). */
  services?: true;
  /** The shrunk schedule that showed it (times in ms since the run began). */
  schedule: SimEvent[];
}

/** The scenario a found bug replays: the seed's cluster and tasks, with the recorded schedule. */
export const foundScenario = (bug: Found): Scenario => ({
  ...drawScenario(bug.seed, new Set(bug.without), { services: bug.services ?? false }),
  events: bug.schedule,
});

/** The bug a seed found, with services or without (a seed draws another schedule with them). */
export const foundBySeed = (seed: number, services = false): Found | undefined => found.find((f) => f.seed === seed && (f.services ?? false) === services);

export const found: Found[] = [
  {
    seed: 17,
    without: [],
    invariant: 'no-exception',
    issue8Case: 5,
    foundOn: 'd09cb4c',
    open: false,
    what: "a worker's store write fails (disk full): XState rethrows the save's exception from a timer, uncaught, which would end the process",
    schedule: [
      { kind: 'post', at: 677, task: 1, variant: 0 },
      { kind: 'post', at: 10673, task: 3, variant: 0 },
      { kind: 'store.fail', at: 11111, disk: 1, ms: 1411 },
    ],
  },
  {
    seed: 10,
    without: [],
    invariant: 'spec-applied',
    issue8Case: 9,
    foundOn: 'd09cb4c',
    open: false,
    what: 'a POST with a changed spec for an existing ID answers 201 and the old spec keeps running',
    schedule: [
      { kind: 'post', at: 20020, task: 4, variant: 0 },
      { kind: 'post', at: 20198, task: 4, variant: 1 },
    ],
  },
  {
    seed: 64,
    without: ['changed-spec', 'store.fail'],
    invariant: 'no-exception',
    issue8Case: 3,
    foundOn: 'd09cb4c',
    open: false,
    what: "manager restarted with a worker left out of its list: a DELETE of that worker's task throws \"Unable to send event to actor 'worker:w1'\"",
    schedule: [
      { kind: 'post', at: 6369, task: 1, variant: 0 },
      { kind: 'manager.kill', at: 7413, downMs: 3151, workers: [1, 2] },
      { kind: 'delete', at: 15702, task: 1 },
    ],
  },
  {
    seed: 460,
    without: [],
    invariant: 'completed-is-final',
    issue8Case: 2,
    foundOn: 'd09cb4c',
    open: false,
    what: 'DELETE right after POST: the stop overtakes the run, the worker says "no task", the manager completes it (204), then the run arrives and its report makes the record Scheduled again',
    schedule: [
      { kind: 'network.chaos', at: 1614, worker: 0, ms: 1028, loss: 0.2, duplicate: 0.1, maxDelayMs: 2000 },
      { kind: 'post', at: 1665, task: 1, variant: 0 },
      { kind: 'delete', at: 1958, task: 1 },
    ],
  },
  {
    seed: 557,
    without: [],
    invariant: 'stop-not-undone',
    issue8Case: 2,
    foundOn: 'd09cb4c',
    open: false,
    what: 'a worker answers a stop of a task it does not have yet, then the late run starts the container: no tombstone',
    schedule: [
      { kind: 'post', at: 588, task: 0, variant: 1 },
      { kind: 'manager.kill', at: 1113, downMs: 0, workers: [0, 1, 2] },
      { kind: 'post', at: 1325, task: 3, variant: 0 },
      { kind: 'partition', at: 1775, worker: 2, direction: 'to-worker', ms: 14445 },
      { kind: 'container.crash', at: 4848, task: 3, exitCode: 137, oom: false, outside: true },
      { kind: 'post', at: 6118, task: 1, variant: 0 },
      { kind: 'post', at: 9320, task: 2, variant: 0 },
      { kind: 'worker.kill', at: 9944, worker: 2, downMs: 2312 },
      { kind: 'network.chaos', at: 11953, worker: 0, ms: 14924, loss: 0.2, duplicate: 0.3, maxDelayMs: 8000 },
      { kind: 'delete', at: 14921, task: 2 },
    ],
  },
  {
    seed: 6,
    without: ['changed-spec', 'store.fail'],
    invariant: 'completed-is-final',
    issue8Case: 1,
    foundOn: 'd09cb4c',
    open: false,
    what: 'a stop to a worker that is down completes the task when the TTL passes (204); the worker comes back with the task Running and its report overwrites the Completed record',
    schedule: [
      { kind: 'post', at: 8706, task: 0, variant: 0 },
      { kind: 'post', at: 10332, task: 1, variant: 0 },
      { kind: 'post', at: 10977, task: 2, variant: 0 },
      { kind: 'engine.restart', at: 11840, worker: 0, downMs: 2508 },
      { kind: 'worker.kill', at: 15570, worker: 0, downMs: 14078 },
      { kind: 'delete', at: 19330, task: 0 },
    ],
  },
  {
    seed: 270,
    without: ['changed-spec', 'store.fail'],
    invariant: 'never-completed-unless-stopped',
    issue8Case: 1,
    foundOn: 'd09cb4c',
    open: false,
    what: 'a report about an older placement (the duplicate copy stopped on w1) completes the task after it was placed on w1 again: nobody stopped it',
    schedule: [
      { kind: 'post', at: 9507, task: 3, variant: 0 },
      { kind: 'network.chaos', at: 11430, worker: 1, ms: 1477, loss: 0.5, duplicate: 0, maxDelayMs: 8000 },
      { kind: 'worker.kill', at: 12026, worker: 0, downMs: 503 },
      { kind: 'post', at: 12087, task: 3, variant: 0 },
    ],
  },
  {
    seed: 237,
    without: ['changed-spec', 'store.fail'],
    invariant: 'completed-is-final',
    foundOn: 'd09cb4c',
    open: false,
    what: 'a run whose answer was lost is reported undelivered after the task was stopped (204): the manager requeues the Completed record',
    schedule: [
      { kind: 'post', at: 4203, task: 3, variant: 0 },
      { kind: 'network.chaos', at: 14237, worker: 0, ms: 9923, loss: 0.5, duplicate: 0.3, maxDelayMs: 2000 },
      { kind: 'post', at: 14365, task: 5, variant: 0 },
      { kind: 'manager.kill', at: 15203, downMs: 0, workers: [0, 1, 2] },
      { kind: 'post', at: 17541, task: 1, variant: 0 },
      { kind: 'post', at: 17792, task: 0, variant: 0 },
      { kind: 'delete', at: 18005, task: 0 },
    ],
  },
  {
    seed: 1232,
    without: [],
    invariant: 'stopped-is-completed',
    foundOn: 'd09cb4c',
    open: false,
    what: 'DELETE answered 202 (stop not yet delivered); the undelivered run requeues the task and places it elsewhere, forgetting the stop: it ends Failed, never Completed',
    schedule: [
      { kind: 'partition', at: 8114, worker: 0, direction: 'to-worker', ms: 14443 },
      { kind: 'post', at: 8271, task: 2, variant: 0 },
      { kind: 'delete', at: 9569, task: 2 },
      { kind: 'engine.restart', at: 13081, worker: 1, downMs: 6490 },
    ],
  },
  {
    seed: 871,
    without: [],
    invariant: 'backoff-honoured',
    issue8Case: 10,
    foundOn: 'd09cb4c',
    open: false,
    what: 'a worker killed and restarted while a crashed task waits to restart restarts it at once: the backoff due time was not stored',
    schedule: [
      { kind: 'post', at: 1731, task: 3, variant: 1 },
      { kind: 'partition', at: 8640, worker: 0, direction: 'to-manager', ms: 5908 },
      { kind: 'container.crash', at: 19162, task: 3, exitCode: 1, oom: false, outside: false },
      { kind: 'worker.kill', at: 19393, worker: 1, downMs: 0 },
    ],
  },
  {
    seed: 84,
    without: [],
    invariant: 'facts-not-guesses',
    issue8Case: 11,
    foundOn: 'd09cb4c',
    open: false,
    what: 'with no fault at all, the periodic reconcile lists containers while a new one is created but not yet running, and applies that listing after the task is Running: the task goes Failed with "exited with code -1" while its container runs',
    schedule: [
      { kind: 'post', at: 270, task: 3, variant: 0 },
      { kind: 'post', at: 19498, task: 0, variant: 0 },
    ],
  },
  {
    seed: 118,
    without: [],
    invariant: 'facts-not-guesses',
    issue8Case: 8,
    foundOn: 'd09cb4c',
    open: false,
    what: 'a paused container (docker pause) is listed as not running, and the reconcile records it as "exited with code 0"',
    schedule: [
      { kind: 'post', at: 5893, task: 0, variant: 0 },
      { kind: 'container.pause', at: 26081, task: 0, ms: 12171 },
    ],
  },
  {
    seed: 547,
    without: [],
    invariant: 'versions-grow',
    foundOn: '44698f1',
    open: false,
    what: "the manager's disk refuses writes, so record changes wait in the write-behind; the manager is killed: after the restart a record's Version is lower than one it had already reported",
    schedule: [
      { kind: 'post', at: 1012, task: 3, variant: 0 },
      { kind: 'store.fail', at: 1051, disk: 'manager', ms: 8547 },
      { kind: 'manager.kill', at: 4860, downMs: 846, workers: [0, 1, 3] },
    ],
  },
  {
    seed: 903,
    without: [],
    invariant: 'stopped-is-completed',
    foundOn: '44698f1',
    open: false,
    what: 'DELETE answered 202 while the stop could not reach the worker; the container died meanwhile and the task went Failed for good; the pending stop is never sent again (the comparison of listings skips Failed records), so the task never completes and its container stays',
    schedule: [
      { kind: 'post', at: 8856, task: 4, variant: 0 },
      { kind: 'post', at: 10370, task: 0, variant: 0 },
      { kind: 'partition', at: 21078, worker: 1, direction: 'to-worker', ms: 8956 },
      { kind: 'delete', at: 29315, task: 0 },
      { kind: 'container.crash', at: 30451, task: 0, exitCode: 137, oom: false, outside: true },
    ],
  },
  {
    seed: 598,
    without: [],
    invariant: 'spec-applied',
    foundOn: '44698f1',
    open: false,
    what: 'a changed spec POSTed while the task waits to be placed again (its worker was lost) is taken (201, "Updated"); then the worker comes back reporting the old placement, which the manager keeps: the old definition runs',
    schedule: [
      { kind: 'post', at: 9266, task: 5, variant: 0 },
      { kind: 'container.crash', at: 13775, task: 5, exitCode: 1, oom: false, outside: false },
      { kind: 'post', at: 17458, task: 4, variant: 0 },
      { kind: 'network.chaos', at: 17985, worker: 0, ms: 12741, loss: 0.05, duplicate: 0.1, maxDelayMs: 8000 },
      { kind: 'post', at: 18850, task: 2, variant: 0 },
      { kind: 'worker.kill', at: 19319, worker: 0, downMs: 2930 },
      { kind: 'post', at: 28034, task: 5, variant: 1 },
    ],
  },
  {
    seed: 833,
    without: [],
    invariant: 'stop-not-undone',
    foundOn: '44698f1',
    open: false,
    what: 'the run of placement m1.1 is delayed past its call limit; the user updates the task (placement m1.2 runs), then DELETEs it (204); the late run of the older m1.1 then reaches the worker, which has a tombstone for m1.2 only, and starts a container of the stopped task',
    schedule: [
      { kind: 'network.chaos', at: 4256, worker: 0, ms: 1990, loss: 0.05, duplicate: 0.3, maxDelayMs: 25000 },
      { kind: 'post', at: 5157, task: 2, variant: 0 },
      { kind: 'post', at: 7724, task: 2, variant: 1 },
      { kind: 'delete', at: 17896, task: 2 },
    ],
  },
  {
    seed: 446,
    without: [],
    invariant: 'stop-not-undone',
    foundOn: '44698f1',
    open: false,
    what: "a restart's run waits in the proxy's lane behind a lost call, a resend of the same run queues behind it; the DELETE is answered 204 (the worker does not have that placement); when the lane moves, the queued run still reaches the worker and starts a container of the stopped task (stopped again right after)",
    schedule: [
      { kind: 'network.chaos', at: 563, worker: 0, ms: 1677, loss: 0.05, duplicate: 0.3, maxDelayMs: 2000 },
      { kind: 'post', at: 1188, task: 2, variant: 0 },
      { kind: 'post', at: 6531, task: 1, variant: 0 },
      { kind: 'post', at: 6707, task: 1, variant: 1 },
      { kind: 'network.chaos', at: 16517, worker: 0, ms: 5668, loss: 0.5, duplicate: 0.1, maxDelayMs: 200 },
      { kind: 'post', at: 18474, task: 2, variant: 0 },
      { kind: 'delete', at: 22772, task: 2 },
    ],
  },
  {
    seed: 103,
    without: [],
    invariant: 'no-orphan-container',
    foundOn: 'f1729f5',
    open: false,
    what: "a worker frozen past the TTL keeps running its copy of a task, which moves elsewhere, is DELETEd (204) and pruned; when the worker is back its copy has not changed, so the sync after a version names it only in held, and the manager, which judged only reports, never stopped it (found once the simulator's proxy synced after a version, as the real one does)",
    schedule: [
      { kind: 'post', at: 1, task: 3, variant: 0 },
      { kind: 'worker.freeze', at: 9109, worker: 3, ms: 14420 },
      { kind: 'delete', at: 22888, task: 3 },
    ],
  },
  {
    seed: 1157,
    without: [],
    invariant: 'completed-is-final',
    foundOn: '461eb6f',
    open: false,
    what: "the manager's disk refuses writes, then takes a DELETE's intent (204 once the worker stopped the task); the worker's Completed report is saved behind but waits for the write-behind's retry timer; the manager is killed before it: after the restart the task is stopping again, from its intent",
    schedule: [
      { kind: 'post', at: 10650, task: 4, variant: 0 },
      { kind: 'worker.freeze', at: 11270, worker: 0, ms: 8817 },
      { kind: 'store.fail', at: 17657, disk: 'manager', ms: 2849 },
      { kind: 'delete', at: 20886, task: 4 },
      { kind: 'manager.kill', at: 21058, downMs: 0, workers: [0, 1, 2, 3, 4] },
    ],
  },
  {
    seed: 10,
    without: [],
    services: true,
    invariant: 'stop-not-undone',
    foundOn: 'c4f65fa',
    open: false,
    what: "services' finished copies filled CUBE_RETENTION_MAX, so a task the user stopped was pruned 2 s after its stop, on the manager and on its worker, and the worker's tombstone of the stopped placement went with it: the task's run, stalled on the network, arrived 10 s later and was started",
    schedule: [
      { kind: 'service.create', at: 4986, service: 1 },
      { kind: 'service.create', at: 6065, service: 0 },
      { kind: 'post', at: 12508, task: 0, variant: 0 },
      { kind: 'network.stall', at: 19730, ms: 897 },
      { kind: 'post', at: 20607, task: 1, variant: 0 },
      { kind: 'service.update', at: 21025, service: 1, version: 2, sick: false },
      { kind: 'service.update', at: 24673, service: 0, version: 2, sick: true },
      { kind: 'delete', at: 30058, task: 1 },
    ],
  },
  {
    seed: 77,
    without: [],
    services: true,
    invariant: 'no-exception',
    foundOn: '145831b',
    open: false,
    what: "a manager restarted with a worker left out of its list places a service's copy on that worker again in its entry, and tells the service, whose machine is not spawned yet: 'Unable to send event to actor service:s1', and the manager actor stops",
    schedule: [
      { kind: 'service.create', at: 2891, service: 0 },
      { kind: 'manager.kill', at: 4238, downMs: 4008, workers: [1, 2, 3] },
    ],
  },
  {
    seed: 53,
    without: [],
    services: true,
    invariant: 'no-exception',
    foundOn: '145831b',
    open: false,
    what: "a scale up while the only worker's engine is down: the manager cannot place the new copy, which is Failed at once, and the service makes another in the same instant, without end (the run never ends; the whole schedule, not shrunk)",
    schedule: [
      { kind: 'container.pause', at: 949, task: 2, ms: 745 },
      { kind: 'service.create', at: 3601, service: 0 },
      { kind: 'post', at: 8271, task: 2, variant: 0 },
      { kind: 'delete', at: 8367, task: 2 },
      { kind: 'partition', at: 9742, worker: 0, direction: 'to-worker', ms: 1066 },
      { kind: 'service.create', at: 12333, service: 1 },
      { kind: 'crash-loop', at: 13655, task: 2, ms: 1988 },
      { kind: 'post', at: 16792, task: 1, variant: 0 },
      { kind: 'post', at: 21965, task: 4, variant: 0 },
      { kind: 'service.update', at: 24427, service: 0, version: 3, sick: true },
      { kind: 'delete', at: 24440, task: 4 },
      { kind: 'post', at: 26798, task: 3, variant: 0 },
      { kind: 'stream.break', at: 26905, worker: 0 },
      { kind: 'engine.restart', at: 28977, worker: 0, downMs: 2207 },
      { kind: 'post', at: 30314, task: 0, variant: 0 },
      { kind: 'service.scale', at: 34409, service: 1, count: 2 },
      { kind: 'engine.restart', at: 40727, worker: 0, downMs: 2501 },
      { kind: 'container.vanish', at: 40867, task: 0 },
      { kind: 'service.update', at: 41014, service: 0, version: 2, sick: true },
      { kind: 'service.scale', at: 43176, service: 0, count: 4 },
      { kind: 'service.delete', at: 71767, service: 1 },
    ],
  },
  {
    seed: 2342,
    without: [],
    services: true,
    invariant: 'service-never-goes-back',
    foundOn: '20f0bef',
    open: false,
    what: "the manager's disk refuses writes, so a service's records saved behind are lost; the manager is killed: after the restart the service's Revision counts on from its record, lower than one it had announced (a follower such as cube service update ignores what comes next)",
    schedule: [
      { kind: 'service.create', at: 7919, service: 0 },
      { kind: 'store.fail', at: 9837, disk: 'manager', ms: 11431 },
      { kind: 'manager.kill', at: 19504, downMs: 0, workers: [0, 1, 2, 3] },
    ],
  },
  {
    seed: 2588,
    without: [],
    services: true,
    invariant: 'reports-in-order',
    foundOn: '20f0bef',
    open: false,
    what: "a false alarm, the invariant was wrong: the manager's disk refuses writes while a task restarts, and the manager is killed; the new process starts from its disk, whose record is older than the reports the old one had applied (and lost), and the checker held it to those",
    schedule: [
      { kind: 'post', at: 7443, task: 1, variant: 0 },
      { kind: 'store.fail', at: 15306, disk: 'manager', ms: 7615 },
      { kind: 'container.crash', at: 18022, task: 1, exitCode: 137, oom: false, outside: true },
      { kind: 'manager.kill', at: 21722, downMs: 0, workers: [0, 1, 2] },
    ],
  },
  {
    seed: 553,
    without: [],
    services: true,
    invariant: 'service-settled',
    foundOn: '20f0bef',
    open: false,
    what: "the manager's disk refuses the write of a new copy's task during a rollout: the manager drops it but does not tell the service, which waits for that copy for ever; the deployment never moves on",
    schedule: [
      { kind: 'service.create', at: 14582, service: 0 },
      { kind: 'service.update', at: 39383, service: 0, version: 2, sick: true },
      { kind: 'store.fail', at: 40184, disk: 'manager', ms: 2721 },
    ],
  },
];
