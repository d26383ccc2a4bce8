// The `cube` client with several managers (-m a,b,c): which address a request
// goes to when one does not answer, which requests are sent again, and how an
// event or log stream goes on through another manager. Real HTTP servers on
// loopback stand for the managers; each says what it was asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, ManagerClient, ManagerUnreachable } from '../../src/cli/manager-client.js';
import { managerUrls } from '../../src/cli/manager-list.js';
import { followLogs, nanosOf } from '../../src/cli/log-follow.js';
import { UsageError } from '../../src/cli/args.js';
import { cubeHeaders } from '../../src/http/cube-headers.js';
import type { StreamEvent } from '../../src/http/sse-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Manager {
  url: string;
  /** "METHOD /path?query" of every request, in order. */
  asked: string[];
  server: Server;
  close(): Promise<void>;
}

async function manager(handle: Handler): Promise<Manager> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    res.setHeader(cubeHeaders.role, 'manager');
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    asked,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An address where nothing listens: a server's, closed. */
async function nobody(): Promise<string> {
  const gone = await manager(() => undefined);
  await gone.close();
  return gone.url;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

const port = (url: string) => url.replace('http://', '');

test('-m and CUBE_MANAGER take a comma-separated list, each address once; an empty one is a usage error', { timeout: 10_000 }, () => {
  assert.deepEqual(managerUrls('a:1, b:2,a:1', '-m/--manager'), ['http://a:1', 'http://b:2']);
  assert.deepEqual(managerUrls('10.0.0.5', 'CUBE_MANAGER'), ['http://10.0.0.5:5556']);
  assert.throws(
    () => managerUrls('a:1,,b:2', '-m/--manager'),
    (e: Error) => e instanceof UsageError && /-m\/--manager: "a:1,,b:2" has an empty address/.test(e.message),
  );
  assert.throws(() => managerUrls('a:1,b c', 'CUBE_MANAGER'), /CUBE_MANAGER: "b c" is not host:port/);
  const client = ManagerClient.from({ manager: 'x:1,y:2' }, {});
  assert.equal(client.url, 'http://x:1', 'the first of the list is used first');
});

test('a read goes to the next manager when one refuses the connection, and the client stays with the one that answered', { timeout: 20_000 }, async (t) => {
  const dead = await nobody();
  const live = await manager((_req, res) => json(res, 200, []));
  t.after(() => live.close());
  const client = new ManagerClient({ url: [dead, live.url], token: '' });
  assert.deepEqual(await client.log(10), []);
  assert.equal(client.url, live.url);
  assert.deepEqual(await client.log(10), []);
  assert.deepEqual(live.asked, ['GET /log?limit=10', 'GET /log?limit=10'], 'the second call went straight to the one that answered');
});

test('a read goes to the next manager when one takes the connection and never answers', { timeout: 20_000 }, async (t) => {
  const silent = await manager(() => undefined);
  const live = await manager((_req, res) => json(res, 200, []));
  t.after(() => Promise.all([silent.close(), live.close()]));
  const client = new ManagerClient({ url: [silent.url, live.url], token: '', timeoutMs: 300 });
  assert.deepEqual(await client.log(5), []);
  assert.deepEqual(silent.asked, ['GET /log?limit=5']);
  assert.deepEqual(live.asked, ['GET /log?limit=5']);
});

test('no manager answers: one line naming each address of the list, where it came from, and no advice to start one', { timeout: 20_000 }, async () => {
  const [a, b] = [await nobody(), await nobody()];
  const client = new ManagerClient({ url: [a, b], source: 'CUBE_MANAGER', token: '' });
  await assert.rejects(
    client.log(1),
    (e: Error) =>
      e instanceof ManagerUnreachable &&
      e.message ===
        `cannot reach any of the managers CUBE_MANAGER names: ${port(a)} (ECONNREFUSED), ${port(b)} (ECONNREFUSED). ` +
          'Check that one of them runs, or give CUBE_MANAGER the address of one that does',
  );
  const alone = new ManagerClient({ url: [a], source: 'the default manager', token: '' });
  await assert.rejects(alone.log(1), /^ManagerUnreachable: cannot reach the manager at .* \(ECONNREFUSED\)\. Start one with `npm start`/);
});

test('a command goes to the next manager only when the first surely never got it', { timeout: 20_000 }, async (t) => {
  const dead = await nobody();
  const live = await manager((_req, res) => json(res, 201, { ID: 't1' }));
  // Reads the request, then drops the connection: it may have carried it out.
  const dropping = await manager((req, res) => req.resume().on('end', () => res.destroy()));
  t.after(() => Promise.all([live.close(), dropping.close()]));

  const task = await new ManagerClient({ url: [dead, live.url], token: '' }).submit({ Task: { Image: 'x' } });
  assert.equal(task.ID, 't1');
  assert.deepEqual(live.asked, ['POST /tasks']);

  await assert.rejects(
    new ManagerClient({ url: [dropping.url, live.url], token: '' }).submit({ Task: { Image: 'x' } }),
    (e: Error) =>
      e instanceof ManagerUnreachable &&
      e.message.startsWith(
        `the manager at ${port(dropping.url)} took POST /tasks and gave no answer (the connection was closed): whether it was carried out is unknown`,
      ),
  );
  assert.deepEqual(live.asked, ['POST /tasks'], 'not sent again to another manager');
});

test('a 503 with Retry-After is asked again of the next manager: a read always, a command when the manager did nothing', { timeout: 30_000 }, async (t) => {
  const busy = (safe: boolean) => (_req: IncomingMessage, res: ServerResponse) =>
    json(
      res,
      503,
      { HTTPStatusCode: 503, Message: 'no manager leads right now' },
      { 'retry-after': '1', ...(safe ? { [cubeHeaders.retrySafe]: 'true' } : {}) },
    );
  const safe = await manager(busy(true));
  const unsafe = await manager(busy(false));
  const leader = await manager((req, res) => (req.method === 'POST' ? json(res, 201, { ID: 't2' }) : json(res, 200, [])));
  t.after(() => Promise.all([safe.close(), unsafe.close(), leader.close()]));

  assert.equal((await new ManagerClient({ url: [safe.url, leader.url], token: '' }).submit({ Task: { Image: 'x' } })).ID, 't2');
  assert.deepEqual(await new ManagerClient({ url: [unsafe.url, leader.url], token: '' }).log(3), [], 'a read is asked again');
  await assert.rejects(
    new ManagerClient({ url: [unsafe.url, leader.url], token: '' }).submit({ Task: { Image: 'x' } }),
    (e: Error) => e instanceof ApiError && e.status === 503 && e.message === 'no manager leads right now',
  );
  assert.deepEqual(leader.asked, ['POST /tasks', 'GET /log?limit=3'], 'the command that may have been done was sent once');
});

/** An event stream that sends `events` (SSE text) and then, with `drop`, breaks the connection. */
function sse(res: ServerResponse, events: string, drop: boolean): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(events, () => {
    if (drop) res.destroy();
  });
}

