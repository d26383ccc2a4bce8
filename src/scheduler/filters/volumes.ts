// A named volume lives on one worker (docs/scheduling.md, "Volumes"): a task
// that mounts a volume some worker holds goes back to that worker only, and
// while that worker cannot take it (down, suspect, drained) the task waits
// for it, saying so, rather than start empty elsewhere. The manager says which
// of the task's volumes each worker holds (Candidate.volumes); a worker it
// forgot is offered no more, so its volumes tie the task to nothing.
import type { Ask, Filter, Rejected } from './filter.js';

/** The workers that hold the task's volumes, each with the volumes it holds, in the task's order. */
function holders({ homes }: Ask): Map<string, string[]> {
  const held = new Map<string, string[]>();
  for (const [volume, worker] of homes) held.set(worker, [...(held.get(worker) ?? []), volume]);
  return held;
}

/** Why the task waits for its volumes' one worker, which the filters left out as unavailable; undefined for any other reason. */
function waitingFor(name: string, volumes: string, rejected: readonly Rejected[]): string | undefined {
  const holder = rejected.find((r) => r.candidate.name === name)?.candidate;
  if (holder?.unavailable === undefined) return undefined;
  const waiting = `waiting for worker ${name}, which holds its volume ${volumes}`;
  if (holder.unavailable === 'draining') {
    return (
      `${waiting}: the worker is drained. ` +
      `Undrain it (cube node undrain ${name}) to run the task there with its data, or, to start it elsewhere with an empty volume, ` +
      `remove the volume (DELETE /nodes/${name}/volumes/${volumes.split(', ')[0]}: its data is lost) or the worker (cube node rm ${name})`
    );
  }
  return `${waiting}: the worker is ${holder.unavailable}${holder.problem ? ` (${holder.problem})` : ''}`;
}

export const volumes: Filter = {
  name: 'volumes',
  check: (ask, { name }) => {
    const held = [...holders(ask)];
    if (held.length === 0) return undefined;
    if (held.length > 1) return { group: 'not holding all its volumes, which live on different workers' };
    const [holder, names] = held[0]!;
    return holder === name ? undefined : { group: `without its volume ${names.join(', ')}, which ${holder} holds` };
  },
  waiting: (ask, rejected) => {
    const held = holders(ask);
    if (held.size > 1) {
      const where = [...held].map(([worker, names]) => `${names.join(', ')} on ${worker}`).join('; ');
      return `waiting: its volumes live on different workers (${where}), and a task runs on one; remove all but one worker's (DELETE /nodes/{name}/volumes/{volume})`;
    }
    const [only] = held;
    return only && waitingFor(only[0], only[1].join(', '), rejected);
  },
};
