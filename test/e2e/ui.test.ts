// The live view (GET /ui) in real headless Chromium (Debian's, driven by
// playwright-core) against a real manager with a real Docker worker: a task
// submitted through the API shows up and moves Scheduled → Running → Completed
// on the page as the manager reports it, its state machine is drawn with the
// current state highlighted, and the page asks for the token when the manager
// wants one. The page loads nothing from anywhere but the manager.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import type { Page } from 'playwright-core';
import { exportMachines } from '../../src/diagrams/machines.js';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import { serviceStateNames } from '../../src/vocabulary/service.js';
import { stateNames, type Task } from '../../src/vocabulary/task.js';
import { mermaidBundle } from '../../src/http/ui-routes.js';
import { amber, browse, highlighted, highlightFill } from '../helpers/browser.js';
import { dockerCli, removeContainersOf } from '../helpers/docker.js';
import { del, get, post, request } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';

// Taken every run; docs/ui.png is replaced only when asked (CUBE_UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
const screenshot =
  process.env['CUBE_UPDATE_SCREENSHOT'] === '1' ? fileURLToPath(new URL('../../docs/ui.png', import.meta.url)) : join(tmpdir(), `cube-ui-${process.pid}.png`);

/**
 * Records every value the row of task `id` shows in its data-state, in order,
 * as the page's own live updates set it (a MutationObserver sees each change,
 * even two in one event-loop turn, so a short Scheduled is not missed).
 */
function recordRowStates(page: Page, id: string): Promise<void> {
  // A string, not a function: tsx would wrap the named helpers in a __name() the page lacks.
  return page.evaluate(`(() => {
    const taskId = ${JSON.stringify(id)};
    const seen = (window.rowStates = []);
    const push = (value) => {
      if (value !== null && seen.at(-1) !== value) seen.push(value);
    };
    const current = () => document.querySelector('#tasks tr[data-task-id="' + taskId + '"]')?.getAttribute('data-state') ?? null;
    push(current());
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.type === 'attributes' && record.target.getAttribute('data-task-id') === taskId) push(record.oldValue);
      }
      push(current());
    }).observe(document.querySelector('#tasks tbody'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
  })()`);
}

const rowStates = (page: Page) => page.evaluate(() => (window as unknown as { rowStates: string[] }).rowStates);

test('the view and its assets are served without the token; every data path still wants it', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({ port: 0, local: [], settings: testSettings({ token: 'x' }), log: silentLog });
  t.after(() => manager.close());

  const page = await get<string>(`${manager.url}/ui`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type')!, /^text\/html/);
  assert.match(page.body, /<script type="module" src="\/ui\/app\.js"/);
  assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
  for (const [path, type] of [
    ['/ui/', /^text\/html/],
    ['/ui/app.js', /^text\/javascript/],
    ['/ui/words.js', /^text\/javascript/],
    ['/ui/event-stream.js', /^text\/javascript/],
    ['/ui/lines.js', /^text\/javascript/],
    ['/ui/style.css', /^text\/css/],
    ['/ui/favicon.svg', /^image\/svg\+xml/],
  ] as const) {
    const reply = await get(`${manager.url}${path}`);
    assert.equal(reply.status, 200, path);
    assert.match(reply.headers.get('content-type')!, type, path);
  }

  const mermaid = await fetch(`${manager.url}/ui/mermaid.min.js`);
  assert.equal(mermaid.status, 200);
  assert.match(mermaid.headers.get('content-type')!, /^text\/javascript/);
  assert.equal(Buffer.from(await mermaid.arrayBuffer()).equals(readFileSync(mermaidBundle)), true, 'the bundle from node_modules, byte for byte');
  const again = await fetch(`${manager.url}/ui/mermaid.min.js`, {
    // fetch adds "Cache-Control: no-cache" to a conditional request unless told otherwise; a browser sends max-age=0.
    headers: { 'if-none-match': mermaid.headers.get('etag')!, 'cache-control': 'max-age=0' },
  });
  assert.equal(again.status, 304, 'a browser that has it is told so');

  for (const machine of exportMachines()) {
    const reply = await get<string>(`${manager.url}/ui/machines/${machine.name}.mmd`);
    assert.equal(reply.status, 200, machine.name);
    assert.match(reply.headers.get('content-type')!, /^text\/plain/);
    assert.equal(reply.body, machine.mermaid);
  }
  assert.deepEqual(
    exportMachines().map((m) => m.name),
    ['task', 'worker', 'manager', 'service'],
  );
  const missing = await get(`${manager.url}/ui/machines/nope.mmd`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.HTTPStatusCode, 404);
  assert.match(missing.body.Message, /no machine diagram "nope\.mmd"; the machines are task, worker, manager/);

  for (const path of ['/events', '/tasks', '/nodes', '/log', '/ui/nowhere']) {
    const reply = await get(`${manager.url}${path}`);
    assert.equal(reply.status, 401, `${path} without the token`);
  }
  assert.equal((await get(`${manager.url}/tasks`, { authorization: 'Bearer x' })).status, 200);
});

