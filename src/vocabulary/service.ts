// The data of a service (docs/spec.md §9): N copies of one task definition,
// kept running, and rolled out version by version. Like task.ts, data only.
import type { DefinitionKey, Task, TaskHistoryEntry } from './task.js';

/** How a new version replaces the copies of the last one (docs/spec.md §9, "Rolling updates"). */
export interface ServiceUpdate {
  /** How many copies change at a time. */
  Parallelism: number;
  /** `start-first`: a new copy is healthy before an old one stops; `stop-first`: the other way round. */
  Order: 'start-first' | 'stop-first';
  /** How long a new copy must be Running and healthy before it counts (a duration, "10s"). */
  MinHealthy: string;
  /** A new copy that has not counted by then fails the deployment (a duration, "5m"). */
  HealthyDeadline: string;
  /** What a failed deployment does: go back to the last version that was healthy, or stop where it is. */
  OnFailure: 'rollback' | 'pause';
}

export const updateOrders = ['start-first', 'stop-first'] as const;
export const failureActions = ['rollback', 'pause'] as const;

/** The defaults, as Nomad's `update` block and Swarm's `update_config` have them (docs/spec.md §9). */
export const DEFAULT_UPDATE: ServiceUpdate = {
  Parallelism: 1,
  Order: 'start-first',
  MinHealthy: '10s',
  HealthyDeadline: '5m',
  OnFailure: 'rollback',
};

/** The default wait between taking a copy out of the endpoints and stopping it. */
export const DEFAULT_SHUTDOWN_DELAY = '1s';

/** The task keys a service's template may not set: Cube sets them on each copy. */
export const copyKeys = ['ID', 'Name'] as const satisfies readonly (keyof Task)[];

/** A copy's definition: the keys a client sets on a task, but its ID and Name, which Cube gives each copy. */
export type TaskTemplate = Omit<Pick<Task, DefinitionKey>, (typeof copyKeys)[number]>;

/** What clients POST and PUT (docs/spec.md §9). */
export interface ServiceDefinition {
  Name: string;
  Count: number;
  Task: TaskTemplate;
  Update: ServiceUpdate;
  /** How long a copy is out of the endpoints before it is stopped, so clients stop picking it first (a duration). */
  ShutdownDelay: string;
}

/** One version of a service: the definition it runs, numbered 1, 2, … in the order they came. */
export interface ServiceVersion {
  Version: number;
  Task: TaskTemplate;
  Update: ServiceUpdate;
  ShutdownDelay: string;
  /** When it came (RFC 3339). */
  Created: string;
}

/** Where a deployment is: `running` until it `succeeded`, or `rolling-back` to `rolled-back`, or it is `paused` or `failed`. */
export type DeploymentState = 'running' | 'succeeded' | 'rolling-back' | 'rolled-back' | 'paused' | 'failed';

/** The last rollout of a version, or of a rollback to one. */
export interface Deployment {
  /** The version it rolls out. */
  Version: number;
  /** The version that was healthy before it (0: none), where a rollback goes. */
  From: number;
  State: DeploymentState;
  Started: string;
  /** When it entered its current State: a rollback judges the copies it makes from then on. */
  Changed: string;
  /** When it ended ("" while it goes on). */
  Finished: string;
  /** Copies of `Version` that count as healthy, of `Count`. */
  Healthy: number;
  Count: number;
  /** Why it did not succeed, in words; "" otherwise. */
  Reason: string;
}

/** The states of the service's machine, as the API names them. */
export const serviceStateNames = ['stable', 'deploying', 'rolling-back', 'paused', 'failed'] as const;
export type ServiceStateName = (typeof serviceStateNames)[number];

/** A service as Cube keeps and answers it. */
export interface Service {
  Name: string;
  Count: number;
  /** The version the service wants running now (the last PUT's, or the one a rollback went back to). */
  Version: number;
  /** Every version kept, oldest first (the newest few: docs/spec.md §9). */
  Versions: ServiceVersion[];
  /** The newest version whose deployment succeeded (0: none yet): what a rollback restores. */
  Stable: number;
  /** Versions that succeeded, oldest first: a user's rollback from a stable service goes to the one before. */
  Succeeded: number[];
  StateName: ServiceStateName;
  Deployment: Deployment | null;
  /** Copies not finished, and those of them that count as healthy (filled in when answered). */
  Running: number;
  Healthy: number;
  /** When the service was created (RFC 3339). */
  Created: string;
  /** The newest entries of its history, oldest first. */
  Events: TaskHistoryEntry[];
  /** Copies made so far: the next copy's number, which names it and makes its ID. */
  Copies: number;
  /** A UUID drawn when the service was created: its copies' IDs are made from it and their number. */
  Uid: string;
  /** Grows with every change of the record. */
  Revision: number;
}
