// A rolling update of 10 copies, two at a time, start-first, on real Docker:
// Cube against Docker Swarm on the same engine in the same run (issue 22).
//
//   npm run build && node --import tsx bench/rolling-update.ts [rounds]
//     [--min-healthy 0s] [--shutdown-delay 1s] [--health-interval 1s]
//   BENCH_TIMELINE=1 also prints where the time of each Cube rollout went.
//
// Each round makes a service of 10 copies of one image on each orchestrator
// (untimed) and updates it to another image; the order alternates round by
// round. The two images are made here from strm/helloworld-http (busybox
// httpd on port 80) by `docker commit` with a label each, so they differ and
// both orchestrators replace every copy; nothing is pulled.
//
// - Cube: a real `cube start` process (bench/rolling-update/cube.ts); PUT
//   /services/{name} with the new image; done when GET /events shows the
//   service's Deployment of version 2 `succeeded`.
// - Swarm: the Engine API's service update (what `docker service update`
//   calls); done when Docker's service events say `updatestate.new:
//   completed`. The node is made a swarm manager if it is not one, and leaves
//   swarm mode at the end, even on failure, if the benchmark made it one.
//
// Both are timed from the update request to its answer, to "done", and to
// the moment the last container of the old image ended, so every copy runs
// the new image (Docker's container events, for both alike). A client picks a
// random endpoint every 50 ms during each update and counts failed requests
// and the longest stretch in which none was answered
// (bench/rolling-update/picking-client.ts).
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { parseDuration } from '../src/vocabulary/duration.js';
import { DISTURBED_CORES, measureQuietly, median, round, saveResult } from './lib.js';
import { CubeSide, lowerId } from './rolling-update/cube.js';
import { COUNT, measureRollout, PARALLELISM, type Image, type Rollout, type Side } from './rolling-update/rollout.js';
import { SWARM_HEALTH_CMD, SwarmSide } from './rolling-update/swarm.js';
import { enterSwarm, type SwarmMode } from './swarm.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'min-healthy': { type: 'string', default: '0s' },
    'shutdown-delay': { type: 'string', default: '1s' },
    'health-interval': { type: 'string', default: '1s' },
  },
});
const rounds = Number(positionals[0] ?? 5);
const BASE = 'strm/helloworld-http';
const docker = new Docker();

const durationMs = (text: string, flag: string): number => {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`--${flag}: ${text} is not a duration like 500ms or 1s`);
  return ms;
};
const minHealthyMs = durationMs(values['min-healthy'], 'min-healthy');
const healthIntervalMs = durationMs(values['health-interval'], 'health-interval');
durationMs(values['shutdown-delay'], 'shutdown-delay');

/** The settings of each side, as the results state them. */
const settings = {
  cube: {
    Update: { Parallelism: PARALLELISM, Order: 'start-first', MinHealthy: values['min-healthy'], HealthyDeadline: '2m', OnFailure: 'rollback' },
    ShutdownDelay: values['shutdown-delay'],
    HealthCheck: '/',
    env: { CUBE_HEALTH_INTERVAL: values['health-interval'], CUBE_HEALTH_TIMEOUT: '1s', CUBE_HEALTH_FAILURES: '3' },
    checks: `GET / on the copy's published host port, from the worker, every ${values['health-interval']} (the first as the container starts, then every 100 ms until one passes, failures of the first period not counted)`,
  },
  swarm: {
    update: {
      parallelism: PARALLELISM,
      order: 'start-first',
      delay: '0s',
      // The Engine API reads a Monitor of 0 as "the default" (5 s): the shortest it takes is 1 ms.
      monitor: minHealthyMs === 0 ? '1ms' : values['min-healthy'],
      failureAction: 'rollback',
      maxFailureRatio: 0,
    },
    health: { cmd: SWARM_HEALTH_CMD, interval: values['health-interval'], timeout: '1s', retries: 3 },
    publish: 'port 80 published on the host (mode=host), a port per container',
    checks: `GET / on port 80 from inside the container (busybox wget), every ${values['health-interval']} (the first one period after the start)`,
  },
};

/** Two images that differ, made from BASE with `docker commit` (a label each): nothing is pulled. */
async function makeImages(): Promise<[Image, Image]> {
  const container = await docker.createContainer({ Image: BASE });
  try {
    const make = async (version: number): Promise<Image> => {
      await container.commit({ repo: 'cube-bench/hello', tag: String(version), changes: `LABEL cube-bench.version=${version}` });
      const tag = `cube-bench/hello:${version}`;
      return { tag, id: (await docker.getImage(tag).inspect()).Id };
    };
    return [await make(1), await make(2)];
  } finally {
    await container.remove();
  }
}

async function removeImages(images: Image[]): Promise<void> {
  for (const image of images)
    await docker
      .getImage(image.tag)
      .remove()
      .catch((error: Error) => console.log(`could not remove image ${image.tag}: ${error.message}`));
}

interface Measured extends Rollout {
  otherCores: number;
}

function summary(list: Measured[]) {
  const stats = (pick: (m: Measured) => number) => {
    const values = list.map(pick);
    return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), rounds: values.map((v) => round(v)) };
  };
  return {
    answeredMs: stats((m) => m.answeredMs),
    doneMs: stats((m) => m.doneMs),
    allNewStartedMs: stats((m) => m.allNewStartedMs),
    oldGoneMs: stats((m) => m.oldGoneMs),
    peakRunning: Math.max(...list.map((m) => m.peakRunning)),
    requests: list.reduce((sum, m) => sum + m.requests, 0),
    failed: list.reduce((sum, m) => sum + m.failures.length, 0),
    gapMs: Math.max(...list.map((m) => m.gapMs)),
    rounds: list.map((m) => ({
      answeredMs: round(m.answeredMs),
      doneMs: round(m.doneMs),
      allNewStartedMs: round(m.allNewStartedMs),
      oldGoneMs: round(m.oldGoneMs),
      peakRunning: m.peakRunning,
      requests: m.requests,
      failed: m.failures.length,
      gapMs: m.gapMs,
      // The first few say what failed; the count says how many.
      failures: m.failures.slice(0, 5),
      otherCores: m.otherCores,
    })),
  };
}

