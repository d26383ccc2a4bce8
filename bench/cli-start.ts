// How long `cube status` takes against a running manager, as a whole process
// (start Node, load cube's built JavaScript, ask GET /tasks, print the table),
// against `node -e 0` (start Node and do nothing), measured in the same run and
// interleaved, so both see the same machine. Target: cube status ≤ 3 × node -e 0.
//
//   node --import tsx bench/cli-start.ts [runs]      (default 31)
//
// The manager runs as a real `cube manager` process with ten tasks waiting for a
// worker that is not there: no Docker is needed, and the table has rows to print.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { staleBuild } from '../bin/build-stamp.js';
import { spawnCube } from '../test/helpers/cube-process.js';
import { measureQuietly, median, percentile, root, round, saveResult, waitForQuiet } from './lib.js';

const runs = Number(process.argv[2] ?? 31);
const TARGET = 3;
const exec = promisify(execFile);

/** Wall time of one process, from spawn to exit, in ms. */
async function timed(args: string[]): Promise<number> {
  const begin = performance.now();
  await exec(process.execPath, args, { cwd: root, env: { ...process.env, CUBE_MANAGER: '' } });
  return performance.now() - begin;
}

async function main() {
  const stale = staleBuild(root);
  if (stale) throw new Error(`${stale}: run npm run build first (cube status runs the build)`);
  console.log(await waitForQuiet());
  const manager = await spawnCube(['manager', '--port', '0', '--workers', '127.0.0.1:9'], { CUBE_LOG: '0', CUBE_STORE: 'memory' });
  try {
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${manager.url}/tasks`, { method: 'POST', body: JSON.stringify({ Task: { Image: 'strm/helloworld-http' } }) });
      if (response.status !== 201) throw new Error(`POST /tasks answered ${response.status}`);
    }
    const status = [join(root, 'bin', 'cube.js'), 'status', '-m', manager.url.replace('http://', '')];
    const check = await exec(process.execPath, status, { cwd: root });
    if (check.stdout.split('\n').length < 11) throw new Error(`cube status did not print the tasks:\n${check.stdout}`);
    const nodeMs: number[] = [];
    const cubeMs: number[] = [];
    await timed(['-e', '0']); // warm-up of each: the file cache, not the measurement
    await timed(status);
    const { otherCores, discarded } = await measureQuietly(async () => {
      nodeMs.length = 0;
      cubeMs.length = 0;
      for (let i = 0; i < runs; i++) {
        nodeMs.push(await timed(['-e', '0']));
        cubeMs.push(await timed(status));
      }
    }, `${runs} pairs`);
    const ratio = round(median(cubeMs) / median(nodeMs), 2);
    const summary = (values: number[]) => ({ median: round(median(values)), p90: round(percentile(values, 90)), runs: values.map((v) => round(v)) });
    const file = saveResult('cli-start', {
      runs,
      target: TARGET,
      ratio,
      met: ratio <= TARGET,
      nodeMs: summary(nodeMs),
      cubeMs: summary(cubeMs),
      otherCores,
      discarded,
    });
    console.log(`node -e 0: ${round(median(nodeMs))} ms; cube status: ${round(median(cubeMs))} ms; ratio ${ratio} (target ≤ ${TARGET}); ${file}`);
  } finally {
    await manager.stop();
  }
}

await main();
