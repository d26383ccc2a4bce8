// A shard: the parent of a slice of one worker's task actors.
//
// Spawning a child copies the parent's children map, so one parent with n
// children pays O(n) per spawn (docs/architecture.md §3). The worker spreads its tasks
// over a fixed number of shards and each shard drops a task actor as soon as
// it is Completed, so a new task costs the same with 10 or 10,000 tasks. A
// shard makes no decisions: it spawns, forwards, and reports snapshots.
import {
  enqueueActions,
  sendParent,
  setup,
  type ActorLogic,
  type ActorSystem,
  type AnyActorRef,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { taskMachine, type TaskMachineEvent, type TaskPolicy, type TaskSnapshot } from './task.js';
import type { Task } from '../src/vocabulary/task.js';

export type ShardEvent =
  /** Start an actor for a task: new (Pending, and `first` is what schedules it) or restored from disk. */
  | { type: 'shard.spawn'; task: Task; at?: string; first?: TaskMachineEvent }
  /** Deliver an event to a task's actor, if the shard has it. */
  | { type: 'shard.forward'; id: string; event: TaskMachineEvent }
  /** Stop a task's actor without a word: its task was pruned (retention). */
  | { type: 'shard.drop'; id: string };

export interface ShardInput {
  /** The worker this shard belongs to: task actors are named `task:<id>@<worker>`. */
  worker: string;
  policy: TaskPolicy;
}

const DONE_PREFIX = 'xstate.done.actor.';

/**
 * A task actor's id: people following one task in the inspector see its id and
 * worker. It is not registered as a system id: nothing looks task actors up by
 * one, and each registration costs a live task memory (docs/benchmarks.md, actor floor).
 */
export const taskActorId = (taskId: string, worker: string) => `task:${taskId}@${worker}`;

export const shardMachine = setup({
  types: {
    context: {} as ShardInput,
    input: {} as ShardInput,
    events: {} as ShardEvent,
  },
  actors: { task: taskMachine },
}).createMachine({
  id: 'shard',
  context: ({ input }) => input,
  on: {
    'shard.spawn': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        // syncSnapshot: every change of the task reaches this shard as an event.
        const id = taskActorId(event.task.ID, context.worker);
        enqueue.spawnChild('task', {
          id,
          input: { task: event.task, policy: context.policy, ...(event.at === undefined ? {} : { at: event.at }) },
          syncSnapshot: true,
        });
        // In the same turn as the spawn: no event of its own through the shard.
        if (event.first) enqueue.sendTo(id, event.first);
      }),
    },
    'shard.forward': {
      actions: enqueueActions(({ context, event, enqueue, self }) => {
        const child = (self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[taskActorId(event.id, context.worker)];
        if (child) enqueue.sendTo(child, event.event);
      }),
    },
    'shard.drop': {
      actions: enqueueActions(({ context, event, enqueue, self }) => {
        const child = (self.getSnapshot().children as Record<string, AnyActorRef | undefined>)[taskActorId(event.id, context.worker)];
        if (child) enqueue.stopChild(child);
      }),
    },
    'xstate.snapshot.*': {
      actions: sendParent(({ event }) => ({
        type: 'task.changed',
        task: (event as unknown as { snapshot: TaskSnapshot }).snapshot.context.task,
      })),
    },
    'xstate.done.actor.*': {
      // A Completed task is final: its record (the machine's output) lives on
      // in the worker, its actor does not.
      actions: enqueueActions(({ event, enqueue }) => {
        enqueue.sendParent({ type: 'task.changed', task: (event as unknown as { output: Task }).output });
        enqueue.stopChild(event.type.slice(DONE_PREFIX.length));
      }),
    },
  },
});

type ShardLogic = typeof shardMachine;
type AnyActorSystem = ActorSystem<any>;

/**
 * The shard logic `machine`, with a definition of its own for each shard: a
 * machine memoizes its transition lookups per event type for the life of its
 * definition, and a task actor's snapshot and done events carry its id in
 * their type, so shards that shared one definition would keep two entries for
 * every task the worker ever ran (docs/architecture.md §7, "Shards retire").
 * The worker spawns `shard` by name, whatever logic src/ supplies under it.
 */
export function definitionPerShard(
  machine: ShardLogic,
): ActorLogic<SnapshotFrom<ShardLogic>, EventFromLogic<ShardLogic>, InputFrom<ShardLogic>, AnyActorSystem, EmittedFrom<ShardLogic>> {
  return {
    config: machine.config,
    getInitialSnapshot: (scope, input) => machine.provide({}).getInitialSnapshot(scope, input),
    transition: (snapshot, event, scope) => snapshot.machine.transition(snapshot, event, scope),
    start: (snapshot) => snapshot.machine.start(snapshot),
    getPersistedSnapshot: (snapshot, options) => snapshot.machine.getPersistedSnapshot(snapshot, options),
  };
}
