// What bench/scale.ts does to a manager, through its public HTTP API only:
// starts it in a process of its own (bench/scale-server.ts or `cube start`),
// POSTs (and DELETEs) tasks with a number of requests in flight, follows
// GET /events, pages through GET /tasks, and reads a process's CPU time, write
// calls and memory from /proc.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const serverScript = fileURLToPath(new URL('./scale-server.ts', import.meta.url));

export interface Server {
  url: string;
  child: ChildProcess;
  /** The V8 heap in use after a full GC, in bytes. */
  heap(): Promise<number>;
  close(): Promise<void>;
}

/** Starts bench/scale-server.ts for the checkout at `root`. */
export async function startServer(
  root: string,
  dataDir: string,
  runtime: 'fake' | 'memory',
  settings: object = {},
  nodeOptions: string[] = [],
): Promise<Server> {
  const child = fork(serverScript, [root, dataDir, runtime, JSON.stringify(settings)], {
    execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=4096', ...nodeOptions],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`the server for ${root} exited with ${code} before it listened`)));
  });
  return {
    url,
    child,
    heap: () =>
      new Promise((resolve) => {
        child.once('message', (message: { heap: number }) => resolve(message.heap));
        child.send('heap');
      }),
    close: async () => {
      if (child.exitCode === null) child.send('close');
      const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** Runs `cube start` from `root` and resolves with its manager's URL once it prints that it listens (it serves by then). */
export function spawnCubeStart(root: string, env: Record<string, string>): { child: ChildProcess; listening: Promise<string>; exited: Promise<void> } {
  const child = spawn(process.execPath, [`${root}/bin/cube.js`, 'start', '--manager-port', '0', '--worker-port', '0'], {
    env: { ...process.env, CUBE_LOG: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = /manager listening on (http:\/\/\S+?)[,\s]/.exec(out);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      look();
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`cube start exited with ${code}:\n${out}`)));
  });
  listening.catch(() => undefined);
  return { child, listening, exited };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ is 100
}

/** The write system calls a process has made so far (files and sockets alike), from /proc. */
export function writeCalls(pid: number): number {
  const match = /^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/io has no syscw line`);
  return Number(match[1]);
}

/** A process's resident memory now, in bytes, from /proc. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(match[1]) * 1024;
}

/** What the /events stream carried, counted as it comes, with the State of each task from its newest update. */
export interface EventCounter {
  events: number;
  bytes: number;
  /** Resolves once `count` distinct tasks were seen with State `state`. */
  reached(state: number, count: number): Promise<void>;
  /** Resolves once a worker is up. */
  workerUp: Promise<void>;
  close(): void;
}

/**
 * Follows GET /events. Task updates are read without parsing the whole task:
 * a Task's first keys are ID, ContainerID, Name, State (docs/spec.md §1), so
 * the first "ID" and "State" of an update are the task's, which keeps the
 * client's cost small next to the manager's with 100,000 tasks.
 */
export async function followEvents(url: string, query = ''): Promise<EventCounter> {
  const abort = new AbortController();
  const response = await fetch(`${url}/events${query}`, { signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`GET /events answered ${response.status}`);
  const states = new Map<string, number>();
  const counts = new Map<number, number>();
  const waiters: { state: number; count: number; resolve: () => void }[] = [];
  let up: () => void = () => undefined;
  const workerUp = new Promise<void>((resolve) => (up = resolve));
  const counter: EventCounter = { events: 0, bytes: 0, reached: () => Promise.resolve(), workerUp, close: () => abort.abort() };
  const wake = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if ((counts.get(waiter.state) ?? 0) >= waiter.count) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };
  counter.reached = (state, count) =>
    new Promise<void>((resolve) => {
      waiters.push({ state, count, resolve });
      wake();
    });
  const update = (data: string) => {
    const idAt = data.indexOf('"ID":"') + 6;
    const id = data.slice(idAt, data.indexOf('"', idAt));
    const stateAt = data.indexOf('"State":') + 8;
    const state = data.charCodeAt(stateAt) - 48;
    const before = states.get(id);
    if (before === state) return;
    if (before !== undefined) counts.set(before, counts.get(before)! - 1);
    states.set(id, state);
    counts.set(state, (counts.get(state) ?? 0) + 1);
    if (waiters.length > 0) wake();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        counter.bytes += chunk.byteLength;
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        let from = 0;
        while ((end = buffer.indexOf('\n\n', from)) >= 0) {
          const block = buffer.slice(from, end);
          from = end + 2;
          if (block.startsWith(':')) continue;
          counter.events++;
          const data = block.slice(block.indexOf('data: ') + 6);
          if (block.includes('event: task.updated')) update(data);
          else if ((block.includes('event: node.updated') || block.includes('event: snapshot')) && /"State":"up"/.test(data)) up();
        }
        buffer = buffer.slice(from);
      }
    } catch {
      // aborted: the measurement is over
    }
  })();
  return counter;
}

/** One request of many: its method, path and body. */
export interface Call {
  method: 'POST' | 'DELETE';
  path: string;
  body?: string;
}

/** Sends `calls` with `inFlight` requests at a time; resolves with each request's latency in ms, or rejects on an answer not in `ok`. */
export async function sendAll(url: string, calls: Call[], inFlight: number, ok: number[]): Promise<Float64Array> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const latencies = new Float64Array(calls.length);
  const send = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const { method, path, body } = calls[i]!;
      const sent = performance.now();
      const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      const req = request(`${url}${path}`, { method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          latencies[i] = performance.now() - sent;
          if (!ok.includes(res.statusCode!)) reject(new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(inFlight, calls.length) }, async () => {
        while (next < calls.length) await send(next++);
      }),
    );
  } finally {
    agent.destroy();
  }
  return latencies;
}

/** POSTs `bodies` to /tasks with `inFlight` requests at a time; resolves with each request's latency in ms. */
export function postAll(url: string, bodies: string[], inFlight: number): Promise<Float64Array> {
  return sendAll(
    url,
    bodies.map((body) => ({ method: 'POST', path: '/tasks', body })),
    inFlight,
    [201],
  );
}

/** How many tasks a manager holds, by State, paging through GET /tasks. */
export async function countTasks(url: string): Promise<{ total: number; byState: Record<string, number> }> {
  const byState: Record<string, number> = {};
  let total = 0;
  let token: string | null = '';
  while (token !== null) {
    const response: Response = await fetch(`${url}/tasks?limit=10000${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    if (response.status !== 200) throw new Error(`GET /tasks answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const tasks = (await response.json()) as { State: number }[];
    total += tasks.length;
    for (const task of tasks) byState[task.State] = (byState[task.State] ?? 0) + 1;
    token = response.headers.get('cube-continue');
  }
  return { total, byState };
}

/** One GET, timed: the answer's status, its size, and how long the whole body took, in ms. */
export async function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number; bytes: number; headers: Headers }> {
  const begin = performance.now();
  const response = await fetch(url, { headers });
  const body = await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - begin, bytes: body.byteLength, headers: response.headers };
}