async function main() {
  const version = await docker.version();
  const images = await makeImages();
  let swarmMode: SwarmMode | undefined;
  let cube: CubeSide | undefined;
  let swarm: SwarmSide | undefined;
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    await cube?.close();
    swarm?.close();
    await swarmMode?.leave();
    await removeImages(images);
  };
  // Interrupted, it still leaves swarm mode and removes what it made.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

  const results: Record<'cube' | 'swarm', Measured[]> = { cube: [], swarm: [] };
  let discarded = 0;
  try {
    swarmMode = await enterSwarm();
    if (swarmMode.error) throw new Error(`Swarm cannot run here: ${swarmMode.error}`);
    if (swarmMode.initialised) console.log('this node was made a swarm manager for the benchmark (docker swarm init); it leaves at the end');
    cube = await CubeSide.start({ minHealthy: values['min-healthy'], ShutdownDelay: values['shutdown-delay'], env: settings.cube.env });
    swarm = new SwarmSide({ monitorMs: Math.max(1, minHealthyMs), healthIntervalMs, healthTimeoutMs: 1000, healthRetries: 3 });
    await swarm.open();
    const sides: Record<'cube' | 'swarm', Side> = { cube, swarm };
    console.log(`Docker ${version.Version}; ${COUNT} copies, ${images[0].tag} → ${images[1].tag}; ${rounds} rounds after a warm-up of each`);

    for (const name of ['cube', 'swarm'] as const) {
      const warm = await measureRollout(sides[name], `roll-${lowerId()}`, images[0], images[1]);
      console.log(`warm-up ${name}: done after ${(warm.doneMs / 1000).toFixed(2)} s (not counted)`);
    }
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? (['cube', 'swarm'] as const) : (['swarm', 'cube'] as const)) {
        const quietly = await measureQuietly(() => measureRollout(sides[name], `roll-${lowerId()}`, images[0], images[1]), `${name}, round ${r + 1}`);
        discarded += quietly.discarded;
        const m = { ...quietly.value, otherCores: quietly.otherCores };
        results[name].push(m);
        console.log(
          `round ${r + 1} ${name.padEnd(5)} answered ${Math.round(m.answeredMs)} ms, done ${(m.doneMs / 1000).toFixed(2)} s, ` +
            `all new started ${(m.allNewStartedMs / 1000).toFixed(2)} s, old gone ${(m.oldGoneMs / 1000).toFixed(2)} s; ` +
            `at most ${m.peakRunning} running; ${m.failures.length} of ${m.requests} requests failed${m.failures[0] ? ` (first: ${JSON.stringify(m.failures[0])}; longest gap ${m.gapMs} ms)` : ''}; ` +
            `other processes ${m.otherCores} cores`,
        );
      }
    }
  } finally {
    await cleanUp();
  }

  const cubeSummary = summary(results.cube);
  const swarmSummary = summary(results.swarm);
  const result = {
    title: `Rolling update of ${COUNT} copies on real Docker`,
    measures: `a service of ${COUNT} copies updated to another image, Parallelism ${PARALLELISM}, start-first, under a client's requests: Cube against Docker Swarm in the same run`,
    count: COUNT,
    base: BASE,
    images,
    rounds,
    docker: version.Version,
    settings,
    swarmInitialisedByBenchmark: swarmMode.initialised,
    routingMesh:
      'not measured: the routing mesh needs IPVS in the kernel, and this kernel has none (/proc/net/ip_vs is missing; dockerd logs that it cannot read net.ipv4.vs.*): a port published through it is refused',
    cube: cubeSummary,
    swarm: swarmSummary,
    ratioDone: round(cubeSummary.doneMs.median / swarmSummary.doneMs.median, 3),
    ratioOldGone: round(cubeSummary.oldGoneMs.median / swarmSummary.oldGoneMs.median, 3),
    remeasured: discarded,
    disturbed: `measurements during which other processes took more than ${DISTURBED_CORES} cores were taken again (at most 3 attempts): ${discarded} this time`,
    met: cubeSummary.doneMs.median <= swarmSummary.doneMs.median && cubeSummary.oldGoneMs.median <= swarmSummary.oldGoneMs.median && cubeSummary.failed === 0,
  };
  console.log(
    `medians: done cube ${result.cube.doneMs.median} ms, swarm ${result.swarm.doneMs.median} ms (ratio ${result.ratioDone}); ` +
      `old gone cube ${result.cube.oldGoneMs.median} ms, swarm ${result.swarm.oldGoneMs.median} ms (ratio ${result.ratioOldGone})`,
  );
  console.log(
    `failed requests: cube ${cubeSummary.failed} of ${cubeSummary.requests} (longest gap ${cubeSummary.gapMs} ms), ` +
      `swarm ${swarmSummary.failed} of ${swarmSummary.requests} (longest gap ${swarmSummary.gapMs} ms)`,
  );
  console.log(`target (cube ≤ swarm, 0 failed for cube): ${result.met ? 'met' : 'MISSED'}`);
  console.log(`saved ${saveResult('rolling-update', result)}`);
}

await main();
