// What the API and the manager ask of a worker (docs/spec.md §3): run a task
// (`task.run`), stop it (`task.stop`). The worker decides, from the records
// it keeps, whether that means a new task actor, a restart, nothing, or a
// refusal with a reason. A command that changes what the worker holds is
// written first (`fx.persist`) and carried out only once the store says it is
// (`intent.persisted`).
import { isNewerPlacement, placementBase, samePlacement, workerPlacementId } from '../../src/vocabulary/placement.js';
import { TaskState, ZERO_TIME, type Task } from '../../src/vocabulary/task.js';
import { named, nameTaken } from '../names.js';
import { refusalReason } from '../task.js';
import type { Tombstones } from '../tombstones.js';
import { known, managerPlaced, refusal, type Effects, type Known, type Run, type Stop, type WorkerContext } from './context.js';

export type RunDecision = { action: 'spawn' | 'restart' | 'defer' | 'none' } | { action: 'refuse'; reason: string };
export type StopDecision = { action: 'forward' | 'tombstone' | 'none' } | { action: 'refuse'; reason: string };

/**
 * A run of `placement` ("" for a client's POST on the worker API, which names
 * none). A client's POST follows docs/spec.md §1: new → run it; Running or
 * Failed → restart it; Completed → refuse. The manager's runs name their
 * placement, and a run is idempotent per placement: the same placement is left
 * as it is, another one replaces what the worker has (a restart, a changed
 * definition, or a task moved back here after an old copy was stopped).
 */
export function decideRun(record: Known | undefined, placement: string): RunDecision {
  if (!record) return { action: 'spawn' };
  if (placement !== '' && samePlacement(record.Placement, placement)) return { action: 'none' };
  switch (record.StateName) {
    case 'completed':
      return placement === '' ? { action: 'refuse', reason: refusalReason(record, 'restart') } : { action: 'spawn' };
    case 'stopping':
      // The old placement is on its way out; the new one starts once it is gone.
      return placement === '' ? { action: 'refuse', reason: refusalReason(record, 'restart') } : { action: 'defer' };
    case 'pending':
    case 'scheduled':
      // A client's repeated POST of a task on its way changes nothing.
      return placement === '' ? { action: 'none' } : { action: 'restart' };
    default:
      return { action: 'restart' };
  }
}

/**
 * A stop of `placement` ("" for a client's DELETE on the worker API: whatever
 * the worker has). A stop of a placement the worker does not have leaves a
 * tombstone, so that its run, if it was overtaken on the way, is refused.
 */
export function decideStop(record: Known | undefined, id: string, placement: string, worker: string): StopDecision {
  const ours = record !== undefined && (placement === '' || samePlacement(record.Placement, placement));
  if (!ours) return placement === '' ? { action: 'refuse', reason: `no task ${id} on worker ${worker}` } : { action: 'tombstone' };
  if (record.StateName === 'stopping') return { action: 'none' };
  if (record.StateName === 'completed') return { action: 'refuse', reason: refusalReason(record, 'stop') };
  return { action: 'forward' };
}

/** Whether a stop already reached this worker for that placement of the task. */
export const tombstoned = (tombstones: Tombstones, id: string, placement: string): boolean =>
  placement !== '' && (tombstones.get(id)?.includes(placementBase(placement)) ?? false);

/**
 * The newest placement of a task this worker has had or was told to stop,
 * when it is newer than `placement`: a run of an older placement is a late
 * message (overtaken by a newer decision), never a new one.
 */
export function newerThan(record: Known | undefined, tombstones: Tombstones, id: string, placement: string): string | undefined {
  const seen = [...(tombstones.get(id) ?? []), ...(record ? [record.Placement] : [])];
  return seen.find((other) => isNewerPlacement(other, placement));
}

/** A run of a placement that a stop reached first: it does not run. */
export function refuseTombstoned(context: WorkerContext, run: Run, fx: Effects): void {
  const why = `placement ${run.task.Placement} of task ${run.task.ID} was stopped before it reached worker ${context.name}; it does not run`;
  fx.report(refusal(context, run.task.ID, run.task.Placement, 'run', why, run.requestId, 409));
}

