// A worker that speaks the book's protocol ("Build an Orchestrator in Go",
// chapter 12 with chapter 9's tasks), for tests: a real HTTP server on
// loopback that runs tasks as real Docker containers the way the book's
// worker does. Written from the answers recorded from the book's own code and
// their README (../shared/examples/book-worker/), quirks included:
// - GET /tasks answers `null` when it has no tasks;
// - POST /tasks refuses unknown keys and IDs that are not UUIDs, answers 201
//   with `Content-Type: text/plain` and the task as it came (ContainerID "");
//   the task waits in a queue, unlisted, until the worker's loop takes it;
// - a second POST of a task it runs starts a second container under the same
//   name, which Docker refuses, and the task goes Failed (4) while the first
//   container keeps running;
// - a task's StartTime stays the zero time; HostPorts lists every port the
//   image exposes, published on free host ports (PublishAllPorts);
// - no GET /events (404), and GET /tasks/{id} or a DELETE of an unknown ID
//   drops the connection (the book's handler panics);
// - GET /stats has MemStats (kB), DiskStats, CpuStats (jiffies), LoadStats and
//   a TaskCount that stays 0.
// Two liberties, for test speed only: stats are read fresh for each request
// (the book refreshes them every 15 s), and a stop gives the container 1 s.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { nanoid } from 'nanoid';
import { sampleBookStats } from '../../src/book/proc-stats.js';
import type { BookTask, BookTaskEvent } from '../../src/book/shapes.js';
import { ZERO_TIME } from '../../src/vocabulary/task.js';
import { docker } from './docker.js';

/** Containers of book workers carry this label, so a test can find and remove what it started. */
export const BOOK_WORKER_LABEL = 'test.book-worker';

/** What a broken worker (or whatever answers in its place) can answer to GET /tasks and GET /stats. */
export type Garbage = 'null' | 'wrong-types' | 'truncated' | 'html';

