// A phase of the scale section (bench/scale.ts): what is kept of tasks that are gone.
import { fmt } from '../format.js';
import type { Json } from '../results.js';
import { phaseWhen } from './phase.js';

/** Scale, retained: the heap a manager keeps of tasks it ran, stopped and pruned. */
export function scaleRetained(r: Json, x: Json, rows: string[]): string {
  const heaps = (y: Json) => y.heapMB.map((mb: number) => `${fmt(mb, 1)} MB`).join(', ');
  const before = x.baseline ? ` / ${fmt(x.baseline.bytesPerTaskRun)} B at ${x.baseline.commit}, before shards retired` : '';
  rows.push(
    `| | heap kept per task run, stopped and pruned, after the first ${fmt(x.n)} (${x.rounds} rounds of ${fmt(x.n)}, one manager, FAKE runtime) | **${fmt(x.bytesPerTaskRun)} B**${before} | none set (the issue: cost follows the work, not the history) | no target |`,
  );
  return `### Retained: what is kept of tasks that are gone (${phaseWhen(x, r)})

One manager with its worker (bench/scale-server.ts, \`CUBE_RETENTION_MAX=0\`): each round POSTs ${fmt(x.n)} tasks, waits until all
are Running, DELETEs them, waits until all are Completed, asks for a sweep (\`POST /gc\`, after which \`GET /tasks\` must be empty)
and reads the V8 heap after a full GC. Bounded buffers (the worker's last 4,096 changes, the event log) fill in the first round;
after it, the heap per task run is **${fmt(x.bytesPerTaskRun)} B** (heap over the start after each round: ${heaps(x)}).${
    x.baseline
      ? `

The same rounds on commit ${x.baseline.commit} (checkout ${x.baseline.root}), after, in the same run: **${fmt(x.baseline.bytesPerTaskRun)} B** per task run (${heaps(x.baseline)}).
There, XState kept two transition lookups for every task a worker ever ran: it memoizes them per event type, and each task
actor's snapshot and done events carry the actor's id in their type. Shards now retire (machines/shard-pool.ts).`
      : ''
  }
`;
}
