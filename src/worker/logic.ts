// Supplies the side effects the worker and task machines name, from a
// container runtime: this is where machines/ meets Docker (or the in-memory
// stand-in). Nothing here decides anything; it only does what it is asked.
import { fromCallback, fromPromise, type AnyEventObject } from 'xstate';
import type { Tombstone } from '../vocabulary/tombstone.js';
import { definitionPerShard, shardMachine } from '../../machines/shard.js';
import { taskMachine, type StartInput } from '../../machines/task.js';
import type { ActorFailure, Started, Stopped } from '../vocabulary/runtime.js';
import { workerMachine } from '../../machines/worker.js';
import type { MachineStats, ObservedContainer, WorkerEvent } from '../../machines/worker/context.js';
import type { Log } from '../log.js';
import { RuntimeError, type ContainerRuntime } from '../runtime/types.js';
import type { Task } from '../vocabulary/task.js';
import { healthCheckActor, type HealthSettings } from './health-check.js';
import type { WorkerWrites } from '../store/worker-writes.js';

export interface WorkerLogicOptions {
  health: HealthSettings;
  reconcileIntervalMs: number;
  statsIntervalMs: number;
  sampleStats: () => MachineStats;
  /** Each worker's writes (its store), by worker name. */
  writes: (worker: string) => WorkerWrites;
  log: Log;
}

const now = () => new Date().toISOString();

/** What the task machine records of a failed runtime call. */
function asFailure(error: unknown): ActorFailure {
  if (error instanceof RuntimeError) {
    return {
      message: error.message,
      at: error.at,
      ...(error.exitCode === undefined ? {} : { exitCode: error.exitCode }),
      ...(error.containerId === undefined ? {} : { containerId: error.containerId }),
    };
  }
  return { message: error instanceof Error ? error.message : String(error), at: now() };
}

const failing = <T>(work: Promise<T>): Promise<T> =>
  work.catch((error: unknown) => {
    throw asFailure(error);
  });

/** The runtime of each worker by name: several workers can run in one process (tests, npm start). */
export type Runtimes = (worker: string) => ContainerRuntime;

export function taskLogic(runtimes: Runtimes, health: HealthSettings) {
  return taskMachine.provide({
    actors: {
      startContainer: fromPromise<Started, StartInput>(({ input }) =>
        failing(
          runtimes(input.task.Worker).start(input.task, {
            replace: input.replace,
            onProgress: (message) => input.parent.send({ type: 'progress', message, at: now() }),
          }),
        ),
      ),
      stopContainer: fromPromise<Stopped, { task: Task }>(({ input }) => failing(runtimes(input.task.Worker).stop(input.task))),
      removeContainer: fromPromise<Stopped, { task: Task }>(({ input }) => failing(runtimes(input.task.Worker).remove(input.task))),
      healthCheck: healthCheckActor(health),
    },
  });
}

export function workerLogic(runtimes: Runtimes, options: WorkerLogicOptions) {
  const { log } = options;
  return workerMachine.provide({
    actors: {
      shard: definitionPerShard(shardMachine.provide({ actors: { task: taskLogic(runtimes, options.health) } })),

      containerWatcher: fromCallback<AnyEventObject, { worker: string }>(({ sendBack, input }) =>
        runtimes(input.worker).watch({
          onEvent: (event) => {
            const { type, ...fields } = event;
            sendBack({ ...fields, type: `container.${type}` });
          },
          onConnected: () => sendBack({ type: 'runtime.connected', at: now() } satisfies WorkerEvent),
          onDisconnected: (reason) => {
            log(`container engine unreachable: ${reason}`);
            sendBack({ type: 'runtime.disconnected', reason, at: now() } satisfies WorkerEvent);
          },
        }),
      ),

      reconciler: fromCallback<AnyEventObject, { worker: string }>(({ sendBack, receive, input }) => {
        const runtime = runtimes(input.worker);
        // One comparison at a time; requests that arrive meanwhile fold into one more.
        let busy = false;
        let pending: Request | undefined;
        type Request = { containerIds: string[]; asOf: number };
        const reconcile = async (request: Request) => {
          if (busy) {
            pending = request;
            return;
          }
          busy = true;
          try {
            const wanted = new Set(request.containerIds);
            const containers = await runtime.list();
            const observed: ObservedContainer[] = await Promise.all(
              containers.map(async (c) => ({
                taskId: c.taskId,
                containerId: c.containerId,
                running: c.running,
                paused: c.paused,
                exitCode: !c.running && !c.paused && wanted.has(c.containerId) ? await runtime.exitCode(c.containerId) : null,
              })),
            );
            // The listing was taken after the request: it may overrule what tasks knew up to `asOf`, not later.
            sendBack({ type: 'containers.observed', containers: observed, asOf: request.asOf, at: now() } satisfies WorkerEvent);
          } catch (error) {
            log(`reconcile skipped: ${(error as Error).message}`);
          } finally {
            busy = false;
            const next = pending;
            pending = undefined;
            if (next) void reconcile(next);
          }
        };
        receive((event) => {
          if (event.type === 'reconcile') void reconcile(event as unknown as Request);
        });
      }),

      statsSampler: fromCallback<AnyEventObject, { worker: string }>(({ sendBack }) => {
        const sample = () => sendBack({ type: 'stats.sampled', stats: options.sampleStats(), at: now() } satisfies WorkerEvent);
        sample();
        const timer = setInterval(sample, options.statsIntervalMs);
        return () => clearInterval(timer);
      }),
    },
    actions: {
      persistIntent: ({ context, self }, params: { id: string; task?: Task; tombstone?: Tombstone }) =>
        options.writes(context.name).intent(params, (problem) => self.send({ type: 'intent.persisted', id: params.id, ok: problem === '', problem })),
      save: ({ context }, params: { task: Task }) => options.writes(context.name).save(params.task),
      forgetRecords: ({ context }, params: { ids: string[] }) => {
        options.writes(context.name).forget(params.ids);
        log(`worker ${context.name}: pruned ${params.ids.length} finished task(s) or tombstone(s) past their retention`);
      },
      removeContainers: ({ context }, params: { containerIds: string[] }) => {
        for (const id of params.containerIds) {
          runtimes(context.name)
            .removeContainer(id)
            .then(
              () => log(`removed unwanted container ${id.slice(0, 12)}`),
              (error: Error) => log(`could not remove unwanted container ${id.slice(0, 12)}: ${error.message}`),
            );
        }
      },
    },
    delays: { reconcileInterval: options.reconcileIntervalMs },
  });
}
