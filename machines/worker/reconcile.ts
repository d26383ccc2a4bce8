// The safety net beside the engine's events: the reconciler's listing of
// containers (`containers.observed`) compared with what the tasks believe.
import type { Task } from '../../src/vocabulary/task.js';
import { DoneTasks } from '../done-tasks.js';
import type { TaskMachineEvent } from '../task.js';
import type { Effects, ObservedContainer, WorkerContext } from './context.js';

/**
 * Compares what the engine has with what the tasks believe. Returns the facts
 * each task missed (its container died or vanished while nobody listened) and
 * the containers nobody wants (those of Completed tasks, those of tasks pruned
 * after their stop, and dead leftovers of earlier runs). Other containers of
 * tasks this worker does not know are left alone: the manager may be about to
 * send their task again, and then they are adopted. A task pruned after its
 * stop is known by its tombstones (`stopped`), kept a retention period after
 * it: its container is one Docker did not remove at the stop (the task is
 * Completed all the same, the reconcile retries), and it is still removed once
 * the record is gone. A task changed after the listing was asked for (`asOf`)
 * is not judged: the listing may predate what the task knows (a container
 * still being created).
 */
export function reconcilePlan(
  tasks: Map<string, Task>,
  containers: ObservedContainer[],
  asOf: number,
  at: string,
  done: DoneTasks = new DoneTasks(),
  stopped: (id: string) => boolean = () => false,
) {
  const facts: { id: string; event: TaskMachineEvent }[] = [];
  const unwanted: string[] = [];
  const byId = new Map(containers.map((c) => [c.containerId, c]));
  const settled = (task: Task | undefined): task is Task => task !== undefined && task.Version <= asOf;
  for (const container of containers) {
    const completed = done.get(container.taskId);
    if (completed) {
      if (completed.Version <= asOf) unwanted.push(container.containerId);
      continue;
    }
    const task = tasks.get(container.taskId);
    if (!task && stopped(container.taskId)) unwanted.push(container.containerId);
    if (!settled(task)) continue;
    const leftover = task.StateName === 'running' && container.containerId !== task.ContainerID && !container.running && !container.paused;
    if (leftover) unwanted.push(container.containerId);
  }
  for (const task of tasks.values()) {
    if (task.StateName !== 'running' || !settled(task)) continue;
    const container = byId.get(task.ContainerID);
    if (!container) {
      facts.push({ id: task.ID, event: { type: 'container.missing', containerId: task.ContainerID, at } });
    } else if (!container.running && !container.paused) {
      facts.push({
        id: task.ID,
        event: { type: 'container.exited', containerId: task.ContainerID, exitCode: container.exitCode ?? -1, oom: false, outside: false, at },
      });
    }
  }
  return { facts, unwanted };
}

/** Tells each task what it missed, and removes the containers nobody wants. */
export function reconcile(context: WorkerContext, containers: ObservedContainer[], asOf: number, at: string, fx: Effects): void {
  const plan = reconcilePlan(context.tasks, containers, asOf, at, context.done, (id) => context.tombstones.has(id));
  for (const fact of plan.facts) fx.toTask(fact.id, fact.event);
  if (plan.unwanted.length > 0) fx.removeContainers(plan.unwanted);
}
