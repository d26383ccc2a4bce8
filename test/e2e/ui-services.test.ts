// The live view's services (GET /ui) in real headless Chromium against a real
// `cube start` (a manager and a Docker worker in one process): a service
// created with the API shows in the services list and on its own page, with
// its copies, its versions, its history and its machine, the current state
// highlighted. A new version PUT while the page is open moves the list's
// progress bar and the diagram to deploying and back to stable, as the
// manager reports it; a copy's link opens its task's page, which links back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { customAlphabet } from 'nanoid';
import type { Page } from 'playwright-core';
import { readEvents } from '../../src/http/sse-client.js';
import type { Endpoint } from '../../src/manager/run/services.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import { amber, browse, highlighted, highlightFill } from '../helpers/browser.js';
import { spawnCube } from '../helpers/cube-process.js';
import { removeContainersOf } from '../helpers/docker.js';
import { get, request } from '../helpers/http.js';

// Taken every run; docs/ui-service.png is replaced only when asked (CUBE_UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
const screenshot =
  process.env['CUBE_UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL('../../docs/ui-service.png', import.meta.url))
    : join(tmpdir(), `cube-ui-service-${process.pid}.png`);

/** A service name no other Cube on this Docker engine uses: its copies' containers are named after it (web.0.7). */
const unique = customAlphabet('abcdefghijklmnopqrstuvwxyz0123456789', 6);

const definition = (name: string, count: number, env: string[] = []) => ({
  Name: name,
  Count: count,
  Task: { Image: 'strm/helloworld-http', ExposedPorts: { '80/tcp': {} }, Env: env },
  // Short, so a rollout of two copies takes seconds: each new copy counts after 2 s of Running.
  Update: { MinHealthy: '2s' },
  ShutdownDelay: '500ms',
});

/** Resolves once every service named is stable, as GET /events tells it: its snapshot, then each service.updated. */
async function stable(url: string, names: string[]): Promise<void> {
  const abort = new AbortController();
  try {
    const states = new Map<string, string>();
    const response = await fetch(`${url}/events`, { signal: abort.signal });
    for await (const { type, data } of readEvents(response.body!)) {
      if (type === 'snapshot') for (const service of data.services as Service[]) states.set(service.Name, service.StateName);
      if (type === 'service.updated') states.set(data.service.Name, data.service.StateName);
      if (names.every((n) => states.get(n) === 'stable')) return;
    }
    assert.fail(`GET /events ended before ${names.join(' and ')} were stable`);
  } finally {
    abort.abort();
  }
}

/**
 * Records what the row of service `name` shows of its deployment, in order:
 * each progress bar ("1/2") and each state, as the page's live updates draw
 * them. A MutationObserver sees every drawing, even two in one turn, so a
 * short step is not missed.
 */
function recordDeployment(page: Page, name: string): Promise<void> {
  // A string, not a function: tsx would wrap the named helpers in a __name() the page lacks.
  return page.evaluate(`(() => {
    const seen = (window.deployment = []);
    const look = () => {
      const row = document.querySelector('#services tr[data-service="${name}"]');
      const bar = row?.querySelector('.progress');
      const now = bar ? bar.dataset.done + '/' + bar.dataset.total : row?.dataset.state;
      if (now && seen.at(-1) !== now) seen.push(now);
    };
    look();
    new MutationObserver(look).observe(document.querySelector('#services tbody'), { subtree: true, childList: true, attributes: true });
  })()`);
}

const deployment = (page: Page) => page.evaluate(() => (window as unknown as { deployment: string[] }).deployment);

/** The copies the service page lists: [slot, version, state, health, worker, endpoint] a row. */
const copyRows = (page: Page) =>
  page.locator('#service-copies tbody tr[data-task-id]').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return [cells[0], cells[2], row.getAttribute('data-state'), cells[4], cells[5], cells[6]];
    }),
  );

