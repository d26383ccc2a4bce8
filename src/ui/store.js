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
  for (const node of list) nodes.set(node.Name, node);
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
