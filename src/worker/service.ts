// The worker as the HTTP edge sees it: reads come from the worker actor's
// records (a Completed one from the store, where it lives), writes are
// commands to the actor (docs/spec.md §3: the API only queues desired state).
// A command's intent is written before it is carried out
// (machines/worker.ts, `persistIntent`), so a refusal, 503 included, is known
// when `send` returns. Every change is kept in a change log, so a manager
// whose stream broke resumes where it was.
import type { ActorRefFrom } from 'xstate';
import type { WorkerMachine } from '../../machines/worker.js';
import { listing } from '../../machines/worker/listing.js';
import { ChangeLog } from '../actors/change-log.js';
import { ask, waitForTask, type CommandTarget } from '../actors/requests.js';
import { HttpError } from '../http/errors.js';
import type { FromWorker, WorkerStats } from '../vocabulary/protocol.js';
import { volumeStoreOf, type ContainerRuntime, type VolumeInfo } from '../runtime/types.js';
import { volumeNames } from '../vocabulary/mounts.js';
import { TaskState, type Task } from '../vocabulary/task.js';

export type WorkerRef = ActorRefFrom<WorkerMachine>;

/** Changes kept for resuming streams: a manager that was away for longer gets what changed from the records. */
const KEPT_CHANGES = 4096;

const now = () => new Date().toISOString();

export class WorkerService {
  private readonly target: CommandTarget;
  private readonly changes: ChangeLog<FromWorker>;

  constructor(
    readonly name: string,
    readonly actor: WorkerRef,
    /** Its container engine, for what the API reads from it directly (task logs). */
    readonly runtime?: ContainerRuntime,
    /** A record from the worker's store: a Completed task's, which the actor keeps only a DoneTask of. */
    private readonly stored: (id: string) => Task | undefined = () => undefined,
  ) {
    this.target = actor as unknown as CommandTarget;
    // Changes before this start are not in the log: a stream that resumes from before it gets them from the records.
    this.changes = new ChangeLog(KEPT_CHANGES, this.context().seq);
    actor.on('task.updated', (message) => this.changes.add(message.task.Version, message));
  }

  private context() {
    return this.actor.getSnapshot().context;
  }

  /** Every task that is not Completed. */
  liveTasks(): Task[] {
    return [...this.context().tasks.values()];
  }

  /** Every task, Completed ones read from the store as the list is sent. */
  *tasks(): Generator<Task> {
    const { tasks, done } = this.context();
    yield* [...tasks.values()];
    for (const id of [...done.keys()]) {
      const task = this.stored(id);
      if (task) yield task;
    }
  }

  task(id: string): Task {
    const { tasks, done } = this.context();
    const task = tasks.get(id) ?? (done.has(id) ? this.stored(id) : undefined);
    if (!task) throw new HttpError(404, `no task ${id} on worker ${this.name}; GET /tasks lists the tasks it has`);
    return task;
  }

  stats(): WorkerStats | null {
    return this.context().stats;
  }

  /** The newest version of any record here. */
  version(): number {
    return this.context().seq;
  }

  /**
   * What the worker has (machines/worker.ts, `listing`): what changed after
   * version `since`, or, without it, every record, Completed ones read from
   * the store (what a manager that knows nothing of this worker, or any other
   * client of GET /events, starts from).
   */
  listing(since?: number): Extract<FromWorker, { type: 'worker.tasks' }> {
    const changes = listing(this.context(), since, now());
    if (changes.held) return changes;
    const { done: _, ...full } = changes;
    return { ...full, tasks: [...this.tasks()] };
  }

  /**
   * A manager's sync (GET /tasks?since=N): what changed after version
   * `since`, and the worker hears that the manager has applied everything up
   * to it (a sweep by the count waits for that: machines/worker.ts, `unheard`).
   */
  sync(since: number): Extract<FromWorker, { type: 'worker.tasks' }> {
    this.actor.send({ type: 'manager.heard', since });
    return this.listing(since);
  }

  /** Finished tasks now, counted for what a sweep did. */
  finished(): number {
    return this.context().finished.size;
  }

  /**
   * Runs a task as placement `placement` (the manager's runs name one), or, for
   * a client's POST that names none, as docs/spec.md §1 says: a Running or
   * Failed task restarts, a Completed one is refused.
   */
  run(task: Task, placement = ''): Task {
    // The worker is the trust boundary of its host's paths: a bind outside its roots is refused whoever sends it.
    const outside = volumeStoreOf(this.runtime)?.mountRefusal(task.Mounts);
    if (outside) throw new HttpError(400, `Task.${outside}`);
    const refusal = ask(this.target, { type: 'task.run', task: { ...task, Placement: placement }, at: now() });
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
    return this.task(task.ID);
  }

  /** Stops a task (only placement `placement`, when named) and resolves once its container is gone (docs/spec.md §3 DELETE). */
  async stop(id: string, placement = ''): Promise<Task | undefined> {
    const current = this.context().tasks.get(id);
    const refusal = ask(this.target, { type: 'task.stop', id, placement, at: now() });
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
    return waitForTask(this.target, id, this.context().tasks.get(id) ?? current, (t) => t.State === TaskState.Completed);
  }

  /** The named volumes this worker made, each with the tasks here that use it now (docs/api.md, GET /volumes). */
  async volumes(): Promise<(VolumeInfo & { Worker: string; Tasks: string[] })[]> {
    const store = volumeStoreOf(this.runtime);
    if (!store) return [];
    return (await store.volumes()).map((volume) => ({ ...volume, Worker: this.name, Tasks: this.usersOf(volume.Name) }));
  }

  /** Removes a volume this worker made, refused (409) while a task here that is not Completed uses it. */
  async removeVolume(name: string): Promise<void> {
    const store = volumeStoreOf(this.runtime);
    if (!store) throw new HttpError(404, `worker ${this.name} runs no container engine that keeps volumes (CUBE_RUNTIME), so it has no volume ${name}`);
    const users = this.usersOf(name);
    if (users.length > 0) {
      throw new HttpError(
        409,
        `volume ${name} is used by task ${users.join(', ')} on worker ${this.name}; stop it first (its data is kept until the volume is removed)`,
      );
    }
    const refusal = await store.removeVolume(name);
    if (refusal) throw new HttpError(refusal.status, refusal.reason);
  }

  /** The tasks here, not Completed, that mount volume `name`. */
  private usersOf(name: string): string[] {
    return this.liveTasks()
      .filter((task) => volumeNames(task.Mounts).includes(name))
      .map((task) => task.ID);
  }

  /** Sweeps finished tasks now, forgetting also these placements (the manager pruned them); returns how many finished tasks went. */
  gc(forget: { id: string; placement: string }[] = []): { pruned: number; kept: number } {
    const before = this.finished();
    this.actor.send({ type: 'worker.gc', at: now(), forget });
    const kept = this.finished();
    return { pruned: before - kept, kept };
  }

  /** The changes after version `since`, or undefined when they are no longer all kept (or were never made here). */
  changesSince(since: number): FromWorker[] | undefined {
    return this.changes.since(since, this.version());
  }

  /** Every message the worker reports, for its event stream. */
  onMessage(listener: (message: FromWorker) => void): () => void {
    const subscriptions = (['task.updated', 'worker.stats'] as const).map((type) => this.actor.on(type, listener));
    return () => subscriptions.forEach((s) => s.unsubscribe());
  }
}