test('the view follows a task live: Scheduled, Running, its machine with Running highlighted, then Completed', { timeout: 60_000 }, async (t) => {
  const worker = `ui-${nanoid(8).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const manager = await startManager({ port: 0, local: [{ port: null, name: worker }], settings: testSettings(), log: silentLog });
  t.after(async () => {
    await manager.close();
    await removeContainersOf(worker);
  });
  const { page, requests, foreign, problems } = await browse(t, manager.url);

  await page.goto(`${manager.url}/ui`);
  await page.locator('#status[data-status="live"]').waitFor();
  await page.locator(`#nodes li[data-node="${worker}"][data-state="up"]`).waitFor();
  assert.equal(await page.locator('#no-tasks').isVisible(), true, 'an empty Cube says so');

  const id = randomUUID();
  const name = `${worker}-hello`;
  await recordRowStates(page, id);
  const created = await post<Task>(`${manager.url}/tasks`, { ID: randomUUID(), State: 1, Task: { ID: id, Name: name, Image: 'strm/helloworld-http' } });
  assert.equal(created.status, 201);

  const row = page.locator(`#tasks tr[data-task-id="${id}"]`);
  await page.locator(`#tasks tr[data-task-id="${id}"][data-state="running"]`).waitFor();
  // A worker is up, so the manager places the task as it receives it: its first update is already Scheduled.
  assert.deepEqual(await rowStates(page), ['scheduled', 'running'], 'the row showed each state the manager reported, in order');
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[0], `${name}\n${id.slice(0, 8)}`);
  assert.equal(cells[1], 'Running');
  assert.equal(cells[2], worker);
  assert.equal(cells[3], '0');
  assert.match(cells[4]!, /^\d+s$/, 'age from SubmitTime');

  await page.locator(`#nodes li[data-node="${worker}"]`, { hasText: 'up · 1 task' }).waitFor();
  await row.click();
  await page.locator(`#detail[data-task-id="${id}"][data-state="running"]`).waitFor();
  await page.locator('#diagram[data-state="running"] svg g.current').waitFor();
  assert.deepEqual(await highlighted(page), ['running']);
  assert.equal(await page.locator('#diagram').getAttribute('data-highlight'), 'running');
  assert.equal(await highlightFill(page), amber);
  assert.deepEqual(
    await page.locator('#transitions li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-state'))),
    ['running', 'scheduled'],
    'newest first',
  );
  const task = (await get<Task>(`${manager.url}/tasks/${id}`)).body;
  const history = await page.locator('#history tbody tr td.type').allInnerTexts();
  assert.deepEqual(history, task.Events.map((e) => e.Type).reverse(), 'the history is Task.Events, newest first');
  assert.equal(history.at(-1), 'Received');
  assert.equal(history[0], 'Started');
  assert.match(await page.locator('#facts').innerText(), new RegExp(task.ContainerID.slice(0, 12)));

  // Every state the page can be asked to highlight, of each machine it draws, exists in that machine's diagram.
  const stateIds = await page.evaluate(() => (window as unknown as { cubeStateIds: Record<string, Record<string, string>> }).cubeStateIds);
  assert.deepEqual(Object.keys(stateIds), ['task', 'service']);
  assert.deepEqual(Object.keys(stateIds['task']!), [...stateNames]);
  assert.deepEqual(Object.keys(stateIds['service']!), [...serviceStateNames]);
  for (const [machine, ids] of Object.entries(stateIds)) {
    const text = (await get<string>(`${manager.url}/ui/machines/${machine}.mmd`)).body;
    for (const mermaidId of Object.values(ids)) assert.match(text, new RegExp(`" as ${mermaidId}\\b`), `${machine}: ${mermaidId}`);
  }

  // Fit (the default) keeps the whole machine inside the panel; full size draws it at its natural size (and scrolls).
  const widths = () =>
    page.$eval('#diagram', (box) => {
      const svg = box.querySelector('svg')!;
      return [svg.getBoundingClientRect().width, box.clientWidth, svg.viewBox.baseVal.width];
    });
  const [fitted, panel] = await widths();
  assert.ok(fitted! <= panel!, `fitted: ${fitted} px in ${panel} px`);
  await page.locator('#zoom-full').click();
  const [full, , natural] = await widths();
  assert.ok(Math.abs(full! - natural!) < 2, `full size draws ${full} px, the diagram's natural ${natural} px`);
  await page.locator('#zoom-fit').click();

  // The restore dispatcher (boot) is left out unless asked for; the highlight is the same either way.
  const bootNodes = () => page.$$eval('#diagram svg g[id]', (gs) => gs.filter((g) => /-state-boot-\d+$/.test(g.id)).length);
  assert.equal(await bootNodes(), 0);
  assert.match(await page.locator('#diagram-note').innerText(), /in every state|container\.exited/);
  await page.locator('#show-restore').check();
  await page.locator('#diagram[data-restore-paths="true"][data-state="running"] svg g.current').waitFor();
  assert.equal(await bootNodes(), 1);
  assert.deepEqual(await highlighted(page), ['running']);
  await page.locator('#show-restore').uncheck();
  await page.locator('#diagram[data-restore-paths="false"][data-state="running"] svg g.current').waitFor();

  mkdirSync(join(screenshot, '..'), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });

  const stopped = await del(`${manager.url}/tasks/${id}`);
  assert.equal(stopped.status, 204);
  await page.locator(`#tasks tr[data-task-id="${id}"][data-state="completed"]`).waitFor();
  await page.locator('#diagram[data-state="completed"] svg g.current').waitFor();
  assert.deepEqual(await highlighted(page), ['completed']);
  assert.equal(await highlightFill(page), amber);
  assert.equal(await page.locator('#detail-state').innerText(), 'Completed');
  assert.deepEqual(await rowStates(page), ['scheduled', 'running', 'stopping', 'completed']);
  assert.deepEqual(await page.locator('#transitions li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-state'))), [
    'completed',
    'stopping',
    'running',
    'scheduled',
  ]);
  assert.equal((await page.locator('#history tbody tr td.type').allInnerTexts())[0], 'Killed');
  await page.locator(`#nodes li[data-node="${worker}"]`, { hasText: 'up · 0 tasks' }).waitFor();

  const paths = requests.map((url) => new URL(url).pathname);
  for (const path of ['/ui', '/ui/app.js', '/ui/style.css', '/ui/mermaid.min.js', '/events', '/ui/machines/task.mmd'])
    assert.ok(paths.includes(path), `the page requested ${path}`);
  assert.deepEqual(foreign, [], 'the page asked no other host for anything');
  assert.deepEqual(problems, []);
});

