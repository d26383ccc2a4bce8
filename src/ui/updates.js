// @ts-check
// What each event of GET /events does to the live view: the store learns it,
// then the views that show it are drawn again. An event of a kind this page
// does not know is left alone (a newer manager may send more). To show
// something new: its case here, its data in store.js, its view or page.
import { refreshPage, showPage } from './pages.js';
import { endpoints, nodes, observe, observeNode, services, setNodes, setServices, setTasks } from './store.js';
import { addActivity, loadActivity } from './views/activity.js';
import { renderServices } from './views/services-list.js';
import { renderRow, renderTasks } from './views/task-list.js';
import { renderWorkers } from './views/workers-bar.js';

/** @typedef {import('./event-stream.js').StreamEvent} StreamEvent */

/** @type {Record<string, (data: any) => void>} */
const on = {
  snapshot(data) {
    setTasks(data.tasks);
    setNodes(data.nodes);
    setServices(data.services);
    renderTasks();
    renderWorkers();
    renderServices();
    showPage();
    // Its failures are caught inside: the log is a nicety, and the live events go on without it.
    void loadActivity();
  },
  // Back after a break, nothing missed: the task changes since follow; the workers and the services are as now.
  resumed(data) {
    setNodes(data.nodes);
    setServices(data.services);
    renderWorkers();
    renderServices();
    showPage();
  },
  'task.updated'(data) {
    observe(data.task, 'live');
    renderRow(data.task);
    renderWorkers();
    refreshPage('task', data.task.ID);
    // Its worker's page lists it.
    if (data.task.Worker) refreshPage('node', data.task.Worker);
    // A copy: its service's page lists it.
    if (data.task.Service) refreshPage('service', data.task.Service);
  },
  'service.updated'(data) {
    services.set(data.service.Name, data.service);
    renderServices();
    refreshPage('service', data.service.Name);
  },
  'service.endpoints'(data) {
    endpoints.set(data.service, data.endpoints);
    refreshPage('service', data.service);
  },
  'service.removed'(data) {
    services.delete(data.service);
    endpoints.delete(data.service);
    renderServices();
    refreshPage('service', data.service);
  },
  'node.updated'(data) {
    observeNode(data.node);
    renderWorkers();
    refreshPage('node', data.node.Name);
  },
  'node.removed'(data) {
    nodes.delete(data.name);
    renderWorkers();
    refreshPage('node', data.name);
  },
  log(data) {
    addActivity(data.entry, true);
  },
};

/** @param {StreamEvent} event */
export function applyEvent({ type, data }) {
  if (Object.hasOwn(on, type)) on[type]?.(data);
}