/** A run of a placement older than one this worker had: a late message, refused. */
export function refuseOlderRun(context: WorkerContext, run: Run, fx: Effects): void {
  const newer = newerThan(known(context, run.task.ID), context.tombstones, run.task.ID, run.task.Placement);
  const why = `placement ${run.task.Placement} of task ${run.task.ID} is older than placement ${newer}, which worker ${context.name} already had; it does not run`;
  fx.report(refusal(context, run.task.ID, run.task.Placement, 'run', why, run.requestId, 409));
}

export function run(context: WorkerContext, given: Run, fx: Effects): void {
  const id = given.task.ID;
  const record = context.tasks.get(id);
  const event = { ...given, task: named(context.names, record, given.task) };
  // A manager's task: its finishes wait for the manager to hear them before the count prunes them.
  if (context.heardUpTo === undefined && managerPlaced(event.task)) context.heardUpTo = 0;
  const taken = record === undefined ? nameTaken(context.names, context.tasks, event.task) : undefined;
  const decision: RunDecision = taken ? { action: 'refuse', reason: taken } : decideRun(known(context, id), event.task.Placement);
  // A client's POST names no placement: this worker makes one.
  const placement = event.task.Placement || workerPlacementId(context.name, context.seq + 1);
  if (decision.action === 'spawn') {
    // A task from a manager keeps the time the manager accepted it; one POSTed here is accepted now.
    const SubmitTime = event.task.SubmitTime === ZERO_TIME ? event.at : event.task.SubmitTime;
    const task: Task = {
      ...event.task,
      Placement: placement,
      State: TaskState.Pending,
      StateName: 'pending',
      Worker: context.name,
      SubmitTime,
      Version: 0,
    };
    context.intents.set(id, { kind: 'run', run: event, task });
    fx.persist({ id, task });
  } else if (decision.action === 'restart') {
    fx.toTask(id, { type: 'restart', task: { ...event.task, Placement: placement }, at: event.at });
  } else if (decision.action === 'defer') {
    context.deferred.set(id, event);
  } else if (decision.action === 'refuse') {
    fx.report(refusal(context, id, event.task.Placement, 'run', decision.reason, event.requestId, 409));
  }
}

export function stop(context: WorkerContext, event: Stop, fx: Effects): void {
  const record = context.tasks.get(event.id);
  const decision = decideStop(known(context, event.id), event.id, event.placement, context.name);
  if (decision.action === 'refuse') {
    fx.report(refusal(context, event.id, event.placement, 'stop', decision.reason, event.requestId, 404));
    return;
  }
  if (decision.action === 'none') return;
  const placement = decision.action === 'forward' ? record!.Placement : event.placement;
  if (context.deferred.get(event.id)?.task.Placement === event.placement) context.deferred.delete(event.id);
  context.intents.set(event.id, { kind: 'stop', stop: event, placement, forward: decision.action === 'forward' });
  fx.persist({ id: event.id, tombstone: { id: event.id, placement, at: event.at } });
}

/** The intent of task `id` is written: its command is carried out. */
export function carryOut(context: WorkerContext, id: string, fx: Effects): void {
  const intent = context.intents.get(id);
  if (!intent) return;
  context.intents.delete(id);
  if (intent.kind === 'run') {
    fx.spawnTask(intent.task, { type: 'schedule', worker: context.name, at: intent.run.at });
    return;
  }
  fx.leaveTombstone({ id, placement: intent.placement, at: intent.stop.at });
  if (intent.forward) {
    fx.toTask(id, { type: 'stop', at: intent.stop.at });
  } else {
    const why = `placement ${intent.placement} of task ${id} is not on worker ${context.name}; it will not run here`;
    fx.report(refusal(context, id, intent.placement, 'stop', why, intent.stop.requestId, 404));
  }
}

/** The intent of task `id` could not be written: nothing was done, and the caller hears why (503). */
export function dropIntent(context: WorkerContext, id: string, problem: string, fx: Effects): void {
  const intent = context.intents.get(id);
  if (!intent) return;
  context.intents.delete(id);
  const [command, placement, requestId] =
    intent.kind === 'run' ? (['run', intent.task.Placement, intent.run.requestId] as const) : (['stop', intent.placement, intent.stop.requestId] as const);
  const why = `worker ${context.name} could not store the ${command} of task ${id}: ${problem}; nothing was done, try again`;
  fx.report(refusal(context, id, placement, command, why, requestId, 503));
}