test("the selected task's output is followed live, stderr marked; ports and states read as cube status writes them", { timeout: 60_000 }, async (t) => {
  const worker = `ui-logs-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const manager = await startManager({ port: 0, local: [{ port: null, name: worker }], settings: testSettings({ restartLimit: 1 }), log: silentLog });
  t.after(async () => {
    await manager.close();
    await removeContainersOf(worker);
  });
  const { page, foreign, problems } = await browse(t, manager.url);
  await page.goto(`${manager.url}/ui`);
  await page.locator('#status[data-status="live"]').waitFor();

  const script = 'echo started; sleep 0.1; echo "warning: low disk" >&2; sleep 0.1; i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done';
  const created = await post<Task>(`${manager.url}/tasks`, {
    Task: { Name: `${worker}-ticks`, Image: 'timboring/echo-server', ExposedPorts: { '7777/tcp': {} }, Cmd: ['sh', '-c', script] },
  });
  assert.equal(created.status, 201);
  const id = created.body.ID;
  await page.locator(`#tasks tr[data-task-id="${id}"][data-state="running"]`).click();
  await page.locator('#logs-status[data-status="following"]').waitFor();
  await page.locator(`#logs[data-task-id="${id}"] .line`, { hasText: 'tick 3' }).waitFor();
  await page.locator('#logs .line', { hasText: 'tick 6' }).waitFor(); // written after the page began to follow
  const lines = await page.locator('#logs .line').evaluateAll((spans) => spans.map((s) => [s.getAttribute('data-stream'), s.textContent]));
  assert.deepEqual(lines.slice(0, 3), [
    ['stdout', 'started\n'],
    ['stderr', 'warning: low disk\n'],
    ['stdout', 'tick 1\n'],
  ]);
  assert.equal(await page.locator('#logs .line.stderr').evaluate((span) => getComputedStyle(span).color), 'rgb(252, 165, 165)', 'stderr is marked');

  // One vocabulary: the ports and the state labels of cube status.
  const task = (await get<Task>(`${manager.url}/tasks/${id}`)).body;
  const hostPort = task.HostPorts?.['7777/tcp']?.[0]?.HostPort;
  assert.match(await page.locator('#facts').innerText(), new RegExp(`7777/tcp→${hostPort}`));
  await dockerCli('kill', task.ContainerID); // the task fails, and waits to restart
  await page.locator(`#tasks tr[data-task-id="${id}"][data-state="restarting"]`).waitFor();
  assert.equal(await page.locator(`#tasks tr[data-task-id="${id}"] .badge`).innerText(), 'Failed (restarting)');
  await page.locator('#logs-status[data-status="ended"]').waitFor();
  assert.deepEqual(foreign, []);
  assert.deepEqual(problems, []);
});

