// Where a service's copy may go, among the workers that can take it (docs/spec.md
// §9, docs/scheduling.md "Spread"): with no Spread, the workers with the fewest
// copies of the service, so copies go to distinct workers while there are
// enough, then evenly; with Spread "zone", first the values of the zone label
// with the fewest copies (a worker without the label counts as the value
// "(none)"), then the fewest on a worker within them. Copies on workers that
// cannot take this one still count for their value: spread is over the
// cluster, not over what is free. A task of its own goes anywhere.
import type { Candidate } from '../vocabulary/scheduler.js';
import type { Task } from '../vocabulary/task.js';

const NONE = '(none)';

const fewest = (candidates: readonly Candidate[], count: (c: Candidate) => number): Candidate[] => {
  const least = Math.min(...candidates.map(count));
  return candidates.filter((c) => count(c) === least);
};

/** The fitting workers a service's copy is placed among, and a note for the placement's reason ("" when nothing narrowed). */
export function spread(task: Task, all: readonly Candidate[], fitting: readonly Candidate[]): { chosen: Candidate[]; note: string } {
  if (task.Service === '' || fitting.length < 2) return { chosen: [...fitting], note: '' };
  const copies = (c: Candidate) => c.copies ?? 0;
  if (task.Spread === '') return { chosen: fewest(fitting, copies), note: '' };
  const valueOf = (c: Candidate) => c.labels?.[task.Spread] ?? NONE;
  const perValue = new Map<string, number>();
  for (const c of all) perValue.set(valueOf(c), (perValue.get(valueOf(c)) ?? 0) + copies(c));
  const byValue = fewest(fitting, (c) => perValue.get(valueOf(c))!);
  const value = valueOf(byValue[0]!);
  const counts = [...new Set(fitting.map(valueOf))].map((v) => `${v} ${perValue.get(v)}`).join(', ');
  return { chosen: fewest(byValue, copies), note: `spread over ${task.Spread}: ${task.Spread}=${value} has the fewest copies (${counts})` };
}
