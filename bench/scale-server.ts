// The server side of bench/scale.ts: one manager with one worker in its
// process, started from the checkout at ROOT (this one, or an older commit's
// worktree for the baseline), in a process of its own, as `cube start` does.
//
//   node --import tsx --expose-gc bench/scale-server.ts ROOT DATA_DIR RUNTIME [SETTINGS_JSON]
//
// RUNTIME is `fake` (CUBE_RUNTIME=fake: simulated containers, runs nothing)
// or `memory` (MemoryRuntime, the stand-in that commits before the fake
// runtime have). SQLite stores in DATA_DIR, as `cube start` keeps them.
// It sends its URL to its parent over IPC, then answers `heap` (the V8 heap
// in use after a full GC, for heap per task) and `close`.
import { join } from 'node:path';

const [root, dataDir, runtime, overrides] = process.argv.slice(2);
if (!root || !dataDir || (runtime !== 'fake' && runtime !== 'memory')) {
  throw new Error('usage: scale-server.ts ROOT DATA_DIR fake|memory [SETTINGS_JSON]');
}
const load = (file: string) => import(join(root, file));
const { startManager } = await load('src/manager/start.ts');
const { readSettings } = await load('src/config/settings.ts');
const { silentLog } = await load('src/log.ts');
const settings = { ...readSettings({}, {}), dataDir, ...(runtime === 'fake' ? { runtime: 'fake' } : {}), ...JSON.parse(overrides ?? '{}') };
const local = [{ port: null, name: 'bench', ...(runtime === 'memory' ? { runtime: new (await load('src/runtime/memory.ts')).MemoryRuntime() } : {}) }];
const manager = await startManager({ port: 0, local, settings, log: silentLog });

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (message: string) => {
  if (message === 'heap') {
    gc?.();
    gc?.();
    process.send!({ heap: process.memoryUsage().heapUsed });
  } else if (message === 'close') {
    void manager.close().then(() => process.exit(0));
  }
});
process.send!({ url: manager.url });
