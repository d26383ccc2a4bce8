// The "Rolling update on real Docker" section: a service rolled to a new
// image under a client's requests, Cube against Docker Swarm (bench/rolling-update.ts).
import { COLORS, secondsBar, writeChart, type Bar } from './chart.js';
import { ms, s, when, yes } from './format.js';
import type { Json } from './results.js';

/** The same service updated by Cube and by Swarm: time to done, failed requests, the longest gap. */
export function rollingUpdateSection(r: Json, rows: string[]): string {
  const failed = (side: Json) => `${side.failed} of ${side.requests} failed`;
  rows.push(
    `| [Rolling update on real Docker](#rolling-update-on-real-docker) | ${r.count} copies rolled to a new image under requests, Cube against Docker Swarm | done: cube ${s(r.cube.doneMs.median)} vs swarm ${s(r.swarm.doneMs.median)}, **ratio ${r.ratioDone}**; requests: cube ${failed(r.cube)}, swarm ${failed(r.swarm)} | cube ≤ swarm, none failed | ${yes(r.met)} |`,
  );
  const bar = (label: string, measured: Json, color: string): Bar => secondsBar(label, measured.median, measured.rounds, color);
  const chart = writeChart('rolling-update', {
    title: `Rolling update of ${r.count} copies on real Docker`,
    subtitle: `from the update request; median of ${r.rounds} rounds, dots are rounds; done cube/swarm = ${r.ratioDone}`,
    unit: 'seconds (lower is better)',
    bars: [
      bar('Cube: done', r.cube.doneMs, COLORS.cube),
      bar('Swarm: done', r.swarm.doneMs, COLORS.swarm),
      bar('Cube: last old copy ended', r.cube.oldGoneMs, COLORS.cube),
      bar('Swarm: last old copy ended', r.swarm.oldGoneMs, COLORS.swarm),
    ],
  });
  const row = (name: string, side: Json) =>
    `| ${name} | ${ms(side.answeredMs.median)} | **${s(side.doneMs.median)}** (${s(side.doneMs.min)}–${s(side.doneMs.max)}) | ${s(side.allNewStartedMs.median)} | ${s(side.oldGoneMs.median)} | ${side.peakRunning} | ${failed(side)} | ${side.gapMs === 0 ? 'none' : ms(side.gapMs)} |`;
  const { cube, swarm } = r.settings;
  return `## Rolling update on real Docker

${chart}

**What it measures.** The same service of ${r.count} copies of a small HTTP server (busybox httpd, images made here from
\`${r.base}\` with \`docker commit\`: nothing is pulled) is updated to another image, ${r.settings.cube.Update.Parallelism === 1 ? 'one copy' : `${r.settings.cube.Update.Parallelism} copies`} at a time,
start-first, once by Cube (a real \`cube start\`, \`PUT /services/{name}\`) and once by Docker Swarm on the same engine (the
Engine API's service update, as \`docker service update\` makes it), in alternating order. Each is timed from the update
request to its answer, to **done** (Cube's Deployment \`succeeded\`; Swarm's \`updatestate.new: completed\` event) and to
the moment the last container of the old image ended (Docker's container events, for both alike). Throughout, a client
sends a GET every 50 ms to a random endpoint of the service, a new connection each, and counts the requests that failed
and the longest stretch in which none was answered.

**The settings, side by side.**

| | Cube | Swarm |
|---|---|---|
| copies, at a time, order | ${r.count}, ${cube.Update.Parallelism}, ${cube.Update.Order} | ${r.count}, ${swarm.update.parallelism}, ${swarm.update.order} (\`--update-parallelism\`, \`--update-order\`) |
| health check | GET / every ${cube.env.CUBE_HEALTH_INTERVAL}, time limit ${cube.env.CUBE_HEALTH_TIMEOUT}, ${cube.env.CUBE_HEALTH_FAILURES} failures; from the worker through the published port | GET / every ${swarm.health.interval}, time limit ${swarm.health.timeout}, ${swarm.health.retries} retries; inside the container (busybox \`wget\`) |
| first check | as the container starts, then every 100 ms until one passes; failures count from one interval on | one interval after the start (Docker ${r.docker} has no \`--health-start-interval\`) |
| healthy for, before it counts | MinHealthy ${cube.Update.MinHealthy} | \`--update-monitor\` ${swarm.update.monitor} (the Engine API reads 0 as its default, 5 s) |
| the old copy | out of the endpoints for its ShutdownDelay (${cube.ShutdownDelay}, the default), then stopped; the next slot starts once it has ended, so at most ${r.count} + ${cube.Update.Parallelism} run | stopped once the new task runs; the next batch does not wait for it to end (hence the most running above ${r.count} + ${swarm.update.parallelism}) |
| between batches, on failure | no delay; ${cube.Update.OnFailure} | \`--update-delay\` ${swarm.update.delay}; ${swarm.update.failureAction}, \`--update-max-failure-ratio\` ${swarm.update.maxFailureRatio} |
| the client's endpoints | Cube's \`GET /events\` (\`service.endpoints\`) | Docker's events: a container joins when reported healthy, leaves when killed (the routing mesh needs IPVS, which this kernel lacks: ${r.routingMesh.startsWith('not measured') ? 'a port published through it is refused' : r.routingMesh}); copies publish port 80 on the host |

${r.swarmInitialisedByBenchmark ? 'The benchmark made this node a swarm manager (`docker swarm init`) and left swarm mode at the end.' : ''}

| | answered | done: median (min–max) | all new started | last old ended | most running | requests | longest gap |
|---|---:|---:|---:|---:|---:|---:|---:|
${row('Cube', r.cube)}
${row('Swarm', r.swarm)}

Docker ${r.docker}, ${when(r)}. ${r.disturbed ? `On this shared machine, ${r.disturbed}.` : ''}

**Where Cube's time goes, and what changed.** Each slot holds one of the ${cube.Update.Parallelism} places of the rollout
from its new copy's request until its old copy has ended: the container's create and start (about 0.3–0.5 s here, as for
Swarm), the first passed check, the ShutdownDelay (1 s), and the old container's stop (0.2–0.3 s). Measured with
\`BENCH_TIMELINE=1\` (the copies' histories against the PUT), the first run of this benchmark at ${r.count} copies took
16.1 s, two things making each step a second or more longer than it had to be: the first health check waited a whole
interval after the start (now: at the start, then every 100 ms until one passes, failures counted from one interval on
as before, docs/spec.md §6), and a copy's change reached its service dated at the manager's last tick, up to a second old,
so a copy that had just passed was judged not yet healthy and the service woke a second tick later (now: a report is dated
when it was heard, docs/architecture.md). The ShutdownDelay stays in each step: Swarm has no such step, and keeping
it (with the bound of ${r.count} + ${cube.Update.Parallelism} running) is what keeps the client's requests from failing.

**Run it:** \`node --import tsx bench/rolling-update.ts [rounds]\` (default 5; needs Docker and \`${r.base}\`, and the build:
\`npm run build\`).
`;
}
