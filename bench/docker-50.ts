// Fifty containers at once on real Docker: through Cube's manager, with raw
// dockerode, and as a Docker Swarm service, in the same run, round by round.
//
//   node --import tsx bench/docker-50.ts [rounds]      (default 3)
//
// - cube:  a manager with one worker in its process on the real DockerRuntime
//          (memory store), reached over HTTP on loopback. All 50 POST /tasks
//          are sent at once; the clock stops when the manager's GET /events
//          stream has shown all 50 with State 2 (then GET /tasks confirms it).
// - raw:   dockerode create + start of 50 containers of the same image, all 50
//          at once, with the options Cube gives Docker (HostConfig Init true,
//          RestartPolicy "no", labels, no ports); the clock stops when the
//          last start call returns.
// - swarm: `docker service create --detach --replicas 50 --no-resolve-image`;
//          the clock stops when the Docker API lists 50 of the service's tasks
//          as running (polled every 50 ms). The node is made a swarm manager
//          first if it is not one, and leaves the swarm at the end only then.
//          Twice: by tag (strm/helloworld-http, as a user writes it: each task
//          first tries to pull the tag, which fails at once here, with no
//          internet) and by image ID (sha256:…, which Swarm never pulls).
//
// The order of the methods rotates every round; every container is removed
// after each measurement, untimed, before the next one starts. Medians over
// the rounds give the ratios cube/raw (target ≤ 1.3) and swarm/raw.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { readSettings } from '../src/config/settings.js';
import { readEvents } from '../src/http/sse-client.js';
import { silentLog } from '../src/log.js';
import { startManager } from '../src/manager/start.js';
import { DISTURBED_CORES, measureQuietly, median, round, saveResult } from './lib.js';
import { removeLabelled, watchContainers } from './docker-containers.js';
import { enterSwarm } from './swarm.js';

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 3);
const COUNT = 50;
const IMAGE = 'strm/helloworld-http';
const docker = new Docker();
const suffix = () => nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x');

interface Measurement {
  /** From the first request to all 50 running. */
  ms: number;
  /** From the first request to the first one running, where it is seen. */
  firstMs?: number;
  note?: string;
  /** Cores other processes (not Docker's, not this one's) kept busy meanwhile. */
  otherCores?: number;
}

async function cube(): Promise<Measurement> {
  const name = `bench-${suffix()}`;
  const manager = await startManager({
    port: 0,
    local: [{ port: null, name }],
    settings: { ...readSettings({}, {}), store: 'memory' },
    log: silentLog,
  });
  const abort = new AbortController();
  try {
    const response = await fetch(`${manager.url}/events`, { signal: abort.signal });
    const running = new Set<string>();
    let first = 0;
    let settle: (error?: Error) => void = () => undefined;
    const allRunning = new Promise<number>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve(performance.now()))));
    allRunning.catch(() => undefined); // awaited below; a failure during the POSTs is not unhandled
    let up: () => void = () => undefined;
    const workerUp = new Promise<void>((resolve) => (up = resolve));
    void (async () => {
      try {
        for await (const { type, data } of readEvents(response.body!)) {
          if (type === 'snapshot' && data.nodes.some((n: { State: string }) => n.State === 'up')) up();
          else if (type === 'node.updated' && data.node.State === 'up') up();
          else if (type === 'task.updated') {
            if (data.task.State === 4) settle(new Error(`task ${data.task.Name} failed: ${data.task.Reason}`));
            if (data.task.State === 2 && !running.has(data.task.ID)) {
              running.add(data.task.ID);
              if (running.size === 1) first = performance.now();
              if (running.size === COUNT) settle();
            }
          }
        }
      } catch {
        // aborted: the measurement is over
      }
    })();
    await workerUp;

    const bodies = Array.from({ length: COUNT }, (_, i) => JSON.stringify({ Task: { ID: nanoid(), Name: `${name}-${i}`, Image: IMAGE } }));
    const begin = performance.now();
    await Promise.all(
      bodies.map(async (body) => {
        const reply = await fetch(`${manager.url}/tasks`, { method: 'POST', body });
        if (reply.status !== 201) throw new Error(`POST /tasks answered ${reply.status}: ${await reply.text()}`);
      }),
    );
    const end = await allRunning;
    const listed = (await (await fetch(`${manager.url}/tasks`)).json()) as { State: number }[];
    if (listed.length !== COUNT || listed.some((t) => t.State !== 2)) throw new Error('GET /tasks does not show 50 tasks with State 2');
    return { ms: end - begin, firstMs: first - begin };
  } finally {
    abort.abort();
    await manager.close();
    await removeLabelled(`cube.worker=${name}`);
  }
}

async function raw(): Promise<Measurement> {
  const name = `bench-raw-${suffix()}`;
  let first = 0;
  try {
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: COUNT }, async (_, i) => {
        const container = await docker.createContainer({
          name: `${name}-${i}`,
          Image: IMAGE,
          Env: [],
          Labels: { 'cube.worker': name },
          ExposedPorts: {},
          HostConfig: { PortBindings: {}, Init: true, RestartPolicy: { Name: 'no' } },
        });
        await container.start();
        first ||= performance.now();
      }),
    );
    const end = performance.now();
    return { ms: end - begin, firstMs: first - begin };
  } finally {
    await removeLabelled(`cube.worker=${name}`);
  }
}

/**
 * A swarm service of 50 replicas of `image`. By tag, as a user writes it, each
 * task's agent first tries to pull the tag (--no-resolve-image only spares the
 * manager's lookup); by image ID (sha256:…) the agent skips the pull.
 */