test('with a token, the view asks for it, refuses a wrong one, and shows the tasks once given the right one', { timeout: 60_000 }, async (t) => {
  const worker = `ui-token-${nanoid(6)}`;
  const manager = await startManager({ port: 0, local: [{ port: null, name: worker }], settings: testSettings({ token: 'x' }), log: silentLog });
  t.after(async () => {
    await manager.close();
    await removeContainersOf(worker);
  });
  const id = randomUUID();
  const created = await request(
    'POST',
    `${manager.url}/tasks`,
    { ID: randomUUID(), State: 1, Task: { ID: id, Name: worker, Image: 'strm/helloworld-http' } },
    { authorization: 'Bearer x' },
  );
  assert.equal(created.status, 201);
  const { page, foreign, problems, requests } = await browse(t, manager.url);
  const eventsAuth: (string | undefined)[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/events') eventsAuth.push(r.headers()['authorization']);
  });

  await page.goto(`${manager.url}/ui`);
  await page.locator('#token-form').waitFor();
  await page.locator('#status[data-status="auth"]').waitFor();
  assert.match(await page.locator('#auth-message').innerText(), /requires a token/);
  assert.equal(await page.locator('#tasks tbody tr').count(), 0, 'nothing is shown without the token');

  await page.locator('#token').fill('wrong');
  await page.locator('#token-form button[type="submit"]').click();
  await page.locator('#auth-message', { hasText: 'the token is wrong' }).waitFor();
  assert.equal(await page.locator('#auth').isVisible(), true);

  await page.locator('#token').fill('x');
  await page.locator('#token-form button[type="submit"]').click();
  await page.locator('#status[data-status="live"]').waitFor();
  await page.locator(`#tasks tr[data-task-id="${id}"]`).waitFor();
  assert.equal(await page.locator('#auth').isVisible(), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cube.token')), 'x');
  // A request Chromium cancelled as Docker started the task's container (net::ERR_NETWORK_CHANGED) is made again, unchanged.
  assert.deepEqual(
    eventsAuth.filter((auth, i) => i === 0 || auth !== eventsAuth[i - 1]),
    [undefined, 'Bearer wrong', 'Bearer x'],
  );

  // The token lasts for the tab: a reload goes straight to the tasks.
  await page.reload();
  await page.locator(`#tasks tr[data-task-id="${id}"]`).waitFor();
  assert.equal(await page.locator('#auth').isVisible(), false);
  assert.equal(eventsAuth.at(-1), 'Bearer x');

  assert.ok(requests.length > 0);
  assert.deepEqual(foreign, []);
  // The browser reports each 401 of /events as a failed load, and each request it cancelled when Docker
  // changed the network (boot.js then loads the page again); nothing else may go wrong.
  assert.deepEqual(
    problems.filter((p) => !/Failed to load resource: (the server responded with a status of 401|net::ERR_NETWORK_CHANGED)/.test(p)),
    [],
  );
});

