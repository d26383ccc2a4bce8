// @ts-check
// Cube's live view: follows GET /events (server-sent events read with fetch,
// so the token can go in a header), lists the services and the tasks, and
// shows the selected one's page with its state machine, its current state
// highlighted.
//
// ES modules the browser loads from /ui/ as they are (no bundler; /ui/ serves
// app.js and what it imports, src/http/ui-routes.ts). This one only starts them:
//   connection.js  GET /events: its reconnects, the status badge (token.js, api.js)
//   updates.js     what each event changes: the store, then what shows it
//   store.js       the data the page keeps
//   views/         always on screen: the workers bar, the services and task lists, manager activity
//   route.js       the address, #<page>=<id>: which page is shown, and of what
//   pages.js       the pages it can show (pages/): a task's (its logs), a service's (its
//                  copies, versions, endpoints), and the machine of either
//   dom.js, format.js  building elements; times and counts as the page writes them
//
// Hooks for tests and scripts (kept stable):
//   #status[data-status]               connecting | live | offline | auth
//   #services tr[data-service][data-state] one row per service; data-state is Service.StateName
//   #services .progress[data-done][data-total]  a deployment under way: copies healthy, of Count
//   #tasks tr[data-task-id][data-state] one row per task; data-state is Task.StateName
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
import { connect } from './connection.js';
import { showPage } from './pages.js';
import { setUpDiagram } from './pages/machine-diagram.js';
import { followAddress, onRoute } from './route.js';
import { setUpToken } from './token.js';
import { markSelectedService } from './views/services-list.js';
import { markSelected, tickAges } from './views/task-list.js';

setUpToken(connect);
setUpDiagram();
tickAges();
onRoute(() => {
  markSelected();
  markSelectedService();
  showPage();
});
followAddress();
connect();
