// What issue 23 saw one input do to a whole cluster, with real processes and
// the real engine: one task's 8 MB line held its worker's event loop for
// seconds, so the manager took the worker for dead and moved its tasks; one
// joined "worker" whose event never ends held the manager's. Each test checks
// the effects: nobody is taken for dead, no task moves, the answer is right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { nanoid } from 'nanoid';
import { readEvents } from '../../src/http/sse-client.js';
import type { LogLine } from '../../src/logs/log-line.js';
import type { Task } from '../../src/vocabulary/task.js';
import { dockerCli } from '../helpers/docker.js';
import { get, post } from '../helpers/http.js';
import { env, hello, lab, running } from '../helpers/lab.js';
import { untilView } from '../helpers/watch.js';

/** Every state each node of a manager was seen in, and every task that was ever given a new placement, until `stop`. */
function watchCluster(url: string, headers: Record<string, string> = {}) {
  const nodeStates = new Map<string, Set<string>>();
  const moved = new Set<string>();
  const abort = new AbortController();
  const done = (async () => {
    try {
      const response = await fetch(`${url}/events`, { headers, signal: abort.signal });
      for await (const { type, data } of readEvents(response.body!)) {
        const nodes = type === 'snapshot' ? data.nodes : type === 'node.updated' ? [data.node] : [];
        for (const node of nodes) nodeStates.set(node.Name, (nodeStates.get(node.Name) ?? new Set()).add(node.State));
        if (type === 'task.updated' && (data.task as Task).Events.some((e) => e.Type === 'Rescheduling')) moved.add(data.task.ID);
      }
    } catch {
      // stopped
    }
  })();
  return {
    nodeStates,
    moved,
    stop: async () => {
      abort.abort();
      await done;
    },
  };
}

test(
  "a task's 8 MB line is read as one line with one time, cut with its length; its worker is never taken for dead, no task moves",
  { timeout: 120_000 },
  async (t) => {
    const cube = lab(t);
    const settings = env(cube.dir, { CUBE_HEARTBEAT_TTL: '3s' });
    const worker = await cube.worker(`long-${nanoid(5)}`, settings);
    const manager = await cube.manager([worker.address], settings);
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up');
    const quiet = (await post<Task>(`${manager.url}/tasks`, hello(`${worker.name}-quiet`))).body.ID;
    const script = 'head -c 8000000 /dev/zero | tr "\\0" x; echo; touch /tmp/written; sleep 600';
    const long = (
      await post<Task>(`${manager.url}/tasks`, { Task: { Name: `${worker.name}-long`, Image: 'timboring/echo-server', Cmd: ['sh', '-c', script] } })
    ).body.ID;
    await untilView(manager.url, running([quiet, long]));
    const cluster = watchCluster(manager.url);
    t.after(cluster.stop);
    const container = (await get<Task>(`${manager.url}/tasks/${long}`)).body.ContainerID;
    await dockerCli('exec', container, 'sh', '-c', 'while [ ! -e /tmp/written ]; do sleep 0.05; done');

    const response = await fetch(`${manager.url}/tasks/${long}/logs`);
    assert.equal(response.status, 200);
    const lines = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text) as LogLine);
    assert.equal(lines.length, 1, "Docker's 16 KiB parts are one line");
    assert.match(lines[0]!.Time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    assert.equal(lines[0]!.Stream, 'stdout');
    // Compared by its parts: an 8 MB string in a failure would bury the message.
    const line = lines[0]!.Line;
    const marker = ' [… cut by Cube: the line was 8000000 bytes; the first 1048576 are kept (CUBE_LOG_LINE_MAX)]';
    assert.ok(line.endsWith(marker), `the line ends saying how long it was: …${line.slice(-120)}`);
    assert.equal(line.length, 1048576 + marker.length, 'the first 1 MiB is kept');
    assert.match(line.slice(0, 1048576), /^x+$/, "no time of Docker's later parts inside the line");

    // The worker answered heartbeats all along: a quiet task stays where it runs.
    assert.equal((await get(`${worker.process.url}/stats`)).status, 200);
    await cluster.stop();
    assert.deepEqual([...cluster.nodeStates.get(worker.address)!], ['up'], 'the worker was never taken for suspect or dead');
    assert.deepEqual([...cluster.moved], [], 'no task was given a new placement');
    const tasks = (await get<Task[]>(`${manager.url}/tasks`)).body;
    for (const id of [quiet, long]) assert.equal(tasks.find((x) => x.ID === id)?.Worker, worker.address);
  },
);

