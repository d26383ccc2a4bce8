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

**The settings, side by side.** Health: GET / every ${cube.env.CUBE_HEALTH_INTERVAL}, 3 failures, on both; Cube checks from
the worker through the published port, Swarm inside the container (\`wget\`). Cube's MinHealthy ${cube.Update.MinHealthy}
is Swarm's \`--update-monitor\` ${swarm.update.monitor} (the Engine API reads 0 as its default of 5 s); rollback on failure on
both. Where they do not map: Cube takes an old copy out of the endpoints for its ShutdownDelay (${cube.ShutdownDelay})
before it stops it, so clients stop picking it first; Swarm has no such step and stops the old container as soon as the
new one is up. And the client's endpoints: Cube's come from its \`GET /events\` (\`service.endpoints\`); Swarm's routing
mesh needs IPVS, which this kernel lacks (${r.routingMesh.startsWith('not measured') ? 'a port published through it is refused' : r.routingMesh}), so its copies publish port 80 on the host and the
client learns them from Docker's events, as a load balancer watching Docker would: a container joins when Docker reports
it healthy and leaves when it is killed. ${r.swarmInitialisedByBenchmark ? 'The benchmark made this node a swarm manager (`docker swarm init`) and left swarm mode at the end.' : ''}

| | answered | done: median (min–max) | all new started | last old ended | most running | requests | longest gap |
|---|---:|---:|---:|---:|---:|---:|---:|
${row('Cube', r.cube)}
${row('Swarm', r.swarm)}

Docker ${r.docker}, ${when(r)}. ${r.disturbed ? `On this shared machine, ${r.disturbed}.` : ''}

**Run it:** \`node --import tsx bench/rolling-update.ts [rounds]\` (default 5; needs Docker and \`${r.base}\`, and the build:
\`npm run build\`).
`;
}
