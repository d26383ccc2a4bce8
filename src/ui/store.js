// @ts-check
// What the live view knows of the cluster, as GET /events told it: the one
// place for the data the page keeps. The stream's events change it
// (updates.js); the views and the pages only read it. Data a new page needs
// is kept here too: the services beside the tasks (their copies are tasks).

/** @typedef {import('../vocabulary/task.js').Task} Task */
/** @typedef {import('../vocabulary/service.js').Service} Service */
/** @typedef {import('../manager/run/services.js').Endpoint} Endpoint */
/** @typedef {import('../manager/views/node-view.js').NodeView} NodeView */
/**
 * A change of a task's state that this page saw, and how: "live" (a
 * task.updated), "when the page connected" (the first snapshot) or "after a
 * reconnect" (a later snapshot, which may have skipped states).
 * @typedef {{ from: string | null, to: string, at: string, how: string }} Transition
 */

/** Every task, by ID. @type {Map<string, Task>} */
export const tasks = new Map();
/** Every worker, by name. @type {Map<string, NodeView>} */
export const nodes = new Map();
/** Per task: the state changes this page saw, oldest first, the last 50. @type {Map<string, Transition[]>} */
export const transitions = new Map();
/** Every service, by name. @type {Map<string, Service>} */
export const services = new Map();
/**
 * A service's endpoints, by its name, once known: the stream tells each change
 * (service.endpoints) but not what they are when the page connects, so the
 * service page asks for those it lacks (pages/service-endpoints.js).
 * @type {Map<string, Endpoint[]>}
 */
export const endpoints = new Map();

/** Records a task's new version and, when its state name changed, the transition. @param {Task} task @param {'snapshot' | 'live'} source */
export function observe(task, source) {
  const previous = tasks.get(task.ID);
  tasks.set(task.ID, task);
  if (previous?.StateName === task.StateName) return;
  const list = transitions.get(task.ID) ?? [];
  const last = list.at(-1);
  if (last?.to === task.StateName) return;
  const how = source === 'live' ? 'live' : previous ? 'after a reconnect' : 'when the page connected';
  list.push({ from: previous?.StateName ?? null, to: task.StateName, at: new Date().toISOString(), how });
  if (list.length > 50) list.shift();
  transitions.set(task.ID, list);
}

/** A snapshot's tasks: these, and no others. @param {Task[]} list */
export function setTasks(list) {
  const ids = new Set(list.map((task) => task.ID));
  for (const id of [...tasks.keys()]) if (!ids.has(id)) tasks.delete(id);
  for (const task of list) observe(task, 'snapshot');
}

/** The workers as they are now (a snapshot, or a resumed stream). @param {NodeView[]} list */
export function setNodes(list) {
  nodes.clear();
  for (const node of list) observeNode(node);
}

/**
 * The services as they are now (a snapshot, or a resumed stream): these, and
 * no others. Their endpoints may have changed unseen: they are forgotten, to
 * be asked again.
 * @param {Service[]} list
 */
export function setServices(list) {
  services.clear();
  endpoints.clear();
  for (const service of list) services.set(service.Name, service);
}

/**
 * A worker's stats at one moment, as GET /nodes gave them (the event stream
 * tells only liveness changes): CPU use 0…1, memory used and total in bytes,
 * the 1-minute load, its own count of its tasks.
 * @typedef {{ at: number, cpu: number, memoryUsed: number, memoryTotal: number, load: number, tasks: number }} Sample
 */

/** How long the page keeps a worker's stats: the worker page draws these last minutes. */
export const SAMPLES_KEPT_MS = 10 * 60_000;
/** Per worker, its stats read by this page, oldest first. @type {Map<string, Sample[]>} */
export const samples = new Map();

/** @param {NodeView} node @param {number} at */
export function addSample(node, at) {
  const list = samples.get(node.Name) ?? [];
  list.push({
    at,
    cpu: node.CpuUsage,
    memoryUsed: node.MemoryTotal - node.MemoryAvailable,
    memoryTotal: node.MemoryTotal,
    load: node.LoadAverage?.[0] ?? 0,
    tasks: node.TaskCount,
  });
  while (list.length > 0 && /** @type {Sample} */ (list[0]).at < at - SAMPLES_KEPT_MS) list.shift();
  samples.set(node.Name, list);
}

/**
 * A change of a worker's liveness that this page saw (node.updated), newest last, the last 20.
 * @typedef {{ at: string, state: string, problem: string }} LivenessChange
 */
/** @type {Map<string, LivenessChange[]>} */
export const liveness = new Map();

/** Records the worker's liveness when it changed (or is first seen). @param {NodeView} node */
export function observeNode(node) {
  const list = liveness.get(node.Name) ?? [];
  if (list.at(-1)?.state !== node.State) list.push({ at: node.Since || new Date().toISOString(), state: node.State, problem: node.Problem });
  if (list.length > 20) list.shift();
  liveness.set(node.Name, list);
  nodes.set(node.Name, node);
}

/** @typedef {import('../manager/views/manager-view.js').ManagerView} ManagerView */
/** The managers on etcd, as GET /nodes lists them (none with one manager on its own store). @type {ManagerView[]} */
export const managers = [];
/**
 * Each change of leader this page saw, oldest first: `from` the leader before ('' when none was known).
 * @typedef {{ at: string, from: string, to: string, term: string }} LeaderChange
 */
/** @type {LeaderChange[]} */
export const leaderChanges = [];

/** The managers as they are now; a leader other than the last one seen is a change. @param {ManagerView[]} list */
export function setManagers(list) {
  managers.splice(0, managers.length, ...list);
  const leader = list.find((m) => m.State === 'leader');
  const last = leaderChanges.at(-1);
  if (leader && (last?.to !== leader.Name || last.term !== leader.Term)) {
    leaderChanges.push({ at: new Date().toISOString(), from: last?.to ?? '', to: leader.Name, term: leader.Term });
  }
}
