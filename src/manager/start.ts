// Starts a manager: the importable API behind `cube manager` and `npm start`.
// The store decides which start runs: on a local store (SQLite, memory) the
// manager is the only one (wiring/local.ts); on etcd it is one of several,
// and leads or follows (wiring/ha.ts, docs/ha.md).
import { readSettings } from '../config/settings.js';
import { startHaManager } from './wiring/ha.js';
import { startLocalManager } from './wiring/local.js';
import type { RunningManager, StartManagerOptions } from './wiring/options.js';

export async function startManager(options: StartManagerOptions = {}): Promise<RunningManager> {
  const settings = { ...readSettings(), ...options.settings };
  return settings.store === 'etcd' ? startHaManager(options, settings) : startLocalManager(options, settings);
}
