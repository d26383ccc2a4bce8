// Acting from the live view (issue 25), in real headless Chromium against a
// real manager (with a token) and a real Docker worker: a task run from the
// page's form (a refused one shows the API's error in place), the list
// filtered by name, image, state and worker, a task restarted from its row
// and stopped from its page after a confirmation (a cancelled one stops
// nothing), a worker drained and undrained from its page, and a worker that
// joined forgotten. Each effect is checked through the API, not the page; every
// command the page sent carried the token, as any client's must.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import type { Locator, Page } from 'playwright-core';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import { TaskState, type Task } from '../../src/vocabulary/task.js';
import { browse } from '../helpers/browser.js';
import { removeContainersOf } from '../helpers/docker.js';
import { request } from '../helpers/http.js';
import { untilView } from '../helpers/watch.js';
import { testSettings } from '../helpers/worker.js';

// Taken every run; the files in docs/ are replaced only when asked (CUBE_UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
const shot = (name: string) =>
  process.env['CUBE_UPDATE_SCREENSHOT'] === '1' ? fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)) : join(tmpdir(), `cube-${process.pid}-${name}`);

const TOKEN = 'ui-actions-token';
const auth = { authorization: `Bearer ${TOKEN}` };

/** The IDs of the task rows the list shows (the filter hides the others). */
const shownRows = (page: Page) =>
  page.locator('#tasks tbody tr:not([hidden])').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-task-id')).sort());

/** Whether `inner` lies within `outer` on the screen, to the pixel. */
async function inside(inner: Locator, outer: Locator): Promise<boolean> {
  const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
  return a !== null && b !== null && a.x >= b.x - 1 && a.x + a.width <= b.x + b.width + 1;
}

