// The "Slow clients" section: readers of GET /events that never read, and
// stalled sockets (bench/slow-clients.ts).
import { fmt, ms, s, when, yes } from './format.js';
import type { Json } from './results.js';

/** What readers that never read cost the manager, and how soon it closes stalled sockets. */
export function slowClientsSection(slowClients: Json, rows: string[]): string {
  const r = slowClients.readers;
  const t = slowClients.targets;
  const o = slowClients.options;
  const st = slowClients.stalled;
  const mb = (n: number) => `${fmt(n, 1)} MB`;
  const signed = (n: number) => `${n >= 0 ? '+' : '−'}${mb(Math.abs(n))}`;
  const peakAbove = r.readersPeakMB;
  const afterAbove = r.readersLeftMB;
  const ratio = r.loadedP99 / r.twinLoadedP99;
  const metMemory = peakAbove <= t.peakAboveBaselineMB && afterAbove <= t.afterAboveBaselineMB;
  const metLatency = ratio <= t.p99Ratio;
  rows.push(
    `| [Slow clients](#slow-clients) | ${o.readers} readers of \`GET /events\` that never read, events flowing: what they add to the manager's memory (highest vs highest), then leave after they close (lowest vs lowest), less the twin's own drift | **${signed(peakAbove)}**, after **${signed(afterAbove)}** | ≤ +${t.peakAboveBaselineMB} MB, then ≤ +${t.afterAboveBaselineMB} MB | ${yes(metMemory)} |`,
  );
  rows.push(
    `| | \`GET /tasks\` p99 with those readers / of a twin manager without, asked in turn | ${ms(r.loadedP99)} / ${ms(r.twinLoadedP99)}: **${fmt(ratio, 2)}** | ≤ ${t.p99Ratio} | ${yes(metLatency)} |`,
  );
  rows.push(
    `| | stalled sockets with the default limits: ${st.slowHeaders.count} slow headers, ${st.halfBodies.count} half-sent bodies → closed | after ${s(st.slowHeaders.lastClosedMs)} and ${s(st.halfBodies.lastClosedMs)} at most | headers ${s(slowClients.limits.headersTimeoutMs)}, body ${s(slowClients.limits.bodyTimeoutMs)} (+ Node's check interval) | ${yes(st.slowHeaders.lastClosedMs <= slowClients.limits.headersTimeoutMs + 1500 && st.halfBodies.lastClosedMs <= slowClients.limits.bodyTimeoutMs + 1500)} |`,
  );
  return `## Slow clients

**What it measures.** A real \`cube start\` process (its worker is real, and idle: every task asks for 1 PiB of memory,
so it fails at once for want of room and Docker does no work). ${o.seedTasks} tasks with ${o.envBytes / 1024} KiB of \`Env\` each (what makes
events large; the snapshot is ${fmt(r.snapshotBytes / 1024)} KiB), and one of them submitted again every ${o.submitEveryMs} ms for the whole run,
so events keep coming while the number of records stays the same. Phases of ${s(o.phaseMs)}, each timing \`GET /tasks\` back
to back and sampling the managers' resident memory (VmRSS) every 50 ms: a warm-up, until the manager has made ${fmt(o.warmVersions)} changes
(more than the 4,096 it keeps for \`?since=\`, so its memory is at its steady state); without readers; with ${o.readers} readers that
open \`GET /events\` on raw sockets and never read; and after they close, phase after phase until its lowest is within
${t.afterAboveBaselineMB} MB of the lowest before (at most ${o.returnPhases}). A Node process's memory swings by tens of MB between garbage collections, so
like is compared with like: the highest with readers against the highest without, the lowest after (what is live once
collected) against the lowest before. A twin runs beside it: a second \`cube start\` with the same tasks and the same flow,
never a reader, asked \`GET /tasks\` in turn with the first, so both are timed at the same moments under the same noise of
this shared machine; what the twin's memory did meanwhile (the machine's and the flow's doing) is taken off the first's.
Then, on a fresh process with the
default limits, ${st.slowHeaders.count} clients that send a header line a second and never finish, and ${st.halfBodies.count} that send 10 bytes of a
1,000-byte body: the time until the manager closes each.

**Run it:** \`node --import tsx bench/slow-clients.ts [readers]\` (default 200; about 2 minutes; needs Docker for the worker).

| | without readers | with ${o.readers} readers | after they closed |
|---|---:|---:|---:|
| manager memory (RSS), lowest … highest | ${mb(r.baselineMB)} … ${mb(r.baselinePeakMB)} | … ${mb(r.peakMB)} | ${mb(r.afterMB)} … (${s(r.returnedAfterMs)} after) |
| its twin's, at the same moments | ${mb(r.twinBaselineMB)} … ${mb(r.twinBaselinePeakMB)} | … ${mb(r.twinPeakMB)} | ${mb(r.twinAfterMB)} … |
| \`GET /tasks\` p50 | ${ms(r.idleP50)} | ${ms(r.loadedP50)} (twin: ${ms(r.twinLoadedP50)}) | ${ms(r.idleAgainP50)} |
| \`GET /tasks\` p99 | ${ms(r.idleP99)} | ${ms(r.loadedP99)} (twin without readers: ${ms(r.twinLoadedP99)}) | ${ms(r.idleAgainP99)} |
| manager CPU (the one with readers) | ${fmt(r.idleCpu, 2)} cores | ${fmt(r.loadedCpu, 2)} cores | ${fmt(r.idleAgainCpu, 2)} cores |
| GETs timed | ${fmt(r.idleGets)} | ${fmt(r.loadedGets)} | |

${fmt(r.submitted)} submissions were made while the readers were connected; they leave as they came, without reading. A reader
that never reads is dropped (with a last \`stream.dropped\` event) only once the kernel's socket buffers (several MB on
loopback) and its ${fmt(slowClients.limits.streamBuffer / 1024)} KiB stream buffer are full; until then, what keeps memory flat is that the
events queued for every reader are the same bytes, encoded once, and each snapshot is encoded a record at a time as its
reader takes it (docs/security.md). Before this (issue 10), 20 such readers grew the manager from 185 MB to 550 MB, and it
stayed at 578 MB after they closed.

| stalled sockets (default limits) | count | first closed | last closed | answered |
|---|---:|---:|---:|---|
| header line every second, never finished | ${st.slowHeaders.count} | ${s(st.slowHeaders.firstClosedMs)} | ${s(st.slowHeaders.lastClosedMs)} | ${st.slowHeaders.answered408} answered \`408\` (\`CUBE_HEADERS_TIMEOUT\` ${s(slowClients.limits.headersTimeoutMs)}, checked every second) |
| 10 bytes of a 1,000-byte body | ${st.halfBodies.count} | ${s(st.halfBodies.firstClosedMs)} | ${s(st.halfBodies.lastClosedMs)} | ${st.halfBodies.answered408} answered \`408\` (\`CUBE_BODY_TIMEOUT\` ${s(slowClients.limits.bodyTimeoutMs)}) |

${when(slowClients)}; the machine's 1-minute load average (other work on this shared machine) was ${slowClients.machineLoad.join(' before and ')} after.
`;
}
