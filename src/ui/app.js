// @ts-check
// Cube's live view: follows GET /events (server-sent events read with fetch,
// so the token can go in a header), lists the tasks, and draws the selected
// task's state machine with its current state highlighted.
//
// ES modules the browser loads from /ui/ as they are (no bundler; /ui/ serves
// app.js and what it imports, src/http/ui-routes.ts). This one only starts them:
//   connection.js  GET /events: its reconnects, the status badge (token.js, api.js)
//   updates.js     what each event changes: the store, then what shows it
//   store.js       the data the page keeps
//   views/         always on screen: the workers bar, the task list, manager activity
//   route.js       the address, #<page>=<id>: which page is shown, and of what
//   pages.js       the pages it can show (pages/): the task page, its logs, its machine
//   dom.js, format.js  building elements; times and counts as the page writes them
//
// Hooks for tests and scripts (kept stable):
//   #status[data-status]               connecting | live | offline | auth
//   #tasks tr[data-task-id][data-state] one row per task; data-state is Task.StateName
//   #detail[data-task-id][data-state]  the selected task
//   #diagram[data-state][data-highlight] after each drawing: the state shown and its Mermaid id
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
import { markSelected, tickAges } from './views/task-list.js';

setUpToken(connect);
setUpDiagram();
tickAges();
onRoute(() => {
  markSelected();
  showPage();
});
followAddress();
connect();
