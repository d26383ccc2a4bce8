// Every bug the simulator found, by the seed that first showed it. Each is a
// regression test (sim.test.ts): a bug still `open` must still fail with its
// invariant (so a fix is noticed and the entry flipped), a fixed one must
// pass. test/sim/FOUND.md has the shrunk trace and what went wrong for each.

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
}

export const found: Found[] = [
  { seed: 17, without: [], invariant: 'no-exception', issue8Case: 5, foundOn: 'd09cb4c', open: false, what: "a worker's store write fails (disk full): XState rethrows the save's exception from a timer, uncaught, which would end the process" },
  { seed: 10, without: [], invariant: 'spec-applied', issue8Case: 9, foundOn: 'd09cb4c', open: false, what: 'a POST with a changed spec for an existing ID answers 201 and the old spec keeps running' },
  { seed: 64, without: ['changed-spec', 'store.fail'], invariant: 'no-exception', issue8Case: 3, foundOn: 'd09cb4c', open: false, what: "manager restarted with a worker left out of its list: a DELETE of that worker's task throws \"Unable to send event to actor 'worker:w1'\"" },
  { seed: 460, without: [], invariant: 'completed-is-final', issue8Case: 2, foundOn: 'd09cb4c', open: false, what: 'DELETE right after POST: the stop overtakes the run, the worker says "no task", the manager completes it (204), then the run arrives and its report makes the record Scheduled again' },
  { seed: 557, without: [], invariant: 'stop-not-undone', issue8Case: 2, foundOn: 'd09cb4c', open: false, what: 'a worker answers a stop of a task it does not have yet, then the late run starts the container: no tombstone' },
  { seed: 6, without: ['changed-spec', 'store.fail'], invariant: 'completed-is-final', issue8Case: 1, foundOn: 'd09cb4c', open: false, what: "a stop to a worker that is down completes the task when the TTL passes (204); the worker comes back with the task Running and its report overwrites the Completed record" },
  { seed: 270, without: ['changed-spec', 'store.fail'], invariant: 'never-completed-unless-stopped', issue8Case: 1, foundOn: 'd09cb4c', open: false, what: 'a report about an older placement (the duplicate copy stopped on w1) completes the task after it was placed on w1 again: nobody stopped it' },
  { seed: 237, without: ['changed-spec', 'store.fail'], invariant: 'completed-is-final', foundOn: 'd09cb4c', open: false, what: 'a run whose answer was lost is reported undelivered after the task was stopped (204): the manager requeues the Completed record' },
  { seed: 1232, without: [], invariant: 'stopped-is-completed', foundOn: 'd09cb4c', open: false, what: 'DELETE answered 202 (stop not yet delivered); the undelivered run requeues the task and places it elsewhere, forgetting the stop: it ends Failed, never Completed' },
  { seed: 871, without: [], invariant: 'backoff-honoured', issue8Case: 10, foundOn: 'd09cb4c', open: false, what: 'a worker killed and restarted while a crashed task waits to restart restarts it at once: the backoff due time was not stored' },
  { seed: 84, without: [], invariant: 'facts-not-guesses', issue8Case: 11, foundOn: 'd09cb4c', open: false, what: 'with no fault at all, the periodic reconcile lists containers while a new one is created but not yet running, and applies that listing after the task is Running: the task goes Failed with "exited with code -1" while its container runs' },
  { seed: 118, without: [], invariant: 'facts-not-guesses', issue8Case: 8, foundOn: 'd09cb4c', open: false, what: 'a paused container (docker pause) is listed as not running, and the reconcile records it as "exited with code 0"' },
  { seed: 547, without: [], invariant: 'versions-grow', foundOn: '44698f1', open: true, what: "the manager's disk refuses writes, so record changes wait in the write-behind; the manager is killed: after the restart a record's Version is lower than one it had already reported" },
  { seed: 903, without: [], invariant: 'stopped-is-completed', foundOn: '44698f1', open: true, what: 'DELETE answered 202 while the stop could not reach the worker; the container died meanwhile and the task went Failed for good; the pending stop is never sent again (the comparison of listings skips Failed records), so the task never completes and its container stays' },
  { seed: 598, without: [], invariant: 'spec-applied', foundOn: '44698f1', open: true, what: 'a changed spec POSTed while the task waits to be placed again (its worker was lost) is taken (201, "Updated"); then the worker comes back reporting the old placement, which the manager keeps: the old definition runs' },
  { seed: 833, without: [], invariant: 'stop-not-undone', foundOn: '44698f1', open: true, what: 'the run of placement m1.1 is delayed past its call limit; the user updates the task (placement m1.2 runs), then DELETEs it (204); the late run of the older m1.1 then reaches the worker, which has a tombstone for m1.2 only, and starts a container of the stopped task' },
  { seed: 446, without: [], invariant: 'stop-not-undone', foundOn: '44698f1', open: true, what: "a restart's run waits in the proxy's lane behind a lost call, a resend of the same run queues behind it; the DELETE is answered 204 (the worker does not have that placement); when the lane moves, the queued run still reaches the worker and starts a container of the stopped task (stopped again right after)" },
];
