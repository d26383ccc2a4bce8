// How long `npm start` takes to reach its Docker check when it was run before
// and nothing changed (issue 25): the build finds dist/ matching the sources
// and compiles nothing, so the time is npm's, Node's and the stamp check's.
// Target: under 2 s, from spawning `npm start` to the line of
// scripts/docker-up.sh that says the engine is up. Also timed: until the
// manager listens.
//
//   node --import tsx bench/start-again.ts [runs]      (default 7)
//
// Needs Docker up (the check answers at once then) and a build in dist/.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleBuild } from '../bin/build-stamp.js';
import { measureQuietly, median, root, round, saveResult, waitForQuiet } from './lib.js';

const runs = Number(process.argv[2] ?? 7);
const TARGET_MS = 2000;

/** One `npm start` on ports of its own: when its Docker check and its manager answered, in ms from the spawn. */
function once(): Promise<{ dockerMs: number; listeningMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cube-start-again-'));
  const begin = performance.now();
  const child = spawn('npm', ['start', '--', '--manager-port', '0', '--worker-port', '0'], {
    cwd: root,
    env: { ...process.env, CUBE_DATA_DIR: dataDir, CUBE_LOG: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // npm's children go with the group
  });
  let output = '';
  let dockerMs: number | undefined;
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (dockerMs === undefined && /cube: Docker engine .* is up/.test(output)) dockerMs = performance.now() - begin;
      const docker = dockerMs;
      if (docker !== undefined && /manager listening on/.test(output)) {
        const listeningMs = performance.now() - begin;
        child.stdout.off('data', read);
        child.stderr.off('data', read);
        child.once('exit', () => {
          rmSync(dataDir, { recursive: true, force: true });
          resolve({ dockerMs: docker, listeningMs });
        });
        process.kill(-child.pid!, 'SIGTERM');
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      if (dockerMs === undefined) reject(new Error(`npm start exited with ${code} before its Docker check:\n${output}`));
    });
  });
}

async function main() {
  const stale = staleBuild(root);
  if (stale) throw new Error(`${stale}: run npm run build first (this measures a start with nothing to compile)`);
  console.log(await waitForQuiet());
  await once(); // warm: npm's and the system's caches
  const {
    value: samples,
    otherCores,
    discarded,
  } = await measureQuietly(async () => {
    const all: { dockerMs: number; listeningMs: number }[] = [];
    for (let i = 0; i < runs; i++) all.push(await once());
    return all;
  }, 'npm start, again');
  const docker = samples.map((s) => s.dockerMs);
  const listening = samples.map((s) => s.listeningMs);
  const result = {
    runs,
    targetMs: TARGET_MS,
    dockerMs: { median: round(median(docker)), max: round(Math.max(...docker)), runs: docker.map((v) => round(v)) },
    listeningMs: { median: round(median(listening)), max: round(Math.max(...listening)), runs: listening.map((v) => round(v)) },
    met: median(docker) < TARGET_MS,
    otherCores,
    discarded,
  };
  console.log(
    `npm start, again: Docker check after ${result.dockerMs.median} ms (median of ${runs}; target < ${TARGET_MS}), listening after ${result.listeningMs.median} ms`,
  );
  console.log(`written to ${saveResult('start-again', result)}`);
}

await main();