/** A "worker" that joined with the token and sends, on each GET /events, one event that never ends (up to 300 MB). */
function endlessWorker() {
  let opened = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const endless = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('event: worker.tasks\ndata: {"tasks": ["');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const more = () => {
      while (!res.destroyed && sent < 300 * 2 ** 20) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
    };
    more();
  };
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/events')) {
      opened += 1;
      for (const w of waiting.filter((x) => opened >= x.count)) w.resolve();
      return endless(res);
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"HTTPStatusCode":404,"Message":"no such route"}');
  });
  return {
    server,
    /** Resolves once GET /events was opened `count` times. */
    opened: (count: number) => new Promise<void>((resolve) => (opened >= count ? resolve() : waiting.push({ count, resolve }))),
  };
}

test(
  'a joined worker whose event never ends is suspect, named, its stream dropped and opened again; the manager keeps serving, the good worker keeps its tasks',
  { timeout: 120_000 },
  async (t) => {
    const cube = lab(t);
    const token = `t-${nanoid(8)}`;
    const settings = env(cube.dir, { CUBE_HEARTBEAT_TTL: '3s', CUBE_TOKEN: token });
    const auth = { authorization: `Bearer ${token}` };
    const worker = await cube.worker(`good-${nanoid(5)}`, settings);
    const manager = await cube.manager([worker.address], settings);
    await untilView(manager.url, (v) => v.nodes[0]?.State === 'up', 30_000, auth);
    const task = (await post<Task>(`${manager.url}/tasks`, hello(`${worker.name}-quiet`), auth)).body.ID;
    await untilView(manager.url, running([task]), 30_000, auth);
    const cluster = watchCluster(manager.url, auth);
    t.after(cluster.stop);

    const hostile = endlessWorker();
    await new Promise<void>((resolve) => hostile.server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => hostile.server.close(() => resolve())));
    hostile.server.unref();
    const address = `127.0.0.1:${(hostile.server.address() as { port: number }).port}`;
    const name = `endless-${nanoid(5)}`;
    assert.equal((await post(`${manager.url}/nodes`, { Name: name, Address: address }, auth)).status, 201);

    // The manager's protocol check, its first stream, and the stream opened again after the first was dropped.
    await hostile.opened(3);
    const view = await untilView(manager.url, (v) => /CUBE_EVENT_MAX/.test(v.nodes.find((n) => n.Name === name)?.Problem ?? ''), 30_000, auth);
    const named = view.nodes.find((n) => n.Name === name)!;
    assert.equal(named.State, 'suspect');
    assert.equal(
      named.Problem,
      `${address}: its event stream sent an event larger than 16777216 bytes (CUBE_EVENT_MAX); the stream is dropped and opened again`,
    );

    const nodes = await get<{ Name: string; State: string }[]>(`${manager.url}/nodes`, auth);
    assert.equal(nodes.status, 200);
    assert.equal(nodes.body.find((n) => n.Name === worker.address)?.State, 'up');
    await cluster.stop();
    assert.deepEqual([...cluster.nodeStates.get(worker.address)!], ['up'], 'the good worker was never taken for suspect or dead');
    assert.deepEqual([...cluster.moved], [], 'no task was given a new placement');
    assert.equal((await get<Task>(`${manager.url}/tasks/${task}`, auth)).body.Worker, worker.address);
  },
);
