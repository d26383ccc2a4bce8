// Where a task with mounts may go (docs/scheduling.md, "Volumes"): a task with
// a named volume goes back to the worker that holds that volume, and waits
// (Pending, saying why) while that worker is down or drained, rather than start
// empty elsewhere; a task that binds host paths goes only to workers whose
// --volume-root allows them. Pure: the task, the workers and where volumes
// live in; the workers allowed, or why the task waits, out. A volume whose
// worker the manager forgot (`cube node rm`) ties the task to nothing: it is
// made again, empty, where the task lands.
import type { Task } from '../../src/vocabulary/task.js';
import { bindsOutside, volumeNames } from '../../src/vocabulary/mounts.js';

/** What the rule needs of a worker. */
export interface VolumeWorker {
  name: string;
  state: 'unknown' | 'up' | 'suspect' | 'down';
  draining: boolean;
  problem: string;
  /** Host paths it lets tasks bind (its stats' VolumeRoots); none when it has not said. */
  roots: readonly string[];
  /** A worker that speaks the book's protocol cannot be told Mounts (docs/api.md, "The book's protocol"). */
  protocol?: 'cube' | 'book';
}

/** The workers the task may go to (`only`; null: any), or why it waits. */
export type VolumeVerdict = { only: ReadonlySet<string> | null } | { wait: string };

const ANY: VolumeVerdict = { only: null };

/** Why `worker` cannot take a task back now, or undefined when it can. */
function unavailable(worker: VolumeWorker, volumes: string): string | undefined {
  if (worker.draining) {
    return (
      `waiting for worker ${worker.name}, which holds its volume ${volumes}: the worker is drained. ` +
      `Undrain it (cube node undrain ${worker.name}) to run the task there with its data, or, to start it elsewhere with an empty volume, ` +
      `remove the volume (DELETE /nodes/${worker.name}/volumes/${volumes.split(', ')[0]}: its data is lost) or the worker (cube node rm ${worker.name})`
    );
  }
  if (worker.state !== 'up') {
    return `waiting for worker ${worker.name}, which holds its volume ${volumes}: the worker is ${worker.state}${worker.problem ? ` (${worker.problem})` : ''}`;
  }
  return undefined;
}

/**
 * The rule for one task. `homes` maps a volume's name to the worker that holds
 * it; `workers` are the workers the manager has, whatever their state.
 */
export function volumePlacement(task: Task, workers: readonly VolumeWorker[], homes: ReadonlyMap<string, string>): VolumeVerdict {
  if (task.Mounts.length === 0) return ANY;
  const byName = new Map(workers.map((w) => [w.name, w]));
  // The workers that hold its volumes, with the volumes each holds.
  const held = new Map<string, string[]>();
  for (const volume of volumeNames(task.Mounts)) {
    const home = homes.get(volume);
    if (home === undefined || !byName.has(home)) continue;
    held.set(home, [...(held.get(home) ?? []), volume]);
  }
  if (held.size > 1) {
    const where = [...held].map(([worker, volumes]) => `${volumes.join(', ')} on ${worker}`).join('; ');
    return {
      wait: `waiting: its volumes live on different workers (${where}), and a task runs on one; remove all but one worker's (DELETE /nodes/{name}/volumes/{volume})`,
    };
  }
  let only: Set<string> | null = null;
  for (const [home, volumes] of held) {
    const why = unavailable(byName.get(home)!, volumes.join(', '));
    if (why) return { wait: why };
    only = new Set([home]);
  }
  const able = workers.filter((w) => w.protocol !== 'book' && bindsOutside(task.Mounts, w.roots).length === 0);
  if (able.length === workers.length) return { only };
  const usable = able.filter((w) => (only === null || only.has(w.name)) && unavailable(w, '') === undefined);
  if (usable.length > 0) return { only: new Set(usable.map((w) => w.name)) };
  const paths = task.Mounts.filter((m) => m.Type === 'bind').map((m) => m.Source);
  const each = workers.map((w) => {
    const can =
      w.protocol === 'book' ? "speaks the book's protocol, which cannot carry Mounts" : w.roots.length > 0 ? `allows ${w.roots.join(', ')}` : 'allows none';
    return `${w.name} ${can}${w.draining ? ', drained' : w.state !== 'up' ? `, ${w.state}` : ''}`;
  });
  const wanted = paths.length > 0 ? `lets tasks bind ${paths.join(', ')} (its --volume-root)` : 'can mount volumes';
  return { wait: `waiting for a worker that is up and ${wanted}: ${each.join('; ')}` };
}
