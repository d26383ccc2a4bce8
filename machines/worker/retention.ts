// A worker's retention (docs/architecture.md §7, "Retention"): finished tasks
// and the tombstones of tasks it never had are pruned past CUBE_RETENTION or
// CUBE_RETENTION_MAX, on the heartbeat's clock or when a manager asks
// (`worker.gc`). A finish the manager has not heard of waits for it.
import { samePlacement } from '../../src/vocabulary/placement.js';
import { TaskState } from '../../src/vocabulary/task.js';
import { nameTask } from '../names.js';
import { byTime, expired, isFinished, sweepInterval } from '../retention.js';
import { release } from '../shard-pool.js';
import { isActive, known, type Effects, type WorkerContext } from './context.js';

/**
 * Whether the manager may not have heard that task `id` finished: its record
 * is newer than what the manager's last sync said it applied. Pruned before
 * the manager hears it (its report lost in a partition), the task would be
 * missing from the next listing, and the manager would send its run again.
 */
function unheard(context: WorkerContext, id: string): boolean {
  if (context.heardUpTo === undefined) return false;
  const version = context.tasks.get(id)?.Version ?? context.done.get(id)?.Version ?? 0;
  return version > context.heardUpTo;
}

/**
 * The finished tasks (and tombstones of tasks this worker never had) that a
 * sweep at `now` removes: the same rules as the manager's (machines/retention.ts),
 * except that a finish the manager has not heard of waits for it, or for the
 * retention period to be over, whichever comes first.
 */
export function sweepPlan(context: WorkerContext, now: number, forget: { id: string; placement: string }[] = []): string[] {
  const finished = byTime(context.finished, context.done.archivedByFinish());
  const count = context.finished.size + context.done.archivedCount;
  const ids = new Set(expired(finished, count, context.retention, now, (id, pastPeriod) => context.intents.has(id) || (!pastPeriod && unheard(context, id))));
  for (const { id, placement } of forget) {
    const record = known(context, id);
    if (record && isFinished(record) && samePlacement(record.Placement, placement) && !context.intents.has(id)) ids.add(id);
  }
  // `buried` is in the order the tombstones were left, so a sweep reads the expired ones and stops.
  const before = now - context.retention.ms;
  for (const [id, at] of context.buried) {
    if (at > before) break;
    if (!context.tasks.has(id) && !context.done.has(id)) ids.add(id);
  }
  for (const id of context.tombstones.buriedBefore(before)) if (!context.tasks.has(id) && !context.done.has(id)) ids.add(id);
  return [...ids];
}

/**
 * Removes pruned tasks from memory (the store follows): a Failed one's actor
 * is stopped and its container removed, as a DELETE would, without a report.
 * A pruned task's tombstones outlive it by a retention period, as those of a
 * task the worker never had: a run of a stopped placement that arrives late
 * (its caller gave up long ago) is still refused after its task was pruned,
 * which a small CUBE_RETENTION_MAX and a service's finished copies make
 * seconds after the stop. With no retention period they go with the task.
 */
export function prune(context: WorkerContext, ids: string[], fx: Effects, at: number): void {
  if (ids.length === 0) return;
  const keepTombstones = Number.isFinite(context.retention.ms);
  const containers: string[] = [];
  for (const id of ids) {
    const record = context.tasks.get(id);
    // Nothing but tombstones left of it (a task never had, or one pruned before): their period is over.
    const onlyTombstones = !record && !context.done.has(id);
    if (record) {
      const shard = context.pool.of.get(id);
      if (shard) fx.dropTask(shard, id);
      const over = release(context.pool, id);
      if (over) fx.stopShard(over);
      if (record.ContainerID) containers.push(record.ContainerID);
      nameTask(context.names, record, { ...record, State: TaskState.Completed });
      context.tasks.delete(id);
      context.fromActors.delete(id);
      context.active -= Number(isActive(record));
    }
    context.done.delete(id);
    context.finished.delete(id);
    context.buried.delete(id);
    const tombstones = context.tombstones.get(id);
    if (keepTombstones && !onlyTombstones && tombstones) {
      // Into memory: those of a task read from the archive (a worker restarted since it finished) go with its record.
      context.tombstones.set(id, tombstones);
      context.buried.set(id, at);
    } else context.tombstones.delete(id);
  }
  if (containers.length > 0) fx.removeContainers(containers);
  fx.forget(ids);
}

/** The heartbeat is the worker's clock: a sweep runs when one is due. */
export function sweepIfDue(context: WorkerContext, at: string, fx: Effects): void {
  const now = Date.parse(at);
  if (now < context.nextSweep) return;
  context.nextSweep = now + sweepInterval(context.retention);
  prune(context, sweepPlan(context, now), fx, now);
}
