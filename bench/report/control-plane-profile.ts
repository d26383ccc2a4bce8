// Where the control plane's manager spends its time, from the CPU profiles
// bench/control-plane.ts --profile takes: the tables, and the findings under them.
import { fmt, ms, s } from './format.js';
import type { Json } from './results.js';

/** What a function that stands out in a profile is doing, for the findings under the tables. */
const KNOWN: Record<string, string> = {
  resolveSpawn:
    "XState's spawn: it copies the parent's `children` object (`{ ...snapshot.children, [id]: actorRef }`) on every spawn, " +
    'so each new task actor costs time in proportion to the task actors its shard already holds ' +
    "(machines/shard.ts spreads a worker's tasks over 64 shards, so about n/64 of them): linear per task, so quadratic in total. " +
    'The rate at 10,000 tasks still meets its targets, but this is the one cost that keeps growing with n; more shards, or children ' +
    'kept in a Map outside the snapshot, would flatten it',
  '(garbage collector)': 'V8 collecting the short-lived objects of each event: task records copied per update, snapshots, JSON strings',
  writev: 'the socket writes of the answers and of the event stream (one `task.updated` per change of every task)',
};

/** Functions whose self time per task grows between the sizes, and what the known ones do. */
function findings(small: Json | undefined, large: Json, smallN: number, largeN: number): string {
  if (!small) return '';
  const lines: string[] = [];
  for (const entry of large.self.slice(0, 12)) {
    const before = small.self.find((e: Json) => e.name === entry.name);
    const name = entry.name.startsWith('(') ? entry.name : entry.name.split(' ')[0];
    const growth = before ? entry.usPerTask / before.usPerTask : undefined;
    if (growth !== undefined && growth >= 2) {
      lines.push(
        `- **\`${name}\` grows with the number of tasks:** ${fmt(before.usPerTask, 1)} µs per task at ${fmt(smallN)}, ${fmt(entry.usPerTask, 1)} µs at ${fmt(largeN)} ` +
          `(×${fmt(growth, 1)}), ${entry.percent} % of the manager's time at ${fmt(largeN)}.${KNOWN[name] ? ` It is ${KNOWN[name]}.` : ''}`,
      );
    } else if (KNOWN[name] && entry.percent >= 5) {
      lines.push(`- \`${name}\`, ${entry.percent} % at ${fmt(largeN)} (flat per task): ${KNOWN[name]}.`);
    }
  }
  const xstate = large.areas.find((a: Json) => a.name === 'xstate');
  if (xstate)
    lines.push(
      `- XState as a whole (the manager, worker, shard and task actors) takes ${xstate.percent} % of the manager's thread: it is where a POST's time goes, not the HTTP edge.`,
    );
  return lines.length > 0 ? `\n**Findings.**\n\n${lines.join('\n')}\n` : '';
}

/** What the CPU profiles of the extra runs show, by area and by function, when there are profiles. */
export function whereTimeGoes(r: Json): string {
  const profiles: Json[] = r.profiles ?? [];
  const large = profiles.find((p) => p.n === r.large.n);
  const small = profiles.find((p) => p.n === r.small.n);
  if (!large) return '';
  const perTask = (p: Json | undefined, list: 'self' | 'cubeTotal', name: string) => {
    const hit = p?.[list]?.find((e: Json) => e.name === name);
    return hit ? `${fmt(hit.usPerTask, 1)} µs` : '—';
  };
  /** The first `count` functions of a list, with their share and their time per task at both sizes. */
  const functions = (list: 'self' | 'cubeTotal', count: number) => {
    const rows = large[list]
      .slice(0, count)
      .map((f: Json) => `| \`${f.name}\` | ${f.percent} % | ${perTask(small, list, f.name)} | ${perTask(large, list, f.name)} |`);
    return [
      `| function | share at ${fmt(r.large.n)} | per task at ${fmt(r.small.n)} | per task at ${fmt(r.large.n)} |`,
      '|---|---:|---:|---:|',
      rows.join('\n'),
    ].join('\n');
  };
  return `
### Where the manager's time goes

A CPU profile of the manager's thread (the inspector's sampling profiler, taken in extra runs that are not counted:
${fmt(small?.tasksPerSecondWhileProfiled ?? 0)} and ${fmt(large.tasksPerSecondWhileProfiled)} tasks/s under the profiler).
Per-task costs at ${fmt(r.small.n)} and ${fmt(r.large.n)} tasks show whether anything grows with the number of tasks.

By area (self time, ${fmt(r.large.n)} tasks, ${s(large.ms)} profiled):

| area | share | time |
|---|---:|---:|
${large.areas
  .slice(0, 10)
  .map((a: Json) => `| ${a.name} | ${a.percent} % | ${ms(a.ms)} |`)
  .join('\n')}

Functions with the most self time:

${functions('self', 12)}

Cube's functions by total time (their callees included; a POST's whole synchronous path runs inside \`ask\`):

${functions('cubeTotal', 10)}
${findings(small, large, r.small.n, r.large.n)}`;
}