const snapshot = (version: number) => `id: ${version}\nevent: snapshot\ndata: {"version":${version},"tasks":[],"nodes":[],"services":[]}\n\n`;
const updated = (version: number) => `id: ${version}\nevent: task.updated\ndata: {"type":"task.updated","task":{"ID":"t","Version":${version}}}\n\n`;

/** The events a follow reads until it has `count`, and the notices it gave. */
async function follow(client: ManagerClient, count: number): Promise<{ events: StreamEvent[]; notices: string[] }> {
  const controller = new AbortController();
  const notices: string[] = [];
  const events: StreamEvent[] = [];
  for await (const event of await client.events(controller.signal, { notice: (line) => notices.push(line) })) {
    events.push(event);
    if (events.length === count) break;
  }
  controller.abort();
  return { events, notices };
}

test('an event stream that breaks goes on at the next manager after the last event, and says so in one line', { timeout: 30_000 }, async (t) => {
  let killed = false;
  const old = await manager((_req, res) => {
    sse(res, snapshot(5) + updated(6), true);
    // Like a leader killed: its connections drop and it answers no more.
    killed = true;
    old.server.close();
  });
  const next = await manager((req, res) => {
    if (req.url === '/events?since=6') sse(res, `event: resumed\ndata: {"version":9,"nodes":[],"services":[]}\n\n${updated(7)}`, false);
    else json(res, 400, { Message: `unexpected ${req.url}` });
  });
  t.after(() => Promise.all([old.close(), next.close()]));
  const { events, notices } = await follow(new ManagerClient({ url: [old.url, next.url], token: '' }), 4);
  assert.ok(killed);
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.id ?? ''}`),
    ['snapshot 5', 'task.updated 6', 'resumed ', 'task.updated 7'],
  );
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, new RegExp(`^lost ${port(old.url)} \\(.+\\); following ${port(next.url)} from event 6$`));
  assert.deepEqual(next.asked, ['GET /events?since=6']);
});

test('a manager that keeps no changes as old as the last event is followed from its snapshot, and the line says so', { timeout: 30_000 }, async (t) => {
  const old = await manager((_req, res) => {
    sse(res, snapshot(5), true);
    old.server.close();
  });
  const next = await manager((req, res) => {
    if (req.url === '/events?since=5') json(res, 410, { HTTPStatusCode: 410, Message: 'cannot resume after version 5' });
    else sse(res, snapshot(1000), false);
  });
  t.after(() => Promise.all([old.close(), next.close()]));
  const { events, notices } = await follow(new ManagerClient({ url: [old.url, next.url], token: '' }), 2);
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.id}`),
    ['snapshot 5', 'snapshot 1000'],
  );
  assert.deepEqual(next.asked, ['GET /events?since=5', 'GET /events']);
  assert.deepEqual(notices, [
    `lost ${port(old.url)} (the connection was closed); following ${port(next.url)} from its snapshot (it keeps no changes as old as event 5; the snapshot holds what changed meanwhile)`,
  ]);
});

