// Plausible mistakes, each swapped in through `provide()`: a guard or an
// action of a machine replaced by a wrong one, with no switch in production
// code. The simulator must catch every one within the first 1,000 seeds
// (sim.test.ts). The named guards and actions are those machines/ declares
// for these decisions (docs/reliability.md, "The simulator").

/** Implementations to override, by machine: guards and actions by name. */
export interface Overrides {
  guards?: Record<string, (...args: never[]) => boolean>;
  actions?: Record<string, (...args: never[]) => void>;
}

export interface Mistake {
  name: string;
  /** The mistake in words, as a reviewer would name it. */
  what: string;
  manager?: Overrides;
  worker?: Overrides;
  task?: Overrides;
  /** The service machine (machines/service.ts), as the manager spawns it. */
  service?: Overrides;
  /** The manager's placement policy (src/scheduler), wrapped: a mistake in what the scheduler is told, or in one of its filters. */
  placement?: (policy: PlacementPolicy) => PlacementPolicy;
  /** The invariant that must catch it, when one is meant to (sim.test.ts checks the placement mistakes'). */
  caughtBy?: string;
  /**
   * The guard or action it replaces is not declared on main yet (issue 8 adds
   * it): the test checks it is still missing, and fails once it lands, to
   * have this flag removed and the mistake checked.
   */
  pending?: true;
}

import { managerMachine } from '../../machines/manager.js';
import type { PlacementPolicy } from '../../machines/manager/ledger.js';
import { filters, schedulerByName } from '../../src/scheduler/index.js';
import { taskMachine } from '../../machines/task.js';
import { workerMachine } from '../../machines/worker.js';
import { actWith, serviceMachine } from '../../machines/service.js';
import { isServing } from '../../machines/service/copies.js';

const never = () => false;
const always = () => true;
const nothing = () => undefined;

export const mistakes: Mistake[] = [
  {
    name: 'trust-old-container',
    what: 'apply a death report about an older container to the task (isCurrentContainer always true)',
    task: { guards: { isCurrentContainer: always } },
  },
  {
    name: 'ignore-restart-limit',
    what: 'restart whatever failed, whatever the policy and the limit (restartAllowed always true)',
    task: { guards: { restartAllowed: always } },
  },
  {
    name: 'drop-placement-check',
    what: 'drop the placement check on reports (isStaleReport always false)',
    manager: { guards: { isStaleReport: never } },
  },
  {
    name: 'accept-older-report',
    what: 'accept a report with an older version (isOlderReport always false)',
    manager: { guards: { isOlderReport: never } },
  },
  {
    name: 'answer-before-stored',
    what: 'answer a DELETE before it is stored (intentStored always true)',
    manager: { guards: { intentStored: always } },
    worker: { guards: { intentStored: always } },
  },
  {
    name: 'forget-tombstone',
    what: 'forget a tombstone (leaveTombstone does nothing)',
    worker: { actions: { leaveTombstone: nothing } },
  },
  {
    name: 'any-exit-is-done',
    what: 'take any exit for a job that is done (jobDone always true)',
    task: { guards: { jobDone: always } },
  },
  {
    name: 'one-failed-check-enough',
    what: 'fail a task at its first failed health check (healthThresholdReached always true)',
    task: { guards: { healthThresholdReached: always } },
  },
  {
    name: 'lose-backoff-due',
    what: 'lose the backoff due time (recordRestartDue does nothing)',
    task: { actions: { recordRestartDue: nothing } },
  },
];

/** Mistakes in services: caught on seeds drawn with services (sim.test.ts, npm run sim -- --services). */
export const serviceMistakes: Mistake[] = [
  {
    name: 'ready-before-min-healthy',
    what: "count a service's new copy once it serves, before MinHealthy (the rollout's isReady is isServing), so old copies stop early",
    service: { actions: { act: actWith({ isReady: isServing }) as never } },
  },
  {
    name: 'forget-stable',
    what: 'forget the version a deployment made healthy (rememberStable does nothing), so a rollback goes to the wrong version',
    service: { actions: { rememberStable: nothing } },
  },
];

/** Mistakes in placement: caught on seeds drawn with placement (sim.test.ts, npm run sim -- --placement). */
export const placementMistakes: Mistake[] = [
  {
    name: 'place-ignoring-asks',
    what: 'pick a worker as if the task asked for nothing (no Memory, no Constraints): the filters never see what it asks',
    placement: (policy) => ({
      ...policy,
      scheduler: {
        name: policy.scheduler.name,
        pick: (task, candidates, memo) => policy.scheduler.pick({ ...task, Memory: 0, Constraints: [] }, candidates, memo),
      },
    }),
    caughtBy: 'placement-fits',
  },
  {
    name: 'place-ignoring-volumes',
    what: "place as if no worker held the task's volume (the volumes filter left out of the pipeline), so a task may start empty elsewhere while its volume's worker is only cut off",
    placement: (policy) => ({
      ...policy,
      scheduler: schedulerByName(
        policy.scheduler.name,
        filters.filter((f) => f.name !== 'volumes'),
      ),
    }),
    caughtBy: 'volume-one-worker',
  },
];

export const mistakeByName = (name: string): Mistake | undefined => [...mistakes, ...serviceMistakes, ...placementMistakes].find((m) => m.name === name);

const machines = { manager: managerMachine, worker: workerMachine, task: taskMachine, service: serviceMachine } as const;

/** The guards and actions a mistake replaces that its machine does not declare. */
export function undeclared(mistake: Mistake): string[] {
  const missing: string[] = [];
  for (const machine of ['manager', 'worker', 'task', 'service'] as const) {
    const overrides = mistake[machine];
    const declared = machines[machine].implementations as unknown as Record<'guards' | 'actions', Record<string, unknown>>;
    for (const kind of ['guards', 'actions'] as const) {
      for (const name of Object.keys(overrides?.[kind] ?? {})) if (!(name in declared[kind])) missing.push(`${machine} ${kind.slice(0, -1)} ${name}`);
    }
  }
  return missing;
}
