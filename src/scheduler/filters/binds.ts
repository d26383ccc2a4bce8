// A task that binds host paths goes only to a worker whose --volume-root
// allows every one of them (its stats carry them, VolumeRoots); the worker
// refuses any other, as the last word on its host's paths.
import { bindSources, bindsOutside } from '../../vocabulary/mounts.js';
import type { Filter } from './filter.js';

export const binds: Filter = {
  name: 'binds',
  check: ({ task }, { name, stats }) => {
    const roots = stats.VolumeRoots ?? [];
    if (bindsOutside(task.Mounts, roots).length === 0) return undefined;
    return {
      group: `not letting tasks bind ${bindSources(task.Mounts).join(', ')} (its --volume-root)`,
      detail: `${name} allows ${roots.join(', ') || 'none'}`,
    };
  },
};