test('nanosOf compares Docker times exactly, whatever their number of digits', { timeout: 10_000 }, () => {
  assert.equal(nanosOf('2026-11-27T17:29:41.617826390Z') - nanosOf('2026-11-27T17:29:41Z'), 617826390n);
  assert.ok(nanosOf('2026-11-27T17:29:41.5Z') > nanosOf('2026-11-27T17:29:41.49999Z'));
  assert.equal(nanosOf('2026-11-27T18:29:41.1+01:00'), nanosOf('2026-11-27T17:29:41.100Z'));
});

test('logs -f goes on through the next manager from its last line while the task runs, each line once', { timeout: 30_000 }, async (t) => {
  const line = (time: string, text: string) => `${JSON.stringify({ Time: time, Stream: 'stdout', Line: text })}\n`;
  const old = await manager((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(line('2026-11-27T17:29:41.100Z', 'one') + line('2026-11-27T17:29:41.200Z', 'two'), () => {
      res.destroy();
      old.server.close();
    });
  });
  let served = 0;
  const next = await manager((req, res) => {
    if (req.url === '/tasks/t') return json(res, 200, { ID: 't', State: served > 0 ? 3 : 2 });
    served++;
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    // From the second of the last line: "one" and "two" again, then what is new.
    res.end(
      line('2026-11-27T17:29:41.100Z', 'one') +
        line('2026-11-27T17:29:41.200Z', 'two') +
        line('2026-11-27T17:29:41.200Z', 'two, too') +
        line('2026-11-27T17:29:42Z', 'three'),
    );
  });
  t.after(() => Promise.all([old.close(), next.close()]));
  const client = new ManagerClient({ url: [old.url, next.url], token: '' });
  const controller = new AbortController();
  const query = { follow: true, tail: undefined, since: undefined };
  const notices: string[] = [];
  const printed: string[] = [];
  for await (const l of followLogs(client, 't', await client.logs('t', '?follow=1', controller.signal), query, controller.signal, (n) => notices.push(n))) {
    printed.push(l.Line);
  }
  assert.deepEqual(printed, ['one', 'two', 'two, too', 'three']);
  assert.deepEqual(next.asked, ['GET /tasks/t', 'GET /tasks/t/logs?follow=1&since=1795800581', 'GET /tasks/t']);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, new RegExp(`^lost ${port(old.url)} \\(.+\\); following ${port(next.url)} from the line of 2026-11-27T17:29:41.200Z$`));
});
