// The filters of placement, in the order they are asked: a worker is counted
// under the first that rejects it, so the cheap and the decisive come first
// and the resource numbers last. A new rule of placement is one more module
// of this folder, added here.
import { available } from './available.js';
import { binds } from './binds.js';
import { constraints } from './constraints.js';
import { engine } from './engine.js';
import type { Filter } from './filter.js';
import { protocol } from './protocol.js';
import { resources } from './resources.js';
import { volumes } from './volumes.js';

export type { Ask, Filter, Rejected, Rejection } from './filter.js';
export { shortage, shortages } from './resources.js';

export const filters: readonly Filter[] = [available, engine, volumes, constraints, protocol, binds, resources];
