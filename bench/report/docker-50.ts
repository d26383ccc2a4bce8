// The "50 containers on real Docker" section: 50 tasks at once through Cube,
// against raw dockerode and Docker Swarm (bench/docker-50.ts).
import { COLORS, secondsBar, writeChart, type Bar } from './chart.js';
import { escape, s, when, yes } from './format.js';
import type { Json } from './results.js';

/** 50 tasks at once through the manager, against raw dockerode and a Swarm service. */
export function docker50Section(r: Json, rows: string[]): string {
  const swarmOk = r.swarm && r.swarm.medianMs !== undefined;
  const byIdOk = r.swarmById && r.swarmById.medianMs !== undefined;
  rows.push(
    `| [50 containers on real Docker](#50-containers-on-real-docker) | 50 tasks at once through the manager → all Running, against raw dockerode (same concurrency) | cube ${s(r.cube.medianMs)} vs raw ${s(r.raw.medianMs)}: **ratio ${r.ratio}** | ≤ ${r.target} | ${yes(r.met)} |`,
  );
  rows.push(
    `| | the same 50 as a Docker Swarm service | ${
      swarmOk
        ? `by tag ${s(r.swarm.medianMs)}: **swarm/raw ${r.swarmRatio}**${byIdOk ? `; by image ID ${s(r.swarmById.medianMs)}: **${r.swarmByIdRatio}**` : ''}`
        : `not measured: ${escape(r.swarm?.error ?? 'unknown')}`
    } | (none) | — |`,
  );
  const bar = (label: string, measured: Json, color: string): Bar => secondsBar(label, measured.medianMs, measured.roundsMs, color);
  const bars = [bar('raw dockerode', r.raw, COLORS.raw), bar('Cube manager', r.cube, COLORS.cube)];
  if (byIdOk) bars.push(bar('Swarm, image by ID', r.swarmById, COLORS.swarm));
  if (swarmOk) bars.push(bar('Swarm, image by tag', r.swarm, COLORS.swarm));
  const chart = writeChart('docker-50', {
    title: '50 containers at once on real Docker',
    subtitle: `time until all 50 run; median of ${r.rounds} rounds, dots are rounds; cube/raw = ${r.ratio}${swarmOk ? `, swarm/raw = ${r.swarmRatio} by tag` : ''}${byIdOk ? `, ${r.swarmByIdRatio} by ID` : ''}`,
    unit: 'seconds (lower is better)',
    bars,
  });
  const roundRows = r.cube.roundsMs
    .map(
      (_: number, i: number) =>
        `| ${i + 1} | ${s(r.raw.roundsMs[i])} | ${s(r.cube.roundsMs[i])} | ${byIdOk ? s(r.swarmById.roundsMs[i]) : '—'} | ${swarmOk ? s(r.swarm.roundsMs[i]) : '—'} |`,
    )
    .join('\n');
  return `## 50 containers on real Docker

${chart}

**What it measures.** Fifty containers of \`${r.image}\` requested at once, in the same run:

- **Cube:** a manager with one worker in its process on the real \`DockerRuntime\` (\`startManager\` with
  \`local: [{ port: null, name: 'bench-<random>' }]\`, memory store); all 50 \`POST /tasks\` are sent at once, and the clock
  stops when the manager's \`GET /events\` stream has shown all 50 with State 2 (\`GET /tasks\` then confirms it).
- **raw:** dockerode \`createContainer\` + \`start\` of 50 containers, all 50 at once, with the options Cube gives Docker
  (HostConfig Init true, RestartPolicy "no", labels, no ports); the clock stops when the last start returns.
- **Swarm:** \`docker service create --detach --replicas 50 --no-resolve-image <image>\`; the clock stops when Docker's
  event stream has shown 50 of the service's containers started. Twice: **by tag** (\`${r.image}\`, as a user writes it)
  and **by image ID** (\`${r.imageId ?? 'sha256:…'}\`). By tag, Swarm's agent tries to pull the tag before every task
  (\`--no-resolve-image\` only spares the manager's lookup); this machine has no internet, so each pull fails at once (DNS)
  and the local image is used. By image ID the agent never pulls. The gap between the two is that per-task pull attempt.
  If the node is not a swarm manager the benchmark runs \`docker swarm init\`, and \`docker swarm leave --force\` at the
  end (only then).${r.swarmInitialisedByBenchmark ? ' It did so in this run.' : ''}

The order rotates every round; every container (and service) is removed after each measurement, untimed, before the
next begins, and one unmeasured raw round warms Docker up first. ${r.disturbed ? `On this shared machine, ${r.disturbed}.` : ''}

**Run it:** \`node --import tsx bench/docker-50.ts [rounds]\` (default 3; needs Docker and \`strm/helloworld-http\`).

| round | raw | Cube | Swarm (by ID) | Swarm (by tag) |
|---:|---:|---:|---:|---:|
${roundRows}
| **median** | **${s(r.raw.medianMs)}** | **${s(r.cube.medianMs)}** | ${byIdOk ? `**${s(r.swarmById.medianMs)}**` : '—'} | ${swarmOk ? `**${s(r.swarm.medianMs)}**` : '—'} |
| **ratio to raw** | 1 | **${r.ratio}** (target ≤ ${r.target}: ${yes(r.met)}) | ${byIdOk ? `**${r.swarmByIdRatio}**` : '—'} | ${swarmOk ? `**${r.swarmRatio}**` : `not measured: ${escape(r.swarm?.error ?? '')}`} |

Docker ${r.docker}, ${when(r)}. With 50 requests at once Docker itself is the bottleneck (it serialises much of
create/start), so Cube's own per-task work disappears in the wait; compare [Worker start](#worker-start) for one task alone.
`;
}