test(
  'a service in the live view: listed, its page with copies, versions, history and machine; a new version moves the bar and the diagram',
  { timeout: 150_000 },
  async (t) => {
    const worker = `ui-svc-${unique()}`;
    const cube = await spawnCube(['start', '--manager-port', '0', '--worker-port', '0', '--name', worker], { CUBE_LOG: '0', CUBE_TOKEN: '' });
    t.after(async () => {
      await cube.stop();
      await removeContainersOf(worker);
    });
    const name = `web-${unique()}`;
    const other = `api-${unique()}`;
    const created = await request<Service>('POST', `${cube.url}/services`, definition(name, 2));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(
      (await request('POST', `${cube.url}/services`, { ...definition(other, 1), Task: { Image: 'timboring/echo-server', ExposedPorts: { '7777/tcp': {} } } }))
        .status,
      201,
    );

    // The page is opened once their containers run: Chromium fails the requests under way when the host's
    // network changes, and each container started adds an interface (the page's modules would not load).
    await stable(cube.url, [name, other]);
    const { page, requests, foreign, problems } = await browse(t, cube.url);
    await page.goto(`${cube.url}/ui`);
    await page.locator('#status[data-status="live"]').waitFor();

    // The list: both services, by name, stable.
    const row = page.locator(`#services tr[data-service="${name}"]`);
    await page.locator(`#services tr[data-service="${name}"][data-state="stable"]`).waitFor();
    await page.locator(`#services tr[data-service="${other}"][data-state="stable"]`).waitFor();
    assert.deepEqual(await page.locator('#services tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service'))), [other, name]);
    const cells = await row.locator('td').allInnerTexts();
    assert.deepEqual(cells, [`${name}\nversion 1 · strm/helloworld-http`, 'Stable', '2 / 2 / 2', 'version 1 deployed']);
    assert.equal(await page.locator('#service-count').innerText(), '2 services');

    // Its page: the address keeps it; the copies, their endpoints, the versions, the history and the machine.
    await row.click();
    assert.equal(new URL(page.url()).hash, `#service=${name}`);
    await page.locator(`#service[data-service="${name}"][data-state="stable"]`).waitFor();
    assert.equal(await row.getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#detail').isVisible(), false);
    assert.match(await page.locator('#service-facts').innerText(), /2 wanted, 2 running, 2 healthy/);
    const endpoints = (await get<Endpoint[]>(`${cube.url}/services/${name}/endpoints`)).body;
    assert.equal(endpoints.length, 2);
    await page.locator('#service-copies td.mono', { hasText: `:${endpoints[1]!.HostPort}` }).waitFor();
    assert.deepEqual(
      await copyRows(page),
      endpoints.map((e, slot) => [String(slot), '1', 'running', 'healthy', worker, `${e.HostIp}:${e.HostPort}`]),
    );
    await page.locator('#diagram[data-machine="service"][data-state="stable"] svg g.current').waitFor();
    assert.deepEqual(await highlighted(page), ['stable']);
    assert.equal(await highlightFill(page), amber);
    assert.match(await page.locator('#machine-title').innerText(), new RegExp(`of ${name};`));
    assert.deepEqual(
      await page
        .locator('#service-versions tr')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-version'), r.getAttribute('data-current'), r.getAttribute('data-stable')])),
      [['1', 'true', 'true']],
    );
    const service = (await get<Service>(`${cube.url}/services/${name}`)).body;
    assert.deepEqual(await page.locator('#service-history tbody tr td.type').allInnerTexts(), service.Events.map((e) => e.Type).reverse());

    // A new version, while the page watches: the bar fills copy by copy, and the machine goes to deploying and back.
    await recordDeployment(page, name);
    const put = await request<Service>('PUT', `${cube.url}/services/${name}`, definition(name, 2, ['GREETING=v2']));
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.Version, 2);
    await page.locator('#diagram[data-machine="service"][data-state="deploying"] svg g.current').waitFor({ timeout: 30_000 });
    assert.deepEqual(await highlighted(page), ['deploying']);
    await page.locator('#service-deployment[data-state="running"] .progress[data-total="2"]').waitFor();
    assert.match(await row.locator('td.deployment').innerText(), /^version 1 → 2\n/);
    // Mid-rollout: the first new copy counts, the second does not yet. What the screenshot shows.
    await page.locator(`#services tr[data-service="${name}"] .progress[data-done="1"]`).waitFor({ timeout: 60_000 });
    mkdirSync(join(screenshot, '..'), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    await page.locator(`#services tr[data-service="${name}"][data-state="stable"]`).waitFor({ timeout: 60_000 });
    await page.locator('#diagram[data-machine="service"][data-state="stable"] svg g.current').waitFor();
    assert.deepEqual(await highlighted(page), ['stable']);
    const steps = await deployment(page);
    assert.equal(steps.at(-1), 'stable');
    const bars = steps.slice(steps.indexOf('0/2'), -1);
    assert.equal(bars[0], '0/2', `the bar starts empty: ${steps.join(', ')}`);
    assert.ok(bars.includes('1/2'), `the bar showed one copy of two: ${steps.join(', ')}`);
    assert.ok(
      bars.every((bar, i) => /^\d\/2$/.test(bar) && (i === 0 || bar > bars[i - 1]!)),
      `only bars between, each fuller than the last: ${steps.join(', ')}`,
    );
    assert.equal(await row.locator('.progress').count(), 0, 'no bar once it is done');
    assert.equal(await row.locator('td.deployment').innerText(), 'version 2 deployed');
    await page.locator('#service-copies tbody tr[data-state="running"] >> nth=1').waitFor();
    await page.locator('#service-copies tbody tr[data-task-id]:not([data-state="running"])').waitFor({ state: 'detached' });
    assert.deepEqual(
      (await copyRows(page)).map(([slot, version, state]) => [slot, version, state]),
      [
        ['0', '2', 'running'],
        ['1', '2', 'running'],
      ],
      'the old copies are gone (Completed), the new ones hold the slots',
    );
    assert.deepEqual(
      await page
        .locator('#service-versions tr')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-version'), r.getAttribute('data-current'), r.getAttribute('data-stable')])),
      [
        ['2', 'true', 'true'],
        ['1', 'false', 'false'],
      ],
    );
    assert.equal(await page.locator('#service-versions tr[data-version="2"] .change').innerText(), 'Env: [] → ["GREETING=v2"]');
    assert.deepEqual((await page.locator('#service-history tbody tr td.type').allInnerTexts()).slice(0, 2), ['Deployed', 'Updated']);

    // A copy's link opens its task's page, with the task machine; the task's page links back to the service.
    const copies = (await get<Task[]>(`${cube.url}/tasks?service=${name}&state=running`)).body;
    const copy = copies.find((c) => c.Slot === 0)!;
    await page.locator(`#service-copies a[href="#task=${copy.ID}"]`).click();
    await page.locator(`#detail[data-task-id="${copy.ID}"][data-state="running"]`).waitFor();
    assert.equal(new URL(page.url()).hash, `#task=${copy.ID}`);
    assert.equal(await page.locator('#service').isVisible(), false);
    await page.locator('#diagram[data-machine="task"][data-state="running"] svg g.current').waitFor();
    assert.deepEqual(await highlighted(page), ['running']);
    assert.equal(await row.getAttribute('aria-selected'), 'false');
    assert.match(await page.locator('#facts').innerText(), new RegExp(`Service\\s+${name} slot 0, version 2`));
    await page.locator(`#facts a[href="#service=${name}"]`).click();
    await page.locator(`#service[data-service="${name}"]`).waitFor();
    await page.locator('#diagram[data-machine="service"][data-state="stable"] svg g.current').waitFor();

    const paths = requests.map((url) => new URL(url).pathname);
    for (const path of ['/ui/machines/service.mmd', '/ui/machines/task.mmd']) assert.ok(paths.includes(path), `the page requested ${path}`);
    assert.deepEqual(foreign, [], 'the page asked no other host for anything');
    assert.deepEqual(problems, []);
  },
);
