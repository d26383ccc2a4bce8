// The live view of several managers on a real etcd (docs/ha.md), in real
// headless Chromium: opened on a follower, it lists the three managers and
// marks the one that leads with its term; when the leader stops, the page
// stays live through its follower, shows the new leader and the change, as
// GET /nodes tells it. Two real Docker workers join the managers and run a
// task, so the screenshot (docs/ui-ha.png) shows a cluster at work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nanoid } from 'nanoid';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { RunningManager } from '../../src/manager/wiring/options.js';
import type { ManagerView } from '../../src/manager/views/manager-view.js';
import type { Task } from '../../src/vocabulary/task.js';
import { startWorker, type RunningWorker } from '../../src/worker/start.js';
import { browse } from '../helpers/browser.js';
import { removeContainersOf } from '../helpers/docker.js';
import { etcdForFile, managersOn } from '../helpers/etcd.js';
import { get, post } from '../helpers/http.js';
import { testSettings } from '../helpers/worker.js';

const etcd = etcdForFile();

// Taken every run; docs/ui-ha.png is replaced only when asked (CUBE_UPDATE_SCREENSHOT=1), so test runs leave the tree clean.
const screenshot =
  process.env['CUBE_UPDATE_SCREENSHOT'] === '1'
    ? fileURLToPath(new URL('../../docs/ui-ha.png', import.meta.url))
    : join(tmpdir(), `cube-ui-ha-${process.pid}.png`);

const managersOf = async (url: string) => (await get<{ Role: string }[]>(`${url}/nodes`)).body.filter((n) => n.Role === 'manager') as ManagerView[];

test('the view on a follower shows the managers, the leader and a change of leader; it stays live through it', { timeout: 120_000 }, async (t) => {
  const run = nanoid(5)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
  const settings = testSettings(managersOn(etcd()));
  const managers: RunningManager[] = [];
  const workers: RunningWorker[] = [];
  t.after(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(managers.map((m) => m.close()));
    for (const w of workers) await removeContainersOf(w.name);
  });
  for (let i = 0; i < 3; i++) managers.push(await startManager({ port: 0, settings, log: silentLog }));
  const join = managers.map((m) => m.url.replace('http://', '')).join(',');
  for (const name of [`${run}-w1`, `${run}-w2`]) {
    workers.push(await startWorker({ port: 0, name, log: silentLog, settings: { ...settings, store: 'memory', join } }));
  }
  // The election tells only etcd: the managers are asked until one says it leads.
  let leader: RunningManager | undefined;
  for (let wait = 20; !(leader = managers.find((m) => m.leads?.())); wait = Math.min(wait * 2, 250)) await new Promise((r) => setTimeout(r, wait));
  const follower = managers.find((m) => m !== leader)!;

  const { page, foreign, problems } = await browse(t, follower.url);
  await page.goto(`${follower.url}/ui`);
  await page.locator('#status[data-status="live"]').waitFor();
  const first = (await managersOf(follower.url)).find((m) => m.State === 'leader')!;
  await page.locator(`#managers tr[data-manager="${first.Name}"][data-state="leader"]`).waitFor();
  assert.equal(await page.locator('#managers tr[data-state="follower"]').count(), 2);
  assert.equal(await page.locator('#managers tr', { hasText: 'this page' }).getAttribute('data-manager'), follower.url.replace('http://', ''));
  await page.locator(`#leader-changes li[data-leader="${first.Name}"][data-term="${first.Term}"]`).waitFor();
  for (const w of workers) await page.locator(`#nodes li[data-node="${w.name}"][data-state="up"]`).waitFor();

  const task = (await post<Task>(`${follower.url}/tasks`, { Task: { Name: `${run}-web`, Image: 'strm/helloworld-http' } })).body;
  await page.locator(`#tasks tr[data-task-id="${task.ID}"][data-state="running"]`).waitFor();

  // The leader stops: another takes over, and the page, still on its follower, says so.
  await leader!.close();
  managers.splice(managers.indexOf(leader!), 1);
  await page.locator(`#leader-changes li:not([data-leader="${first.Name}"])`).waitFor({ timeout: 30_000 });
  const next = (await managersOf(follower.url)).find((m) => m.State === 'leader')!;
  assert.notEqual(next.Name, first.Name, 'another manager leads, as GET /nodes tells');
  await page.locator(`#leader-changes li[data-leader="${next.Name}"][data-term="${next.Term}"]`).waitFor();
  assert.match(await page.locator('#leader-changes li').first().innerText(), new RegExp(`${first.Name} → ${next.Name}`));
  await page.locator(`#managers tr[data-manager="${next.Name}"][data-state="leader"]`).waitFor();
  await page.locator('#manager-count', { hasText: `${next.Name} leads` }).waitFor();
  await page.locator('#status[data-status="live"]').waitFor();
  await page.locator(`#tasks tr[data-task-id="${task.ID}"][data-state="running"]`).click();
  await page.locator(`#detail[data-task-id="${task.ID}"]`).waitFor();
  await page.locator('#diagram[data-state="running"] svg g.current').waitFor();
  await page.screenshot({ path: screenshot });

  assert.deepEqual(foreign, []);
  // The stream through the follower breaks when the leader goes; the browser logs that itself.
  assert.deepEqual(
    problems.filter((p) => !p.includes('Failed to load resource')),
    [],
  );
});