async function swarm(image: string): Promise<Measurement> {
  const name = `bench-swarm-${suffix()}`;
  let created = false;
  const started = await watchContainers(`com.docker.swarm.service.name=${name}`, 'start');
  try {
    const begin = performance.now();
    await run('docker', ['service', 'create', '--detach', '--replicas', String(COUNT), '--name', name, '--no-resolve-image', image]);
    created = true;
    const cliMs = performance.now() - begin;
    await started.until(
      (seen) => seen.size >= COUNT,
      300_000,
      () => `after 5 minutes ${started.seen.size} of ${COUNT} swarm containers started`,
    );
    const first = Math.min(...started.seen.values());
    const end = Math.max(...started.seen.values());
    return { ms: end - begin, firstMs: first - begin, note: `docker service create returned after ${Math.round(cliMs)} ms` };
  } finally {
    started.close();
    if (created) await run('docker', ['service', 'rm', name]).catch(() => undefined);
    await removeLabelled(`com.docker.swarm.service.name=${name}`);
  }
}

async function main() {
  const version = await docker.version();
  const swarmState = await enterSwarm();
  console.log(`Docker ${version.Version}; ${COUNT} containers of ${IMAGE} at once; ${rounds} rounds`);
  if (swarmState.initialised) console.log('this node was made a swarm manager for the benchmark (docker swarm init); it leaves at the end');
  if (swarmState.error) console.log(`Swarm cannot run here: ${swarmState.error}`);

  const imageId = (await docker.getImage(IMAGE).inspect()).Id;
  const methods: Record<string, () => Promise<Measurement>> = {
    cube,
    raw,
    ...(swarmState.error ? {} : { swarm: () => swarm(IMAGE), swarmById: () => swarm(imageId) }),
  };
  const results: Record<string, Measurement[]> = Object.fromEntries(Object.keys(methods).map((m) => [m, []]));
  const order = Object.keys(methods);
  let discarded = 0;
  try {
    // One unmeasured container first: the first start after a while warms Docker up.
    await raw().catch(() => undefined);
    for (let r = 0; r < rounds; r++) {
      const turn = [...order.slice(r % order.length), ...order.slice(0, r % order.length)];
      for (const method of turn) {
        // Docker finishes the previous cleanup, and nobody else's build runs, before the clock starts;
        // a measurement during which other processes were busy is taken again.
        const foreign = (await docker.listContainers()).length;
        const quietly = await measureQuietly(methods[method]!, `${method}, round ${r + 1}`);
        discarded += quietly.discarded;
        const m = { ...quietly.value, otherCores: quietly.otherCores };
        results[method]!.push(m);
        console.log(
          `round ${r + 1} ${method.padEnd(9)} ${(m.ms / 1000).toFixed(2)} s to all ${COUNT} running` +
            `${m.firstMs !== undefined ? ` (first after ${(m.firstMs / 1000).toFixed(2)} s)` : ''}` +
            `${m.note ? `; ${m.note}` : ''}${foreign ? `; ${foreign} other running container(s) on the engine` : ''}; other processes ${m.otherCores} cores`,
        );
      }
    }
  } finally {
    await swarmState.leave();
  }

  const summary = (method: string) => {
    const list = results[method];
    if (!list || list.length === 0) return undefined;
    return {
      medianMs: round(median(list.map((m) => m.ms))),
      roundsMs: list.map((m) => round(m.ms)),
      medianFirstMs: round(median(list.map((m) => m.firstMs ?? 0))),
    };
  };
  const cubeSummary = summary('cube')!;
  const rawSummary = summary('raw')!;
  const swarmSummary = summary('swarm');
  const swarmByIdSummary = summary('swarmById');
  const result = {
    title: '50 containers at once on real Docker',
    measures:
      'all 50 requested at once → all 50 running; cube: POST /tasks → State 2 on GET /events; raw: dockerode create+start; swarm: docker service create → 50 tasks running',
    count: COUNT,
    image: IMAGE,
    rounds,
    docker: version.Version,
    cube: cubeSummary,
    raw: rawSummary,
    swarm: swarmSummary ?? { error: swarmState.error },
    swarmById: swarmByIdSummary ?? { error: swarmState.error },
    imageId,
    swarmInitialisedByBenchmark: swarmState.initialised,
    ratio: round(cubeSummary.medianMs / rawSummary.medianMs, 3),
    swarmRatio: swarmSummary ? round(swarmSummary.medianMs / rawSummary.medianMs, 3) : null,
    swarmByIdRatio: swarmByIdSummary ? round(swarmByIdSummary.medianMs / rawSummary.medianMs, 3) : null,
    target: 1.3,
    remeasured: discarded,
    disturbed: `measurements during which other processes took more than ${DISTURBED_CORES} cores were taken again (at most 3 attempts): ${discarded} this time`,
    met: cubeSummary.medianMs / rawSummary.medianMs <= 1.3,
  };
  console.log(
    `medians: cube ${result.cube.medianMs} ms, raw ${result.raw.medianMs} ms` +
      `${swarmSummary ? `, swarm by tag ${swarmSummary.medianMs} ms` : ''}${swarmByIdSummary ? `, swarm by image ID ${swarmByIdSummary.medianMs} ms` : ''}`,
  );
  console.log(`ratio cube/raw: ${result.ratio} (target ≤ ${result.target}: ${result.met ? 'met' : 'MISSED'})`);
  console.log(
    swarmSummary
      ? `ratio swarm/raw: ${result.swarmRatio} by tag (each task tries a pull first), ${result.swarmByIdRatio} by image ID (no pull)`
      : `swarm: not measured (${swarmState.error})`,
  );
  console.log(`saved ${saveResult('docker-50', result)}`);
}

await main();