const garbage: Record<Garbage, Record<'/tasks' | '/stats', { type: string; body: string }>> = {
  null: {
    '/tasks': { type: 'application/json', body: '[null]\n' },
    '/stats': { type: 'application/json', body: 'null\n' },
  },
  'wrong-types': {
    '/tasks': { type: 'application/json', body: '[{"ID":"aeaebfb9-d297-472b-bd6f-ac8217855a13","State":"2","Name":"x"}]\n' },
    '/stats': {
      type: 'application/json',
      body: '{"MemStats":{"mem_total":"24 GB","mem_available":1},"DiskStats":{},"CpuStats":{},"LoadStats":{},"TaskCount":0}\n',
    },
  },
  truncated: {
    '/tasks': { type: 'application/json', body: '[{"ID":"aeaebfb9-d297-472b-bd6f-ac8217855a13","ContainerID":"2c44' },
    '/stats': { type: 'application/json', body: '{"MemStats":{"mem_total":24683656,"mem_free":2060' },
  },
  html: {
    '/tasks': { type: 'text/html', body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n' },
    '/stats': { type: 'text/html', body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>\n' },
  },
};

const BOOK_TASK_KEYS: (keyof BookTask)[] = [
  'ID',
  'ContainerID',
  'Name',
  'State',
  'Image',
  'Cpu',
  'Memory',
  'Disk',
  'ExposedPorts',
  'HostPorts',
  'PortBindings',
  'RestartPolicy',
  'StartTime',
  'FinishTime',
  'HealthCheck',
  'RestartCount',
];
const EVENT_KEYS = ['ID', 'State', 'Timestamp', 'Task'];

/** The book's state.go: which State a task in one State may be sent to. */
const VALID: Record<number, number[]> = { 0: [1], 1: [1, 2, 4], 2: [2, 3, 4, 1], 3: [], 4: [1] };

/** github.com/google/uuid's Parse, as far as its errors go. */
function uuidError(id: unknown): string | undefined {
  if (typeof id !== 'string') return `json: cannot unmarshal ${typeof id} into Go value of type uuid.UUID`;
  if (![36, 38, 41, 45, 32].includes(id.length)) return `invalid UUID length: ${id.length}`;
  if (id.length === 36 && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return 'invalid UUID format';
  return undefined;
}

/** The book's handler: DisallowUnknownFields, typed fields, UUIDs. Returns the error text, as Go would word it. */
function decodeTaskEvent(text: string): BookTaskEvent | string {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return `invalid character in JSON: ${(error as Error).message}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'json: cannot unmarshal into Go value of type task.TaskEvent';
  const task = body.Task ?? {};
  for (const key of Object.keys(body)) if (!EVENT_KEYS.includes(key)) return `json: unknown field ${JSON.stringify(key)}`;
  for (const key of Object.keys(task)) if (!(BOOK_TASK_KEYS as string[]).includes(key)) return `json: unknown field ${JSON.stringify(key)}`;
  for (const key of ['State', 'Cpu', 'Memory', 'Disk', 'RestartCount'] as const) {
    if (task[key] !== undefined && typeof task[key] !== 'number') return `json: cannot unmarshal ${typeof task[key]} into Go struct field Task.Task.${key}`;
  }
  const badId = uuidError(body.ID ?? '00000000-0000-0000-0000-000000000000') ?? uuidError(task.ID ?? '00000000-0000-0000-0000-000000000000');
  if (badId) return badId;
  return {
    ID: body.ID ?? '',
    State: body.State ?? 0,
    Timestamp: body.Timestamp ?? ZERO_TIME,
    Task: {
      ID: task.ID ?? '00000000-0000-0000-0000-000000000000',
      ContainerID: task.ContainerID ?? '',
      Name: task.Name ?? '',
      State: task.State ?? 0,
      Image: task.Image ?? '',
      Cpu: task.Cpu ?? 0,
      Memory: task.Memory ?? 0,
      Disk: task.Disk ?? 0,
      ExposedPorts: task.ExposedPorts ?? null,
      HostPorts: task.HostPorts ?? null,
      PortBindings: task.PortBindings ?? null,
      RestartPolicy: task.RestartPolicy ?? '',
      StartTime: task.StartTime ?? ZERO_TIME,
      FinishTime: task.FinishTime ?? ZERO_TIME,
      HealthCheck: task.HealthCheck ?? '',
      RestartCount: task.RestartCount ?? 0,
    },
  };
}

export interface BookWorkerOptions {
  /** Where it listens; default a free port. */
  port?: number;
  /** How long the worker's loop waits before taking a queued task (the book: up to 10 s). */
  queueDelayMs?: number;
  /** How often it inspects its containers (the book: every 15 s). */
  updateIntervalMs?: number;
}

export interface BookWorker {
  name: string;
  url: string;
  /** host:port, as a manager's --workers takes it. */
  address: string;
  /** Every TaskEvent it took (201), in order. */
  posts: BookTaskEvent[];
  tasks(): BookTask[];
  /** From now on GET /tasks and GET /stats answer this; null for the real answers again. */
  garble(kind: Garbage | null): void;
  /** Resolves with the task once its record satisfies `done`. */
  untilTask(id: string, done: (task: BookTask) => boolean): Promise<BookTask>;
  close(): Promise<void>;
}

export async function startBookWorker(t: TestContext, options: BookWorkerOptions = {}): Promise<BookWorker> {
  const name = `book-${nanoid(8)}`;
  const db = new Map<string, BookTask>();
  const queue: BookTask[] = [];
  const posts: BookTaskEvent[] = [];
  const changes = new EventEmitter();
  let broken: Garbage | null = null;
  let running = false;
  let closed = false;

  const put = (task: BookTask) => {
    db.set(task.ID, task);
    changes.emit('change', task);
  };

  /** The book's inspect loop: a container that exited makes its task Failed; HostPorts come from here. */
  async function inspect(task: BookTask): Promise<void> {
    if (task.State !== 2 || !task.ContainerID) return;
    const info = await docker
      .getContainer(task.ContainerID)
      .inspect()
      .catch(() => undefined);
    const current = db.get(task.ID)!;
    if (current.State !== 2) return;
    if (!info || info.State.Status === 'exited') return put({ ...current, State: 4 });
    const ports = info.NetworkSettings.Ports as BookTask['HostPorts'];
    if (JSON.stringify(ports) !== JSON.stringify(current.HostPorts)) put({ ...current, HostPorts: ports });
  }

  async function startTask(task: BookTask): Promise<void> {
    try {
      const container = await docker.createContainer({
        name: task.Name,
        Image: task.Image,
        ExposedPorts: task.ExposedPorts ?? {},
        Labels: { [BOOK_WORKER_LABEL]: name },
        HostConfig: {
          PublishAllPorts: true,
          RestartPolicy: { Name: task.RestartPolicy },
          ...(task.Memory > 0 ? { Memory: task.Memory } : {}),
          ...(task.Cpu > 0 ? { NanoCpus: Math.round(task.Cpu * 1e9) } : {}),
        },
      });
      await container.start();
      put({ ...task, ContainerID: container.id, State: 2 });
      await inspect(db.get(task.ID)!);
    } catch {
      put({ ...db.get(task.ID)!, State: 4 }); // e.g. Docker's Conflict: the name is taken
    }
  }

  async function stopTask(task: BookTask): Promise<void> {
    const container = docker.getContainer(task.ContainerID);
    await container.stop({ t: 1 }).catch(() => undefined);
    await container.remove().catch(() => undefined);
    put({ ...task, State: 3, FinishTime: new Date().toISOString() });
  }

  /** The book's RunTasks loop: one queued task at a time, started or stopped as its State says. */
  async function runQueue(): Promise<void> {
    if (running) return;
    running = true;
    while (queue.length > 0 && !closed) {
      if (options.queueDelayMs) await new Promise((resolve) => setTimeout(resolve, options.queueDelayMs));
      const queued = queue.shift()!;
      let persisted = db.get(queued.ID);
      if (!persisted) put((persisted = { ...queued }));
      if (!VALID[persisted.State]!.includes(queued.State)) continue;
      if (queued.State === 1) await startTask(queued);
      else if (queued.State === 3) await stopTask(queued);
    }
    running = false;
  }

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = await new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => resolve(body));
    });
    const idPath = /^\/tasks\/([^/]+)\/?$/.exec(path);
    if ((path === '/tasks' || path === '/stats') && req.method === 'GET' && broken) {
      const answer = garbage[broken][path];
      return send(res, 200, answer.type, answer.body);
    }
    if (path === '/tasks' && req.method === 'GET') {
      const tasks = [...db.values()];
      return send(res, 200, 'application/json', `${tasks.length === 0 ? 'null' : JSON.stringify(tasks)}\n`);
    }
    if (path === '/tasks' && req.method === 'POST') {
      const event = decodeTaskEvent(text);
      if (typeof event === 'string') {
        const message = `Error unmarshalling body: ${event}\n`;
        return send(res, 400, 'application/json', `${JSON.stringify({ HTTPStatusCode: 400, Message: message })}\n`);
      }
      posts.push(event);
      queue.push(event.Task);
      void runQueue();
      return send(res, 201, 'text/plain; charset=utf-8', `${JSON.stringify(event.Task)}\n`);
    }
    if (path === '/stats' && req.method === 'GET') {
      return send(res, 200, 'application/json', `${JSON.stringify({ ...sampleBookStats('/'), TaskCount: 0 })}\n`);
    }
    if (idPath && req.method === 'DELETE') {
      const task = db.get(decodeURIComponent(idPath[1]!));
      if (!task) return void req.socket.destroy(); // the book dereferences nil and panics
      queue.push({ ...task, State: 3 });
      void runQueue();
      res.writeHead(204).end();
      return;
    }
    if (idPath && req.method === 'GET') return void req.socket.destroy(); // panics too
    if (path === '/tasks' || path === '/stats' || idPath) return send(res, 405, 'text/plain', '');
    return send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n');
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const updates = setInterval(() => {
    for (const task of db.values()) void inspect(task);
  }, options.updateIntervalMs ?? 1000);

  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(updates);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const containers = await docker.listContainers({ all: true, filters: { label: [`${BOOK_WORKER_LABEL}=${name}`] } });
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  };
  t.after(close);

  return {
    name,
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    posts,
    tasks: () => [...db.values()],
    garble: (kind) => (broken = kind),
    untilTask: (id, done) =>
      new Promise((resolve) => {
        const check = (task: BookTask | undefined) => {
          if (!task || task.ID !== id || !done(task)) return;
          changes.off('change', check);
          resolve(task);
        };
        changes.on('change', check);
        check(db.get(id));
      }),
    close,
  };
}
