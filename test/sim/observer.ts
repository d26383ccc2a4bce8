// What the invariant checker hears from the simulated cluster, as it happens.
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';

export interface Observer {
  /** An exception escaped an actor, or a process ended that the schedule did not end. */
  crashed(who: string, error: unknown): void;
  /** A manager process starts with these workers (its --workers), from what its disk holds: these services' records among it. */
  managerStarted(services: Service[], workers: readonly string[]): void;
  /** The manager changed a record (its `task.updated`). */
  managerRecord(task: Task): void;
  /** A worker changed a record. */
  workerRecord(worker: string, task: Task): void;
  /** A process answered a call with 500: an exception its route did not expect. */
  internalError(who: string, call: string): void;
  /** A worker process answered a stop of a placement of a task (whatever the answer, and whether or not it arrives). */
  stopAnswered(worker: string, id: string, placement: string, status: number): void;
  /** A worker process asked its engine to start a task's container (the call begins). */
  startBegins(engine: string, task: Task): void;
  /** A worker's health check of the container on this host port got its answer: passed (2xx) or failed (500, refused, no answer in time). */
  healthChecked(hostPort: number, passed: boolean): void;
  /** The manager's retention sweep pruned these finished tasks (its `tasks.pruned`). */
  pruned(ids: string[]): void;
}
