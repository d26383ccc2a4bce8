// How long from `docker kill` of a task's container to the task Running again,
// over 20 kills, median and worst (issue 4; target: median < 2 s). Restarts
// wait no backoff (CUBE_RESTART_DELAY=0): this measures noticing the death,
// deciding, and starting a new container. For reference, measured in the same
// run: a plain dockerode create+start of the same image, the floor of any
// restart. (Docker's own restart policy cannot be the reference: Docker counts
// `docker kill` as a manual stop and does not restart the container.)
//
//   node --import tsx bench/restart.ts [kills]      (default 20)
import Docker from 'dockerode';
import { nanoid } from 'nanoid';
import { spawnCube } from '../test/helpers/cube-process.js';
import { followEvents, median, round, saveResult } from './lib.js';

const kills = Number(process.argv[2] ?? 20);
const image = 'strm/helloworld-http';
const docker = new Docker();

async function cube(): Promise<number[]> {
  const name = `bench-restart-${nanoid(5)}`;
  const worker = await spawnCube(['worker', '--port', '0', '--name', name], {
    CUBE_LOG: '0',
    CUBE_STORE: 'memory',
    CUBE_RESTART_DELAY: '0',
    CUBE_RESTART_LIMIT: '1000',
  });
  const abort = new AbortController();
  let waiting: ((containerId: string) => void) | undefined;
  let running = '';
  await followEvents(
    `${worker.url}/events`,
    (type, message) => {
      if (type === 'task.updated' && message.task.State === 2 && message.task.ContainerID !== running) {
        running = message.task.ContainerID;
        waiting?.(running);
      }
    },
    abort.signal,
  );
  const next = () => new Promise<string>((resolve) => (waiting = resolve));
  const times: number[] = [];
  try {
    const first = next();
    await fetch(`${worker.url}/tasks`, { method: 'POST', body: JSON.stringify({ Task: { Name: name, Image: image } }) });
    let container = await first;
    for (let i = 0; i < kills; i++) {
      const again = next();
      const begin = performance.now();
      await docker.getContainer(container).kill();
      container = await again;
      times.push(performance.now() - begin);
    }
  } finally {
    abort.abort();
    await worker.stop();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`cube.worker=${name}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true });
    }
  }
  return times;
}

/** A plain create+start of the same image: what any restart costs at least. */
async function createAndStart(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < Math.min(kills, 10); i++) {
    const begin = performance.now();
    const container = await docker.createContainer({ name: `bench-restart-raw-${nanoid(5)}`, Image: image, HostConfig: { Init: true } });
    await container.start();
    times.push(performance.now() - begin);
    await container.remove({ force: true });
  }
  return times;
}

const cubeTimes = await cube();
const rawTimes = await createAndStart();
const result = {
  kills,
  image,
  restartDelay: '0 (no backoff)',
  cubeMs: { median: round(median(cubeTimes)), worst: round(Math.max(...cubeTimes)), runs: cubeTimes.map((t) => round(t)) },
  rawCreateStartMs: { median: round(median(rawTimes)), worst: round(Math.max(...rawTimes)), runs: rawTimes.map((t) => round(t)) },
  ratio: round(median(cubeTimes) / median(rawTimes), 3),
  targetMedianMs: 2000,
};
console.log(
  `cube: docker kill → Running again: median ${result.cubeMs.median} ms, worst ${result.cubeMs.worst} ms over ${kills} kills (target: median < 2000 ms)`,
);
console.log(`raw dockerode create+start of the same image: median ${result.rawCreateStartMs.median} ms`);
console.log(`ratio (median restart / median create+start): ${result.ratio}`);
console.log(`saved ${saveResult('restart', result)}`);
