// The manager's side of services (docs/spec.md §9): each service is a child
// actor (`service:<name>`, machines/service.ts) that decides its copies; the
// manager carries out what it asks (a copy is a task like any other, stored
// before it is placed, stopped as a user's stop is), tells it every change of
// its copies and the time, and places its copies apart from each other.
import type { Task } from '../../src/vocabulary/task.js';
import type { CopyReport } from '../service.js';
import type { Effects, Ledger, PlacementPolicy } from './ledger.js';
import { stop, submit } from './commands.js';

/** The records of a service's copies the ledger holds, as its machine is told them. */
export function copiesOf(ledger: Ledger, service: string): CopyReport[] {
  const reports: CopyReport[] = [];
  for (const task of ledger.tasks.values()) if (task.Service === service) reports.push({ task, stopping: ledger.stopRequested.has(task.ID) });
  return reports;
}

/** A service asks for a new copy: a new task, as if a user POSTed it; a refusal goes back to the service. */
export function startCopy(ledger: Ledger, policy: PlacementPolicy, service: string, task: Task, at: string, fx: Effects): void {
  const refusal = submit(ledger, policy, task, at, undefined, fx);
  if (refusal) fx.toService(service, { type: 'copy.refused', id: task.ID, reason: refusal, at });
}

/** A service asks to stop one of its copies; its history says why. */
export function stopCopy(ledger: Ledger, policy: PlacementPolicy, service: string, id: string, why: string, at: string, fx: Effects): void {
  const refusal = stop(ledger, policy, id, at, undefined, fx, why);
  const task = ledger.tasks.get(id);
  // Not stopped now (another command of it is being written): the service sees the copy as it is, and asks again later.
  if (refusal && task) fx.toService(service, { type: 'copy.changed', report: { task, stopping: ledger.stopRequested.has(id) }, at, refused: refusal });
}

/** Stops every copy of a service that is not stopped already: the service is gone (deleted, or unknown at a start). */
export function stopCopies(ledger: Ledger, policy: PlacementPolicy, service: string, why: string, at: string, fx: Effects): number {
  let stopped = 0;
  for (const task of [...ledger.tasks.values()]) {
    if (task.Service !== service || ledger.stopRequested.has(task.ID)) continue;
    if (!stop(ledger, policy, task.ID, at, undefined, fx, why)) stopped++;
  }
  return stopped;
}

/** The copies of services the ledger does not have (a manager killed between a service's delete and its copies' stops): stopped. */
export function stopOrphanCopies(ledger: Ledger, policy: PlacementPolicy, at: string, fx: Effects): void {
  const orphaned = new Set<string>();
  for (const task of ledger.tasks.values()) if (task.Service !== '' && !ledger.services.has(task.Service)) orphaned.add(task.Service);
  for (const service of orphaned) {
    const stopped = stopCopies(ledger, policy, service, `service ${service} was deleted`, at, fx);
    if (stopped > 0) fx.note({ Time: at, Type: 'Service Deleted', Message: `stopped ${stopped} copies of service ${service}, which is gone` });
  }
}