test(
  'from the live view: run (a refusal shown in place), filter, restart, stop after a confirmation, drain and undrain, forget a worker; each checked through the API',
  { timeout: 150_000 },
  async (t) => {
    const worker = `ui-act-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    const manager = await startManager({
      port: 0,
      local: [{ port: null, name: worker }],
      settings: testSettings({ token: TOKEN }),
      log: silentLog,
    });
    t.after(async () => {
      await manager.close();
      await removeContainersOf(worker);
    });
    const api = (method: string, path: string, body?: unknown) => request(method, `${manager.url}${path}`, body, auth);
    const tasksByName = async () => new Map(((await api('GET', '/tasks')).body as Task[]).map((task) => [task.Name, task]));
    const until = (done: Parameters<typeof untilView>[1]) => untilView(manager.url, done, 45_000, auth);

    const { page, foreign, problems } = await browse(t, manager.url);
    const commands: { method: string; path: string; authorization: string | undefined }[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') commands.push({ method: r.method(), path: new URL(r.url()).pathname, authorization: r.headers()['authorization'] });
    });
    await page.goto(`${manager.url}/ui`);
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token-form button[type="submit"]').click();
    await page.locator('#status[data-status="live"]').waitFor();
    await page.locator(`#nodes li[data-node="${worker}"][data-state="up"]`).waitFor();

    // Run: a task file with a wrong key is refused, and the form says why in the API's words, keeping the text.
    const web = `${worker}-web`;
    await page.locator('#run-open').click();
    await page.locator('#run-json').fill(JSON.stringify({ Task: { Image: 'strm/helloworld-http', Nmae: web } }));
    await page.locator('#run-submit').click();
    const refusal = page.locator('#run-outcome .outcome[data-status="error"]');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /POST \/tasks answered 400: .*Nmae/, 'the API names the key that is wrong');
    assert.equal(await page.locator('#run').isVisible(), true, 'the form stays open to be corrected');
    assert.equal((await tasksByName()).size, 0, 'nothing was stored');
    // Text that is not JSON is refused before the manager is asked.
    await page.locator('#run-json').fill('{"Task": ');
    await page.locator('#run-submit').click();
    await page.locator('#run-outcome .outcome[data-status="error"]', { hasText: 'this is not JSON' }).waitFor();

    // A file chosen fills the form (a bare task, as cube run -f takes it); Run sends it and shows its page.
    await page.locator('#run-file').setInputFiles({
      name: 'web.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ Name: web, Image: 'strm/helloworld-http' })),
    });
    await page.waitForFunction(`document.querySelector('#run-json').value.includes(${JSON.stringify(web)})`);
    await page.locator('#run-submit').click();
    await page.locator('#run').waitFor({ state: 'hidden' });
    const webId = (await tasksByName()).get(web)?.ID;
    assert.ok(webId, 'the task the form sent is stored');
    await page.locator(`#detail[data-task-id="${webId}"]`).waitFor();
    assert.equal(new URL(page.url()).hash, `#task=${webId}`);

    // A second task, pasted; a long unbroken name tests the page's layout below.
    const ticker = `${worker}-ticker-${'x'.repeat(60)}`;
    await page.locator('#run-open').click();
    await page
      .locator('#run-json')
      .fill(JSON.stringify({ Task: { Name: ticker, Image: 'timboring/echo-server', Cmd: ['sh', '-c', 'while true; do sleep 1; done'] } }));
    await page.locator('#run-submit').click();
    await page.locator('#run').waitFor({ state: 'hidden' });
    const tickerId = (await tasksByName()).get(ticker)?.ID;
    assert.ok(tickerId);
    await until((view) => view.tasks.filter((task) => task.StateName === 'running').length === 2);
    await page.locator(`#tasks tr[data-task-id="${webId}"][data-state="running"]`).waitFor();
    await page.locator(`#tasks tr[data-task-id="${tickerId}"][data-state="running"]`).waitFor();

    // Filter: by name, by image, by state and by worker; the rows shown are the ones the API lists for the same question.
    await page.locator('#filter-text').fill('ticker');
    assert.deepEqual(await shownRows(page), [tickerId]);
    assert.equal(await page.locator('#task-count').innerText(), '1 of 2 tasks');
    await page.locator('#filter-text').fill('helloworld');
    assert.deepEqual(await shownRows(page), [webId]);
    await page.locator('#filter-text').fill('');
    await page.locator('#filter-state').selectOption('running');
    await page.locator('#filter-worker').selectOption(worker);
    const listed = (await api('GET', `/tasks?state=running&worker=${worker}`)).body as Task[];
    assert.deepEqual(await shownRows(page), listed.map((task) => task.ID).sort());
    await page.locator('#filter-state').selectOption('completed');
    assert.deepEqual(await shownRows(page), []);
    assert.equal(await page.locator('#no-match').isVisible(), true);
    await page.locator('#filter-clear').click();
    assert.deepEqual(await shownRows(page), [webId, tickerId].sort());
    // The long name wraps: the table, its buttons included, stays inside its card.
    assert.ok(await inside(page.locator('#tasks'), page.locator('.tasks-card')), 'the task table stays inside its card');
    assert.ok(await inside(page.locator(`#tasks tr[data-task-id="${tickerId}"] button[data-action="stop"]`), page.locator('.tasks-card')));

    // Restart from the row: a new container, as the API tells. The page shown stays the one shown.
    await page.locator(`#tasks tr[data-task-id="${webId}"]`).click();
    await page.locator(`#detail[data-task-id="${webId}"]`).waitFor();
    const before = (await api('GET', `/tasks/${tickerId}`)).body as Task;
    await page.locator(`#tasks tr[data-task-id="${tickerId}"] button[data-action="restart"]`).click();
    await page.locator(`#tasks tr[data-task-id="${tickerId}"] .outcome[data-status="ok"]`).waitFor();
    assert.equal(new URL(page.url()).hash, `#task=${webId}`, "a button in a row does not open the row's page");
    await until((view) => view.tasks.some((task) => task.ID === tickerId && task.StateName === 'running' && task.ContainerID !== before.ContainerID));
    const restarted = (await api('GET', `/tasks/${tickerId}`)).body as Task;
    assert.notEqual(restarted.ContainerID, before.ContainerID);
    assert.equal(restarted.State, TaskState.Running);

    mkdirSync(tmpdir(), { recursive: true });
    await page.screenshot({ path: shot('ui-list.png') });

    // Stop from the task page: it asks first; Cancel stops nothing.
    await page.locator(`#tasks tr[data-task-id="${tickerId}"]`).click();
    await page.locator(`#detail[data-task-id="${tickerId}"]`).waitFor();
    await page.locator('#detail-actions button[data-action="stop"]').click();
    await page.locator('#confirm[open]').waitFor();
    assert.match(await page.locator('#confirm-message').innerText(), new RegExp(`Stop task ${ticker}\\?`));
    await page.locator('#confirm-no').click();
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    assert.equal(((await api('GET', `/tasks/${tickerId}`)).body as Task).State, TaskState.Running, 'a cancelled stop stops nothing');
    await page.locator('#detail-actions button[data-action="stop"]').click();
    await page.locator('#confirm-yes').click();
    await page.locator('#detail-outcome .outcome[data-status="ok"]').waitFor();
    // A stop the worker has not confirmed within the route's wait is answered 202 (ok too): Completed comes after.
    await page.locator(`#detail[data-task-id="${tickerId}"][data-state="completed"]`).waitFor();
    assert.equal(((await api('GET', `/tasks/${tickerId}`)).body as Task).State, TaskState.Completed, 'stopped, as the API tells');
    assert.equal(await page.locator('#detail-actions button').count(), 0, 'nothing more to do to a Completed task');

    // The page stays within its card: the history of a long-named task wraps, and each transition's note stays on its own row.
    assert.ok(await inside(page.locator('#history'), page.locator('#detail')), 'the history table stays inside the card');
    const rows = await page.locator('#transitions li').evaluateAll((lis) =>
      lis.map((li) => {
        const box = li.getBoundingClientRect();
        const parts = [...li.children].map((child) => child.getBoundingClientRect());
        return parts.every((p) => p.top >= box.top - 1 && p.bottom <= box.bottom + 1);
      }),
    );
    assert.ok(rows.length >= 3 && rows.every(Boolean), `each transition's parts lie within its row: ${rows}`);
    // The machine sits in a panel of its own that folds, under the page, its drawing within the window.
    await page.locator('#diagram[data-state="completed"] svg g.current').waitFor();
    const diagram = await page.locator('#diagram svg').boundingBox();
    assert.ok(diagram && diagram.height <= 960 * 0.6, `the diagram is ${diagram?.height} px high in a 960 px window`);
    await page.locator('#machine > summary h2').click();
    assert.equal(await page.locator('#diagram').isVisible(), false, 'folded');
    await page.locator('#machine > summary h2').click();
    await page.locator('#diagram').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: shot('ui-task.png'), fullPage: true });

    // The worker's page: its liveness, its tasks, its stats as the page reads them; drain and undrain.
    await page.locator(`#nodes li[data-node="${worker}"] a`).click();
    await page.locator(`#worker[data-node="${worker}"][data-state="up"][data-draining="false"]`).waitFor();
    await page.locator(`#worker-tasks tr[data-task-id="${webId}"][data-state="running"]`).waitFor();
    await page.locator('#worker-stats .sparkline[data-stat="cpu"]').waitFor();
    assert.equal(await page.locator('#worker-liveness li[data-state="up"]').count(), 1);
    assert.ok(await inside(page.locator('#worker-tasks'), page.locator('#worker')), "the worker's tasks stay inside its page");
    await page.locator('#worker-actions button[data-action="drain"]').click();
    await page.locator(`#worker[data-node="${worker}"][data-draining="true"]`).waitFor();
    const drained = ((await api('GET', '/nodes')).body as { Name: string; Draining: boolean }[]).find((n) => n.Name === worker);
    assert.equal(drained?.Draining, true, 'drained, as the API tells');
    await page.locator(`#worker-outcome .outcome[data-status="ok"]`, { hasText: 'drained' }).waitFor();
    await page.locator('#worker-stats .sparkline[data-stat="cpu"][data-points="2"]').waitFor(); // a second reading, 5 s on
    await page.screenshot({ path: shot('ui-worker.png') });
    await page.locator('#worker-actions button[data-action="undrain"]').click();
    await page.locator(`#worker[data-node="${worker}"][data-draining="false"]`).waitFor();
    const undrained = ((await api('GET', '/nodes')).body as { Name: string; Draining: boolean }[]).find((n) => n.Name === worker);
    assert.equal(undrained?.Draining, false, 'undrained, as the API tells');

    // A worker that joined at an address where nothing answers: drained, then forgotten (after a confirmation).
    const gone = `gone-${nanoid(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
    assert.equal((await api('POST', '/nodes', { Name: gone, Address: '127.0.0.1:9' })).status, 201);
    await page.locator(`#nodes li[data-node="${gone}"] a`).click();
    await page.locator(`#worker[data-node="${gone}"]`).waitFor();
    await page.locator('#worker-actions button[data-action="drain"]').click();
    await page.locator(`#worker[data-node="${gone}"][data-draining="true"]`).waitFor();
    await page.locator('#worker-actions button[data-action="remove"]').click();
    await page.locator('#confirm-yes').click();
    await page.locator(`#nodes li[data-node="${gone}"]`).waitFor({ state: 'detached' });
    const names = ((await api('GET', '/nodes')).body as { Name: string }[]).map((n) => n.Name);
    assert.deepEqual(names, [worker], 'forgotten, as the API tells');
    await page.locator('#no-selection').waitFor();

    // Every command went through the API with the token, as the manager's browser checks let it from its own page.
    assert.deepEqual(
      commands.map((c) => `${c.method} ${c.path}`),
      [
        'POST /tasks',
        'POST /tasks',
        'POST /tasks',
        'POST /tasks',
        `DELETE /tasks/${tickerId}`,
        `POST /nodes/${worker}/drain`,
        `DELETE /nodes/${worker}/drain`,
        `POST /nodes/${gone}/drain`,
        `DELETE /nodes/${gone}`,
      ],
    );
    assert.ok(
      commands.every((c) => c.authorization === `Bearer ${TOKEN}`),
      'each with the token',
    );
    assert.deepEqual(foreign, []);
    assert.deepEqual(
      problems.filter((p) => !/status of 40[01]/.test(p)),
      [],
    );
  },
);
