// The data of docs/spec.md §1: a Task, the TaskEvent clients POST, and the few extra
// keys Cube adds to responses. Every layer (machines, runtime, APIs, CLI,
// store) speaks these types, so they hold data only: no behaviour.
import type { Mount } from './mounts.js';

/** docs/spec.md §1 `State`: the integers clients see. */
export const TaskState = {
  Pending: 0,
  Scheduled: 1,
  Running: 2,
  Completed: 3,
  Failed: 4,
} as const;
export type TaskStateNumber = (typeof TaskState)[keyof typeof TaskState];

/** The label of each State integer, for tables and messages: its key in TaskState, which the compiler holds it to. */
export const stateLabels = ['Pending', 'Scheduled', 'Running', 'Completed', 'Failed'] as const satisfies {
  [K in keyof typeof TaskState as (typeof TaskState)[K]]: K;
};

/**
 * Where the task machine is, in finer grain than `State`: `stopping` is still
 * Running (or Scheduled, when a start is cancelled) until its container is gone,
 * and `restarting` is Failed while the restart delay runs. Every list of
 * state names in Cube is this one, or made from it.
 */
export const stateNames = ['pending', 'scheduled', 'running', 'stopping', 'completed', 'failed', 'restarting'] as const;
export type StateName = (typeof stateNames)[number];

export const isStateName = (name: string): name is StateName => stateNames.some((known) => known === name);

/** The StateName of a State integer, as a peer that sends only the integer means it (undefined for none). */
export const stateNameOf = (state: number): StateName | undefined => stateNames.find((name) => name === stateLabels[state]?.toLowerCase());

export const restartPolicies = ['', 'always', 'unless-stopped', 'on-failure'] as const;
export type RestartPolicy = (typeof restartPolicies)[number];

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** One line of a task's history, Nomad-style: what happened, in words. */
export interface TaskHistoryEntry {
  Time: string;
  Type: string;
  Message: string;
}

export interface Task {
  ID: string;
  ContainerID: string;
  Name: string;
  State: TaskStateNumber;
  Image: string;
  Cpu: number;
  Memory: number;
  Disk: number;
  ExposedPorts: Record<string, Record<string, never>> | null;
  PortBindings: Record<string, string> | null;
  RestartPolicy: RestartPolicy;
  StartTime: string;
  FinishTime: string;
  HostPorts: Record<string, PortBinding[]> | null;
  HealthCheck: string;
  RestartCount: number;
  // Cube's additions (docs/spec.md §1 allows extra keys in responses).
  /** Environment for the container, `KEY=value` strings. */
  Env: string[];
  /** Command overriding the image's, as an argv list. */
  Cmd: string[];
  /** Named volumes, host paths under a worker's --volume-root, and tmpfs (src/vocabulary/mounts.ts). */
  Mounts: Mount[];
  /** What the worker must be, like "zone==a" or "disk in (ssd,nvme)" (src/vocabulary/constraint.ts): all must hold. */
  Constraints: string[];
  /** A service's copies spread over the values of this worker label ("" : over workers); set from the service (docs/spec.md §9). */
  Spread: string;
  StateName: StateName;
  /** When Cube accepted the task (RFC 3339). */
  SubmitTime: string;
  /** The worker the task is placed on ("" until placed). */
  Worker: string;
  /** Exit code of the last container that ended, null while none has. */
  ExitCode: number | null;
  /** Why the task is Failed, or why it waits; "" when there is nothing to say. */
  Reason: string;
  /** The newest history entries, oldest first. */
  Events: TaskHistoryEntry[];
  /**
   * Which placement of the task this record is about ("" before the first).
   * A placement is one decision to run the task on one worker: the first run,
   * each move to another worker, each restart asked by a user or forced by a
   * changed definition. A restart by the restart policy on the same worker
   * continues it as `<placement>#<n>`. Containers carry it as a label, and
   * commands and reports name it, so nothing about an older placement can
   * change the current record (docs/architecture.md §7, "Placements").
   */
  Placement: string;
  /** Grows with every change of this record where it is kept (like Kubernetes' resourceVersion). */
  Version: number;
  /** When a restart that waits out its backoff is due (RFC 3339); the zero time when none waits. */
  RestartDue: string;
  /** The service this task is a copy of ("" for a task of its own); set by Cube, never by a client (docs/spec.md §9). */
  Service: string;
  /** Which of the service's Count places the copy fills (0, 1, …). */
  Slot: number;
  /** The version of the service's definition the copy runs (0 for a task of its own). */
  ServiceVersion: number;
}

/** The keys a client sets: what to run and how. A POST that changes one of them is an update. */
export const definitionKeys = [
  'Name',
  'Image',
  'Cpu',
  'Memory',
  'Disk',
  'ExposedPorts',
  'PortBindings',
  'RestartPolicy',
  'HealthCheck',
  'Env',
  'Cmd',
  'Mounts',
  'Constraints',
  'Spread',
] as const satisfies readonly (keyof Task)[];
export type DefinitionKey = (typeof definitionKeys)[number];

/** What clients POST (docs/spec.md §1): "run this task". */
export interface TaskEvent {
  ID: string;
  State: number;
  Timestamp: string;
  Task: Task;
}

/** Go's zero time, which docs/spec.md §1 uses for "not yet set". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Every key of a Task in docs/spec.md §1's order, with its value before anything happens. */
const template: Task = {
  ID: '',
  ContainerID: '',
  Name: '',
  State: TaskState.Pending,
  Image: '',
  Cpu: 0,
  Memory: 0,
  Disk: 0,
  ExposedPorts: null,
  PortBindings: null,
  RestartPolicy: '',
  StartTime: ZERO_TIME,
  FinishTime: ZERO_TIME,
  HostPorts: null,
  HealthCheck: '',
  RestartCount: 0,
  Env: [],
  Cmd: [],
  Mounts: [],
  Constraints: [],
  Spread: '',
  StateName: 'pending',
  SubmitTime: ZERO_TIME,
  Worker: '',
  ExitCode: null,
  Reason: '',
  Events: [],
  Placement: '',
  Version: 0,
  RestartDue: ZERO_TIME,
  Service: '',
  Slot: 0,
  ServiceVersion: 0,
};

/** A task as the system first records it. Spread keeps the template's key order. */
export function newTask(fields: Partial<Task> & Pick<Task, 'ID' | 'Name' | 'Image'>): Task {
  return { ...template, ...fields };
}
