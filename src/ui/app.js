// @ts-check
// Cube's live view: follows GET /events (server-sent events read with fetch,
// so the token can go in a header), lists the services and the tasks, and
// shows the selected one's page with its state machine, its current state
// highlighted.
//
// ES modules the browser loads from /ui/ as they are (no bundler; /ui/ serves
// app.js and what it imports, src/http/ui-routes.ts), after boot.js, a classic
// script that loads the page again when one of them fails to load. This one only starts them:
//   connection.js  GET /events: its reconnects, the status badge (token.js, api.js)
//   cluster-poll.js GET /nodes every few seconds: the workers' stats, the managers and the leader
//   updates.js     what each event changes: the store, then what shows it
//   store.js       the data the page keeps
//   views/         always on screen: the workers bar, the managers, the services and task
//                  lists (the filter, the run form), manager activity
//   actions.js     what the page can do, through the API: stop, restart, drain, undrain, forget
//                  (confirm.js asks first; outcomes.js keeps what came of each)
//   route.js       the address, #<page>=<id>: which page is shown, and of what
//   pages.js       the pages it can show (pages/): a task's (its logs), a service's (its
//                  copies, versions, endpoints), a worker's, and the machine of either of the first two
//   dom.js, format.js  building elements; times and counts as the page writes them
//
// Hooks for tests and scripts (kept stable):
//   #status[data-status]               connecting | live | offline | auth
//   #services tr[data-service][data-state] one row per service; data-state is Service.StateName
//   #services .progress[data-done][data-total]  a deployment under way: copies healthy, of Count
//   #tasks tr[data-task-id][data-state] one row per task; data-state is Task.StateName; [hidden] when filtered out
//   button[data-action]                restart | stop (a task's row, its page, its worker's page),
//                                      drain | undrain | remove (a worker's page)
//   .outcome[data-outcome-key][data-status] what came of the last action on task:<id>, node:<name>, run
//   #confirm[open], #confirm-yes, #confirm-no   the confirmation of a stop, of forgetting a worker
//   #run-open, #run, #run-json, #run-file, #run-submit, #run-outcome   the run form
//   #filter-text, #filter-state, #filter-worker the task list's filter
//   #worker[data-node][data-state][data-draining]  the selected worker; #worker-tasks tr[data-task-id],
//                                      #worker-stats .sparkline[data-stat][data-points], #worker-liveness li[data-state]
//   #managers-card, #managers tr[data-manager][data-state], #leader-changes li[data-leader][data-term]
//   #detail[data-task-id][data-state]  the selected task
//   #service[data-service][data-state] the selected service; #service-deployment[data-state]
//   #service-copies tr[data-task-id][data-state]  its copies, each with a link a[href="#task=<id>"]
//   #service-versions tr[data-version][data-current][data-stable]  its versions, newest first
//   #service-history tr                Service.Events, newest first
//   #diagram[data-machine][data-state][data-highlight] after each drawing: the machine
//                                      (task, service), the state shown and its Mermaid id
//   #diagram svg g.current             the highlighted state's node
//   #transitions li[data-state]        state changes seen by this page, newest first
//   #history tr                        Task.Events, newest first
//   #auth, #token-form, #token         the token form, shown when /events answers 401
//   #logs[data-task-id], #logs .line[data-stream]  the selected task's output, followed
//   #logs-status[data-status]          idle | reading | following | ended | none | error
import { followCluster } from './cluster-poll.js';
import { connect } from './connection.js';
import { onOutcome } from './outcomes.js';
import { refreshPage, showPage } from './pages.js';
import { setUpDiagram } from './pages/machine-diagram.js';
import { followAddress, onRoute, route } from './route.js';
import { tasks } from './store.js';
import { setUpToken } from './token.js';
import { renderManagers } from './views/managers.js';
import { setUpRunForm } from './views/run-form.js';
import { markSelectedService } from './views/services-list.js';
import { setUpFilter } from './views/task-filter.js';
import { applyFilter, markSelected, renderRow, tickAges } from './views/task-list.js';
import { renderWorkers } from './views/workers-bar.js';

setUpToken(connect);
setUpDiagram();
setUpFilter(applyFilter);
setUpRunForm();
tickAges();
onRoute(() => {
  markSelected();
  markSelectedService();
  renderWorkers();
  showPage();
});
// What came of an action shows where it was asked: the task's row, and the page shown.
onOutcome((key) => {
  const task = key.startsWith('task:') ? tasks.get(key.slice('task:'.length)) : undefined;
  if (task) renderRow(task);
  if (route()) showPage();
});
followAddress();
connect();
// Every module loaded: boot.js, which loads the page again when one does not, may count from zero again.
/** @type {Window & typeof globalThis & { cubeStarted?: () => void }} */ (window).cubeStarted?.();
followCluster(() => {
  renderManagers();
  renderWorkers();
  const page = route();
  if (page?.page === 'node') refreshPage('node', page.id);
});
