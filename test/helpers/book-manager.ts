// The book's manager loop ("Build an Orchestrator in Go", chapters 10–12), for
// tests: it polls each worker's GET /tasks and GET /stats, places a task with
// the book's E-PVM over the book's stats keys, POSTs it to the chosen worker
// and DELETEs it there to stop it. It reads answers as the book's Go code
// does: task IDs must parse as UUIDs, stats must carry MemStats, DiskStats,
// CpuStats and LoadStats, and a worker whose stats cannot be read is skipped
// ("error getting stats from node"). One difference: the book samples a
// worker's stats twice, 3 s apart, for each placement; this loop uses its last
// two polls.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { TestContext } from 'node:test';
import type { BookStats, BookTask, BookTaskEvent } from '../../src/book/shapes.js';
import { ZERO_TIME } from '../../src/vocabulary/task.js';

/** The constant of the book's E-PVM. */
const LIEB = 1.53960071783900203869;
/** The book's maxJobs. */
const MAX_JOBS = 4;

export interface BookNode {
  /** host:port, as the book names a worker. */
  Name: string;
  Api: string;
  /** kB. */
  Memory: number;
  MemoryAllocated: number;
  /** Bytes. */
  Disk: number;
  DiskAllocated: number;
  /** The manager's own count of the tasks it sent there. */
  TaskCount: number;
  Stats: BookStats | null;
  /** The poll before the last, for the CPU use between them. */
  Previous: BookStats | null;
  /** Why its last answers could not be read, as the book logs it; "" when they could. */
  Error: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A task as the book's Go decodes it: a UUID ID, numbers where numbers go. */
export function decodeBookTask(value: any): BookTask {
  if (typeof value !== 'object' || value === null) throw new Error(`json: cannot unmarshal ${JSON.stringify(value)} into Go value of type task.Task`);
  if (typeof value.ID !== 'string' || !UUID.test(value.ID)) throw new Error(`invalid UUID length: ${String(value.ID ?? '').length}`);
  for (const key of ['State', 'Cpu', 'Memory', 'Disk', 'RestartCount']) {
    if (value[key] !== undefined && typeof value[key] !== 'number')
      throw new Error(`json: cannot unmarshal ${typeof value[key]} into Go struct field Task.${key}`);
  }
  return value as BookTask;
}

/** Stats as the book's Go decodes them; a part that is missing would be a nil pointer it dereferences. */
export function decodeBookStats(value: any): BookStats {
  for (const part of ['MemStats', 'DiskStats', 'CpuStats', 'LoadStats']) {
    const fields = value?.[part];
    if (typeof fields !== 'object' || fields === null) throw new Error(`no ${part} in the stats`);
    for (const [key, n] of Object.entries(fields))
      if (key !== 'id' && typeof n !== 'number') throw new Error(`json: cannot unmarshal ${typeof n} into ${part}.${key}`);
  }
  if (typeof value.MemStats.mem_total !== 'number' || typeof value.MemStats.mem_available !== 'number')
    throw new Error('MemStats without mem_total and mem_available');
  return value as BookStats;
}

/** The book's calculateCpuUsage: busy jiffies over all jiffies between two samples. */
export function bookCpuUsage(before: BookStats, after: BookStats): number {
  const idle = (s: BookStats) => s.CpuStats.idle + s.CpuStats.iowait;
  const busy = (s: BookStats) => s.CpuStats.user + s.CpuStats.nice + s.CpuStats.system + s.CpuStats.irq + s.CpuStats.softirq + s.CpuStats.steal;
  const total = idle(after) + busy(after) - (idle(before) + busy(before));
  const idled = idle(after) - idle(before);
  return total === 0 && idled === 0 ? 0 : (total - idled) / total;
}

/** The book's E-PVM score of placing `task` on `node` (lower is better); undefined when its stats cannot be read. */
export function bookEpvmScore(task: Pick<BookTask, 'Memory'>, node: BookNode): number | undefined {
  if (!node.Stats || !node.Previous) return undefined;
  const cpuLoad = bookCpuUsage(node.Previous, node.Stats) / 2 ** 0.8;
  const memUsedKb = node.Stats.MemStats.mem_total - node.Stats.MemStats.mem_available;
  const memoryAllocated = memUsedKb + node.MemoryAllocated;
  const memoryPercentAllocated = memoryAllocated / node.Memory;
  const newMemPercent = (memoryAllocated + task.Memory / 1000) / node.Memory;
  const jobs = (n: number) => LIEB ** (n / MAX_JOBS);
  const memCost = LIEB ** newMemPercent + jobs(node.TaskCount + 1) - LIEB ** memoryPercentAllocated - jobs(node.TaskCount);
  const cpuCost = LIEB ** cpuLoad + jobs(node.TaskCount + 1) - LIEB ** cpuLoad - jobs(node.TaskCount);
  return memCost + cpuCost;
}

export interface BookPlacement {
  worker: string;
  /** The score of every worker whose stats could be read. */
  scores: Record<string, number>;
  /** The worker's answer to the POST, decoded as the book does. */
  answer: BookTask;
}

export interface BookManager {
  nodes: Map<string, BookNode>;
  /** The manager's task records, updated from the workers' GET /tasks. */
  tasks: Map<string, BookTask>;
  /** Resolves after the next poll of every worker. */
  polled(): Promise<void>;
  submit(task: Partial<BookTask> & Pick<BookTask, 'Name' | 'Image'>): Promise<BookPlacement>;
  stop(id: string): Promise<void>;
  untilTask(id: string, done: (task: BookTask) => boolean): Promise<BookTask>;
  close(): void;
}

export function startBookManager(t: TestContext, workers: string[], pollMs = 200): BookManager {
  const nodes = new Map<string, BookNode>(
    workers.map((w) => [
      w,
      { Name: w, Api: `http://${w}`, Memory: 0, MemoryAllocated: 0, Disk: 0, DiskAllocated: 0, TaskCount: 0, Stats: null, Previous: null, Error: '' },
    ]),
  );
  const tasks = new Map<string, BookTask>();
  const where = new Map<string, string>();
  const changes = new EventEmitter();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function pollNode(node: BookNode): Promise<void> {
    try {
      const stats = decodeBookStats(await (await fetch(`${node.Api}/stats`)).json());
      node.Previous = node.Stats;
      node.Stats = stats;
      node.Memory = stats.MemStats.mem_total;
      node.Disk = stats.DiskStats.all;
      const listed = (await (await fetch(`${node.Api}/tasks`)).json()) as unknown[] | null;
      for (const task of (listed ?? []).map(decodeBookTask)) {
        const record = tasks.get(task.ID);
        if (!record) continue;
        tasks.set(task.ID, {
          ...record,
          State: task.State,
          ContainerID: task.ContainerID,
          HostPorts: task.HostPorts,
          StartTime: task.StartTime,
          FinishTime: task.FinishTime,
        });
      }
      node.Error = '';
    } catch (error) {
      node.Error = `error getting stats from node ${node.Name}: ${(error as Error).message}`;
    }
  }

  async function poll(): Promise<void> {
    await Promise.all([...nodes.values()].map(pollNode));
    changes.emit('polled');
    if (!closed) timer = setTimeout(() => void poll(), pollMs);
  }
  void poll();
  const close = () => {
    closed = true;
    clearTimeout(timer);
  };
  t.after(close);

  const polled = () => new Promise<void>((resolve) => changes.once('polled', resolve));

  return {
    nodes,
    tasks,
    polled,
    async submit(fields) {
      const task: BookTask = {
        ID: randomUUID(),
        ContainerID: '',
        State: 1,
        Cpu: 0,
        Memory: 0,
        Disk: 0,
        ExposedPorts: null,
        HostPorts: null,
        PortBindings: null,
        RestartPolicy: '',
        StartTime: ZERO_TIME,
        FinishTime: ZERO_TIME,
        HealthCheck: '',
        RestartCount: 0,
        ...fields,
      };
      // SelectWorker: those with disk for it, scored by E-PVM; a worker whose stats cannot be read is skipped.
      const scores: Record<string, number> = {};
      for (const node of nodes.values()) {
        const score = task.Disk <= node.Disk - node.DiskAllocated ? bookEpvmScore(task, node) : undefined;
        if (score !== undefined && !node.Error) scores[node.Name] = score;
      }
      const ranked = Object.entries(scores).sort(([a, x], [b, y]) => x - y || a.localeCompare(b));
      if (ranked.length === 0)
        throw new Error(
          `no available candidates match resource request for task ${task.ID}: ${[...nodes.values()].map((n) => n.Error || `${n.Name}: fewer than two polls`).join('; ')}`,
        );
      const node = nodes.get(ranked[0]![0])!;
      const event: BookTaskEvent = { ID: randomUUID(), State: 2, Timestamp: new Date().toISOString(), Task: task };
      const response = await fetch(`${node.Api}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
      const body = await response.json();
      if (response.status !== 201) throw new Error(`POST ${node.Api}/tasks answered ${response.status}: ${JSON.stringify(body)}`);
      node.TaskCount++;
      tasks.set(task.ID, task);
      where.set(task.ID, node.Name);
      return { worker: node.Name, scores, answer: decodeBookTask(body) };
    },
    async stop(id) {
      const response = await fetch(`http://${where.get(id)}/tasks/${id}`, { method: 'DELETE' });
      if (response.status !== 204) throw new Error(`DELETE answered ${response.status}: ${await response.text()}`);
    },
    untilTask: (id, done) =>
      new Promise((resolve) => {
        const check = () => {
          const task = tasks.get(id);
          if (!task || !done(task)) return;
          changes.off('polled', check);
          resolve(task);
        };
        changes.on('polled', check);
        check();
      }),
    close,
  };
}
