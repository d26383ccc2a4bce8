// A bind that no worker allows is refused where it comes in (400, naming
// --volume-root), for a task and for a service's task template alike: the
// manager knows each worker's roots from its heartbeats (VolumeRoots), and a
// task that could run nowhere is better refused than left Pending for good.
// The worker refuses it too, as the last word on its host's paths.
import type { WorkerEntry } from '../../../machines/manager/ledger.js';
import { bindSources, bindsOutside, type Mount } from '../../vocabulary/mounts.js';

/** Why no worker can run `mounts`' binds (none of their --volume-root allows them all), or undefined; a worker not heard from yet allows none. */
export function bindRefusal(workers: Iterable<WorkerEntry>, mounts: readonly Mount[]): string | undefined {
  const binds = bindSources(mounts);
  if (binds.length === 0) return undefined;
  const known = [...workers];
  if (known.some((w) => bindsOutside(mounts, w.stats?.VolumeRoots ?? []).length === 0)) return undefined;
  const roots = known.map((w) => `${w.name}: ${w.stats?.VolumeRoots?.join(', ') || 'none'}`).join('; ');
  return `Task.Mounts: no worker lets tasks bind ${binds.join(', ')}; a worker allows host paths under its --volume-root (CUBE_VOLUME_ROOT) only (${roots || 'the manager has no workers'})`;
}
