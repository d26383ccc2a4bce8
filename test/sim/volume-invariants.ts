// The invariant of named volumes (scenarios drawn with placement;
// docs/scheduling.md, "Volumes"), checked beside those of tasks
// (invariants.ts): volume-one-worker.
//
// A volume lives on the worker where a task that mounts it was last placed:
// its holder, as the checker saw the manager's placements. The rule, stated
// with its exceptions: a task is placed away from its volume's holder only
// when the manager does not have that worker (left out of its --workers, as
// the simulator does, or removed with cube node rm) or the volume was removed
// through it (DELETE /nodes/{name}/volumes/{volume}; the simulator makes no
// such call); never while the holder is one of its workers, whatever its state
// (down, suspect, drained). So containers of a task with a named volume never
// run on two engines at once, unless it was moved away from a holder the
// manager did not have, whose copy runs on out of its reach until it has that
// worker again and stops it.
import { volumeNames } from '../../src/vocabulary/mounts.js';
import { placementBase } from '../../src/vocabulary/placement.js';
import type { Task } from '../../src/vocabulary/task.js';
import type { SimEngine } from './engine.js';

export class VolumeChecker {
  /** Volume → the worker of the last placement seen of a task that mounts it. */
  private readonly holders = new Map<string, string>();
  /** Task → its last placement seen (its base). */
  private readonly placements = new Map<string, string>();
  /** Tasks placed away from a holder the manager did not have: their old copy may run on beside the new one for a while. */
  private readonly moved = new Set<string>();
  /** The workers of the manager process that runs now (or ran last). */
  private workers: ReadonlySet<string> = new Set();

  constructor(private readonly fail: (invariant: string, detail: string) => void) {}

  /** A manager process starts with these workers (its --workers). */
  managerStarted(workers: readonly string[]): void {
    this.workers = new Set(workers);
  }

  /** The manager published a record: a new placement of a task with volumes is checked against their holders, then makes them its. */
  record(task: Task): void {
    const volumes = volumeNames(task.Mounts);
    if (volumes.length === 0 || task.StateName !== 'scheduled' || task.Worker === '') return;
    const placement = placementBase(task.Placement);
    if (this.placements.get(task.ID) === placement) return;
    this.placements.set(task.ID, placement);
    for (const volume of volumes) {
      const holder = this.holders.get(volume);
      if (holder !== undefined && holder !== task.Worker) {
        if (this.workers.has(holder)) {
          this.fail(
            'volume-one-worker',
            `${task.ID} was placed on ${task.Worker} (placement ${task.Placement}) away from ${holder}, which holds its volume ${volume} and is one of the manager's workers`,
          );
        } else {
          this.moved.add(task.ID);
        }
      }
      this.holders.set(volume, task.Worker);
    }
  }

  /** After every step: no task with a named volume runs on two engines at once, but one moved away from a holder the manager did not have. */
  afterStep(engines: readonly SimEngine[]): void {
    const runsOn = new Map<string, string[]>();
    for (const engine of engines) {
      for (const container of engine.containers.values()) {
        if (!container.running || container.volumes.length === 0) continue;
        const where = runsOn.get(container.taskId) ?? [];
        if (!where.includes(engine.name)) runsOn.set(container.taskId, [...where, engine.name]);
      }
    }
    for (const [id, where] of runsOn) {
      if (where.length > 1 && !this.moved.has(id)) this.fail('volume-one-worker', `${id}, which mounts a named volume, runs on ${where.join(' and ')} at once`);
    }
  }
}
