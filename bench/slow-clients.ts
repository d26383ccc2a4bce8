// Clients that hold on without doing their part (issue 10), against a real
// `cube start` process on loopback:
//  - N readers of GET /events that never read, while events keep coming: the
//    manager's resident memory (highest with them against highest without;
//    lowest after them against lowest before; less what a twin manager with
//    no reader did meanwhile) and GET /tasks latency (targets:
//    within 50 MB, back within 10 MB after, p99 within 2x of a twin manager's
//    without readers, asked in turn at the same moments);
//  - stalled sockets with the default time limits: 200 clients sending
//    headers slowly and 100 half-sent bodies: how long until each is closed.
//
//   node --import tsx bench/slow-clients.ts [readers]     (default 200)
import { loadavg } from 'node:os';
import { nanoid } from 'nanoid';
import { readSettings } from '../src/config/settings.js';
import { spawnCube } from '../test/helpers/cube-process.js';
import { inMiB, measureReaderLoad } from '../test/helpers/reader-load.js';
import { closeAll, openRaw, untilClosed, type HeldSocket } from '../test/helpers/slow-clients.js';
import { round, saveResult } from './lib.js';

const readers = Number(process.argv[2] ?? 200);
const MiB = 2 ** 20;

async function stalledSockets() {
  const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', `bench-stall-${nanoid(5)}`], { CUBE_LOG: '0' });
  const host = new URL(cube.url).host;
  const sockets: HeldSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const slowHeaders: HeldSocket[] = [];
    for (let i = 0; i < 200; i++) {
      const socket = await openRaw(cube.url, `GET /tasks HTTP/1.1\r\nHost: ${host}\r\n`, { read: true });
      timers.push(setInterval(() => socket.closedAfterMs === undefined && socket.socket.write(`X-Slow-${i}: a\r\n`), 1000));
      slowHeaders.push(socket);
    }
    const halfBodies: HeldSocket[] = [];
    for (let i = 0; i < 100; i++)
      halfBodies.push(await openRaw(cube.url, `POST /tasks HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000\r\n\r\n{"Task": {`, { read: true }));
    sockets.push(...slowHeaders, ...halfBodies);
    await untilClosed(sockets, 60_000);
    const worst = (group: HeldSocket[]) => Math.max(...group.map((s) => s.closedAfterMs!));
    const best = (group: HeldSocket[]) => Math.min(...group.map((s) => s.closedAfterMs!));
    return {
      slowHeaders: {
        count: slowHeaders.length,
        firstClosedMs: best(slowHeaders),
        lastClosedMs: worst(slowHeaders),
        answered408: slowHeaders.filter((s) => s.received().startsWith('HTTP/1.1 408')).length,
      },
      halfBodies: {
        count: halfBodies.length,
        firstClosedMs: best(halfBodies),
        lastClosedMs: worst(halfBodies),
        answered408: halfBodies.filter((s) => s.received().startsWith('HTTP/1.1 408')).length,
      },
    };
  } finally {
    timers.forEach(clearInterval);
    closeAll(sockets);
    await cube.stop();
  }
}

async function main() {
  const options = { readers, seedTasks: 60, envBytes: 4096, submitEveryMs: 10, phaseMs: 8000, warmVersions: 5000, returnSlack: 10 * MiB, returnPhases: 6 };
  console.log(
    `${readers} readers that never read, ${options.seedTasks} tasks of ${options.envBytes / 1024} KiB Env, one submission every ${options.submitEveryMs} ms…`,
  );
  const loadBefore = loadavg()[0]!;
  const load = await measureReaderLoad(options);
  console.log(
    `  memory: without readers ${inMiB(load.baselineRss)}…${inMiB(load.baselinePeakRss)} MB, with them at most ${inMiB(load.peakRss)} MB, after them at least ${inMiB(load.afterRss)} MB (${load.returnedAfterMs} ms after they closed)`,
  );
  console.log(
    `  twin:   without readers ${inMiB(load.twinBaselineRss)}…${inMiB(load.twinBaselinePeakRss)} MB, then at most ${inMiB(load.twinPeakRss)} MB, then at least ${inMiB(load.twinAfterRss)} MB`,
  );
  console.log(`  the readers added ${inMiB(load.readersPeak)} MB at the highest and left ${inMiB(load.readersLeft)} MB`);
  console.log(
    `  GET /tasks p99: ${round(load.loadedP99)} ms with readers, ${round(load.twinLoadedP99)} ms of its twin without at the same moments (${round(load.idleP99)} ms before, ${round(load.idleAgainP99)} ms after)`,
  );
  console.log('stalled sockets with the default limits…');
  const stalled = await stalledSockets();
  console.log(
    `  slow headers closed after ${stalled.slowHeaders.firstClosedMs}…${stalled.slowHeaders.lastClosedMs} ms, half-sent bodies after ${stalled.halfBodies.firstClosedMs}…${stalled.halfBodies.lastClosedMs} ms`,
  );
  const defaults = readSettings({}, {});
  const file = saveResult('slow-clients', {
    options,
    readers: {
      ...load,
      baselineMB: inMiB(load.baselineRss),
      baselinePeakMB: inMiB(load.baselinePeakRss),
      twinBaselineMB: inMiB(load.twinBaselineRss),
      twinBaselinePeakMB: inMiB(load.twinBaselinePeakRss),
      twinPeakMB: inMiB(load.twinPeakRss),
      twinAfterMB: inMiB(load.twinAfterRss),
      readersPeakMB: inMiB(load.readersPeak),
      readersLeftMB: inMiB(load.readersLeft),
      peakMB: inMiB(load.peakRss),
      afterMB: inMiB(load.afterRss),
      idleP50: round(load.idleP50, 2),
      idleP99: round(load.idleP99, 2),
      idleAgainP50: round(load.idleAgainP50, 2),
      idleAgainP99: round(load.idleAgainP99, 2),
      loadedP50: round(load.loadedP50, 2),
      loadedP99: round(load.loadedP99, 2),
      twinLoadedP50: round(load.twinLoadedP50, 2),
      twinLoadedP99: round(load.twinLoadedP99, 2),
      idleCpu: round(load.idleCpu, 2),
      loadedCpu: round(load.loadedCpu, 2),
      idleAgainCpu: round(load.idleAgainCpu, 2),
    },
    stalled,
    // The machine is shared: how busy it was, from outside Cube (1-minute load average, before and after).
    machineLoad: [round(loadBefore, 2), round(loadavg()[0]!, 2)],
    limits: { headersTimeoutMs: defaults.headersTimeoutMs, bodyTimeoutMs: defaults.bodyTimeoutMs, streamBuffer: defaults.streamBuffer },
    targets: { peakAboveBaselineMB: 50, afterAboveBaselineMB: 10, p99Ratio: 2 },
  });
  console.log(`wrote ${file}`);
}

await main();