test('a script that does not load (the network changed as the page loaded) makes the page load again, and it comes up', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({ port: 0, settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const { page, problems } = await browse(t, manager.url);
  // What Chromium does to the requests under way when Docker adds or removes a container's network interface:
  // the first load of one module fails, and the browser runs none of them.
  let asked = 0;
  await page.route('**/ui/token.js', (route) => (asked++ === 0 ? route.abort('failed') : route.continue()));
  await page.goto(`${manager.url}/ui`);
  await page.locator('#status .text', { hasText: "the page's script /ui/app.js did not load; loading the page again in 1 s" }).waitFor();
  await page.locator('#status[data-status="live"]').waitFor();
  assert.equal(asked, 2, 'token.js was asked for again, by the page loaded again');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cube.reloads')), null, 'once the page is up, the count starts over');
  assert.deepEqual(
    problems.filter((p) => !/Failed to load resource: net::ERR_FAILED/.test(p)),
    [],
  );
});

test(
  'after the manager restarts, the view reconnects from the last version it read (or starts over when that is too old) and stays live',
  { timeout: 60_000 },
  async (t) => {
    const worker = `ui-${nanoid(8).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'cube-ui-restart-'));
    const settings = testSettings({ store: 'sqlite', dataDir });
    let manager = await startManager({ port: 0, local: [{ port: null, name: worker }], settings, log: silentLog });
    const port = Number(new URL(manager.url).port);
    t.after(async () => {
      await manager.close();
      await removeContainersOf(worker);
    });
    const { page, requests, problems } = await browse(t, manager.url);
    await page.goto(`${manager.url}/ui`);
    await page.locator('#status[data-status="live"]').waitFor();
    const first = (await post<Task>(`${manager.url}/tasks`, { Task: { Name: `${worker}-a`, Image: 'strm/helloworld-http' } })).body.ID;
    await page.locator(`#tasks tr[data-task-id="${first}"][data-state="running"]`).waitFor();

    await manager.close();
    await page.locator('#status[data-status="offline"]').waitFor();
    manager = await startManager({ port, local: [{ port: null, name: worker }], settings, log: silentLog });
    await page.locator('#status[data-status="live"]').waitFor();
    assert.ok(
      requests.some((url) => /\/events\?since=\d+$/.test(url)),
      `the view asked to resume after the last version it read: ${requests.filter((u) => u.includes('/events')).join(', ')}`,
    );
    await page.locator(`#tasks tr[data-task-id="${first}"]`).waitFor();
    const second = (await post<Task>(`${manager.url}/tasks`, { Task: { Name: `${worker}-b`, Image: 'strm/helloworld-http' } })).body.ID;
    await page.locator(`#tasks tr[data-task-id="${second}"][data-state="running"]`).waitFor();
    // The broken stream and the 410 are logged by the browser itself; the page's own code raised nothing.
    assert.deepEqual(
      problems.filter((p) => !p.includes('Failed to load resource')),
      [],
    );
  },
);

test('a worker forgotten with cube node rm leaves the view at once (node.removed), without a reload', { timeout: 60_000 }, async (t) => {
  const manager = await startManager({ port: 0, settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const { page, problems } = await browse(t, manager.url);
  await page.goto(`${manager.url}/ui`);
  await page.locator('#status[data-status="live"]').waitFor();
  // A worker that joins at an address where nothing answers: it can be drained, then forgotten.
  const name = `gone-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  assert.equal((await post(`${manager.url}/nodes`, { Name: name, Address: '127.0.0.1:9' })).status, 201);
  await page.locator(`#nodes li[data-node="${name}"]`).waitFor();
  assert.equal((await post(`${manager.url}/nodes/${name}/drain`, {})).status, 200);
  assert.equal((await del(`${manager.url}/nodes/${name}`)).status, 204);
  await page.locator(`#nodes li[data-node="${name}"]`).waitFor({ state: 'detached' });
  assert.equal((await get<unknown[]>(`${manager.url}/nodes`)).body.length, 0);
  assert.deepEqual(problems, []);
});

test('the address keeps the task shown: a link opens it, a click or a new address changes it', { timeout: 60_000 }, async (t) => {
  // No worker: the tasks stay Pending, which is all the page needs to list them and show one.
  const manager = await startManager({ port: 0, settings: testSettings(), log: silentLog });
  t.after(() => manager.close());
  const [first, second] = await Promise.all(
    ['first', 'second'].map(async (name) => (await post<Task>(`${manager.url}/tasks`, { Task: { Name: name, Image: 'strm/helloworld-http' } })).body.ID),
  );
  const { page, problems } = await browse(t, manager.url);
  const selectedRows = () => page.locator('#tasks tr[aria-selected="true"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-task-id')));

  await page.goto(`${manager.url}/ui#task=${first}`);
  await page.locator(`#detail[data-task-id="${first}"][data-state="pending"]`).waitFor();
  await page.locator('#diagram[data-state="pending"] svg g.current').waitFor();
  assert.deepEqual(await selectedRows(), [first]);

  await page.locator(`#tasks tr[data-task-id="${second}"]`).click();
  await page.locator(`#detail[data-task-id="${second}"]`).waitFor();
  assert.equal(new URL(page.url()).hash, `#task=${second}`);
  assert.deepEqual(await selectedRows(), [second]);

  await page.evaluate(`location.hash = '#task=${first}'`);
  await page.locator(`#detail[data-task-id="${first}"]`).waitFor();
  assert.deepEqual(await selectedRows(), [first]);

  // An address that names no page shows none: the placeholder is back, and no row is selected.
  await page.evaluate(`location.hash = '#nothing=here'`);
  await page.locator('#no-selection').waitFor();
  assert.equal(await page.locator('#detail').isVisible(), false);
  assert.deepEqual(await selectedRows(), []);
  assert.deepEqual(problems, []);
});
