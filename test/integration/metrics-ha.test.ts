// GET /metrics with two managers on etcd, in one process (so each API's
// registry is its own): every manager answers it itself; the leader reports
// the cluster, its term and leadership, the follower says it follows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nanoid } from 'nanoid';
import { silentLog } from '../../src/log.js';
import { startManager } from '../../src/manager/start.js';
import type { RunningManager } from '../../src/manager/wiring/options.js';
import { MemoryRuntime } from '../../src/runtime/memory.js';
import { startWorker, type RunningWorker } from '../../src/worker/start.js';
import { etcdForFile, managersOn } from '../helpers/etcd.js';
import { get, post } from '../helpers/http.js';

const etcd = etcdForFile();

const token = `t-${nanoid(10)}`;
const auth = { authorization: `Bearer ${token}` };

/** The value of one series in a text exposition, undefined when it is not there. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** The manager's metrics once `ready` holds for them, asking every 100 ms for at most `timeoutMs`: leadership has no event to wait on. */
async function metricsWhen(url: string, ready: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await fetch(`${url}/metrics`, { headers: auth });
    const text = await reply.text();
    if (reply.status === 200 && ready(text)) return text;
    if (Date.now() > deadline) throw new Error(`${url}/metrics did not get there within ${timeoutMs} ms; last (${reply.status}):\n${text.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('on etcd, the leader reports the cluster, leadership and term; a follower answers itself that it follows', { timeout: 60_000 }, async (t) => {
  const settings = { ...managersOn(etcd()), token };
  const managers: RunningManager[] = [];
  const workers: RunningWorker[] = [];
  t.after(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(managers.map((m) => m.close()));
  });
  managers.push(await startManager({ port: 0, settings, log: silentLog }));
  const leaderText = await metricsWhen(managers[0]!.url, (text) => sample(text, 'cube_leader') === 1);
  const leader = managers[0]!;
  managers.push(await startManager({ port: 0, settings, log: silentLog }));
  const follower = managers[1]!;
  workers.push(
    await startWorker({
      port: 0,
      name: `w-${nanoid(4)}`,
      runtime: new MemoryRuntime(),
      log: silentLog,
      settings: { ...settings, store: 'memory', join: managers.map((m) => m.url.replace('http://', '')).join(',') },
    }),
  );
  const accepted = await post(`${leader.url}/tasks`, { Task: { ID: `m-${nanoid(6)}`, Name: `m-${nanoid(6)}`, Image: 'img' } }, auth);
  assert.equal(accepted.status, 201, JSON.stringify(accepted.body));

  const term = (await get<{ Role?: string; State: string; Term?: string }[]>(`${leader.url}/nodes`, auth)).body.find((n) => n.State === 'leader')?.Term;
  assert.ok(term, 'GET /nodes names the term');
  assert.equal(sample(leaderText, 'cube_leader_term'), Number(term));
  const cluster = await metricsWhen(
    leader.url,
    (text) => sample(text, 'cube_tasks{state="running"}') === 1 && sample(text, 'cube_workers{liveness="up"}') === 1,
  );
  assert.equal(sample(cluster, 'cube_placements_total{kind="new"}'), 1);

  // Its own GET /metrics is timed once answered: the second answer shows the first.
  const followed = await metricsWhen(follower.url, (text) => text.includes('route="/metrics"'));
  assert.equal(sample(followed, 'cube_leader'), 0);
  assert.equal(sample(followed, 'cube_leader_term'), 0);
  assert.equal(sample(followed, 'cube_tasks{state="running"}'), undefined, 'a follower has no ledger to report');
  assert.match(followed, /^cube_http_request_duration_seconds_count\{route="\/metrics",method="GET",code="200"\} \d+$/m);
});
