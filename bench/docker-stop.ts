// What a stop costs on real Docker: 200 DELETE /tasks/{id} through a manager
// against raw dockerode stop + remove of 200 containers, in the same run,
// round by round (issue 13; target: cube ≤ 1.1× raw).
//
//   node --import tsx bench/docker-stop.ts [rounds] [count]      (default 3 rounds, 200 containers)
//
// - cube: a manager with one worker in its process on the real DockerRuntime
//         (memory store), reached over HTTP on loopback. 200 tasks are started
//         and seen Running (untimed); then all 200 DELETEs are sent, 20 in
//         flight, and the clock stops when the last is answered 204 (the
//         worker answers once the container is stopped and removed).
// - raw:  200 containers of the same image with the options Cube gives
//         Docker (Init, RestartPolicy "no", four labels, and, since the task
//         names no ports, the image's ports published: the port mappings are
//         part of what a stop undoes) are created and started (untimed); then
//         dockerode stop (t = 10, as CUBE_STOP_TIMEOUT) and remove (force)
//         of each, 20 in flight, until the last remove returns.
//
// The order alternates every round; medians give the ratio cube/raw.
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { readSettings } from '../src/config/settings.js';
import { silentLog } from '../src/log.js';
import { startManager } from '../src/manager/start.js';
import { DISTURBED_CORES, measureQuietly, median, round, saveResult } from './lib.js';
import { followEvents } from './scale-client.js';
import { removeLabelled } from './docker-containers.js';

const rounds = Number(process.argv[2] ?? 3);
const COUNT = Number(process.argv[3] ?? 200);
const IN_FLIGHT = 20;
const IMAGE = 'strm/helloworld-http';
const docker = new Docker();
const suffix = () => nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x');

/** Runs `work` for every item, `IN_FLIGHT` at a time. */
async function eachInFlight<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function cube(): Promise<number> {
  const name = `bench-stop-${suffix()}`;
  const manager = await startManager({
    port: 0,
    local: [{ port: null, name }],
    settings: { ...readSettings({}, {}), store: 'memory' },
    log: silentLog,
  });
  try {
    const events = await followEvents(manager.url);
    await events.workerUp;
    const ids = Array.from({ length: COUNT }, () => nanoid());
    await eachInFlight(ids, async (id) => {
      const reply = await fetch(`${manager.url}/tasks`, { method: 'POST', body: JSON.stringify({ Task: { ID: id, Name: `${name}-${id}`, Image: IMAGE } }) });
      if (reply.status !== 201) throw new Error(`POST /tasks answered ${reply.status}: ${await reply.text()}`);
    });
    await events.reached(2, COUNT);
    events.close();
    const begin = performance.now();
    await eachInFlight(ids, async (id) => {
      const reply = await fetch(`${manager.url}/tasks/${id}`, { method: 'DELETE' });
      if (reply.status !== 204) throw new Error(`DELETE answered ${reply.status}: ${await reply.text()}`);
    });
    const ms = performance.now() - begin;
    const left = await docker.listContainers({ all: true, filters: { label: [`cube.worker=${name}`] } });
    if (left.length > 0) throw new Error(`${left.length} container(s) left after every DELETE answered 204`);
    return ms;
  } finally {
    await manager.close();
    await removeLabelled(`cube.worker=${name}`);
  }
}

async function raw(): Promise<number> {
  const name = `bench-stop-raw-${suffix()}`;
  try {
    const ids: string[] = [];
    await eachInFlight(
      Array.from({ length: COUNT }, (_, i) => i),
      async (i) => {
        const container = await docker.createContainer({
          name: `${name}-${i}`,
          Image: IMAGE,
          Env: [],
          Labels: { 'cube.worker': name, 'cube.task.id': nanoid(), 'cube.placement': `raw.${i}`, 'cube.cluster': 'bench' },
          ExposedPorts: {},
          HostConfig: { PortBindings: {}, PublishAllPorts: true, Init: true, RestartPolicy: { Name: 'no' } },
        });
        await container.start();
        ids.push(container.id);
      },
    );
    const begin = performance.now();
    await eachInFlight(ids, async (id) => {
      await docker.getContainer(id).stop({ t: 10 });
      await docker.getContainer(id).remove({ force: true });
    });
    return performance.now() - begin;
  } finally {
    await removeLabelled(`cube.worker=${name}`);
  }
}

async function main() {
  const version = await docker.version();
  console.log(`Docker ${version.Version}; ${COUNT} containers of ${IMAGE}, ${IN_FLIGHT} stops in flight; ${rounds} rounds`);
  const methods = { cube, raw } as const;
  const results: Record<keyof typeof methods, { ms: number; otherCores: number }[]> = { cube: [], raw: [] };
  let discarded = 0;
  for (let r = 0; r < rounds; r++) {
    const turn: (keyof typeof methods)[] = r % 2 === 0 ? ['cube', 'raw'] : ['raw', 'cube'];
    for (const method of turn) {
      const quietly = await measureQuietly(methods[method], `${method}, round ${r + 1}`);
      discarded += quietly.discarded;
      results[method].push({ ms: quietly.value, otherCores: quietly.otherCores });
      console.log(
        `round ${r + 1} ${method.padEnd(5)} ${(quietly.value / 1000).toFixed(2)} s to stop and remove ${COUNT}; other processes ${quietly.otherCores} cores`,
      );
    }
  }
  const cubeMs = round(median(results.cube.map((m) => m.ms)));
  const rawMs = round(median(results.raw.map((m) => m.ms)));
  const ratio = round(cubeMs / rawMs, 3);
  const result = {
    title: `${COUNT} stops on real Docker`,
    measures: `${COUNT} DELETE /tasks/{id} through a manager (${IN_FLIGHT} in flight) → all answered 204, against dockerode stop + remove of ${COUNT} containers (${IN_FLIGHT} in flight)`,
    count: COUNT,
    inFlight: IN_FLIGHT,
    image: IMAGE,
    rounds,
    docker: version.Version,
    cube: { medianMs: cubeMs, rounds: results.cube },
    raw: { medianMs: rawMs, rounds: results.raw },
    ratio,
    target: 1.1,
    met: ratio <= 1.1,
    remeasured: discarded,
    disturbed: `measurements during which other processes took more than ${DISTURBED_CORES} cores were taken again (at most 3 attempts): ${discarded} this time`,
  };
  console.log(`medians: cube ${cubeMs} ms, raw ${rawMs} ms; ratio ${ratio} (target ≤ 1.1: ${result.met ? 'met' : 'MISSED'})`);
  console.log(`saved ${saveResult('docker-stop', result)}`);
}

await main();
