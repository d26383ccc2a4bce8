// A scenario drawn from a seed: how many workers, which scheduler, which
// tasks, and the schedule — every fault and every user call, each with its
// time. Shrinking removes entries from `events`; everything else a run draws
// (network delays, call latencies) comes from streams of its own, so the
// entries that stay keep their meaning.
import type { ServiceDefinition } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import type { CallKind } from './engine.js';
import { Random } from './random.js';

export type Direction = 'both' | 'to-worker' | 'to-manager';

export type SimEvent =
  | { kind: 'post'; at: number; task: number; variant: number }
  | { kind: 'delete'; at: number; task: number }
  | { kind: 'worker.kill'; at: number; worker: number; downMs: number }
  | { kind: 'worker.freeze'; at: number; worker: number; ms: number }
  | { kind: 'partition'; at: number; worker: number; direction: Direction; ms: number }
  | { kind: 'network.chaos'; at: number; worker: number; ms: number; loss: number; duplicate: number; maxDelayMs: number }
  | { kind: 'stream.break'; at: number; worker: number }
  /** A worker's event stream lags behind (a backlog) while calls stay quick: a listing can be newer than the stream's next report. */
  | { kind: 'stream.lag'; at: number; worker: number; ms: number; lagMs: number }
  /** Requests to every worker stall (delivered 10.5–25 s late, after their call gave up) for a moment, around a user call. */
  | { kind: 'network.stall'; at: number; ms: number }
  | { kind: 'manager.kill'; at: number; downMs: number; workers: number[] }
  | { kind: 'container.crash'; at: number; task: number; exitCode: number; oom: boolean; outside: boolean }
  /** A task's container crashes, and soon after the worker running it is killed -9 and started again: its backoff must outlive the worker. */
  | { kind: 'crash.worker-kill'; at: number; task: number; afterMs: number; downMs: number }
  | { kind: 'container.vanish'; at: number; task: number }
  | { kind: 'container.pause'; at: number; task: number; ms: number }
  | { kind: 'crash-loop'; at: number; task: number; ms: number }
  | { kind: 'unhealthy'; at: number; task: number; ms: number }
  /** A task's health checks fail one now and then (each with `chance`), single failures among good ones, for a while. */
  | { kind: 'health.flaky'; at: number; task: number; ms: number; chance: number }
  | { kind: 'engine.restart'; at: number; worker: number; downMs: number }
  | { kind: 'engine.hang'; at: number; worker: number; ms: number }
  | { kind: 'runtime.slow'; at: number; worker: number; ms: number }
  | { kind: 'runtime.fail'; at: number; worker: number; call: CallKind; ms: number }
  | { kind: 'store.fail'; at: number; disk: 'manager' | number; ms: number }
  /** The user's calls for a service (by its index in `services`): create it, scale it, PUT a new version (one whose copies fail their check when `sick`), delete it. */
  | { kind: 'service.create'; at: number; service: number }
  | { kind: 'service.scale'; at: number; service: number; count: number }
  | { kind: 'service.update'; at: number; service: number; version: number; sick: boolean }
  | { kind: 'service.delete'; at: number; service: number };

/** A user call for a service. */
export type ServiceCall = Extract<SimEvent, { kind: `service.${string}` }>;

export type FaultKind = Exclude<SimEvent['kind'], 'post' | 'delete' | ServiceCall['kind']>;

export interface TaskDefinition {
  ID: string;
  /** The bodies a user POSTs for it: variant 0 first, the others are changed specs. */
  variants: Partial<Task>[];
}

export interface Scenario {
  seed: number;
  workers: string[];
  scheduler: 'epvm' | 'roundrobin';
  tasks: TaskDefinition[];
  /** Length of the part of the run where faults and calls happen (ms). */
  chaosMs: number;
  events: SimEvent[];
  /** The services the user makes (none unless the scenario was drawn with services). */
  services?: ServiceBody[];
  /** Workers' labels and what they offer, when the scenario was drawn with placement (drawPlacement). */
  placement?: Placement;
}

/** What placement reads of the workers: each one's labels (by index) and the memory every one offers. */
export interface Placement {
  labels: Record<string, string>[];
  memory: number;
}

const GiB = 2 ** 30;
/** What every worker offers in a scenario drawn with placement: two of the tasks that ask for memory. */
export const PLACEMENT_MEMORY = 4 * GiB;

/** The named volumes tasks of a scenario with placement mount: few, so two tasks share one now and then. */
export const SIM_VOLUMES = ['v1', 'v2', 'v3'] as const;

/**
 * Labels for the workers (a zone of a or b, and a disk of ssd now and then)
 * and, for each task, Constraints, a Memory ask or a named volume, each kept
 * by its changed spec. Drawn so that everything can always be placed once
 * the faults heal: a constraint always names what some worker has and asks no
 * memory, the tasks that ask for memory (2 GiB each, two to a worker) are
 * never more than the workers hold, and a task with a volume asks nothing
 * else (its volume's worker always fits it). What it tests is that nothing is
 * ever placed against a constraint, beyond what a worker offers, or away from
 * the worker that holds its volume, whatever the faults do.
 */
function drawPlacement(random: Random, workers: string[], tasks: TaskDefinition[]): Placement {
  const labels = workers.map(() => ({ zone: random.pick(['a', 'b'] as const), ...(random.chance(0.4) ? { disk: 'ssd' } : {}) }));
  let memorySlots = 2 * workers.length;
  for (const task of tasks) {
    const someone = random.int(0, workers.length - 1);
    const zone = labels[someone]!.zone;
    const choice = random.weighted({ none: 1, memory: 3, equal: 2, notEqual: 1, set: 1, name: 1, disk: 1, volume: 3 });
    let ask: Partial<Task> = {};
    if (choice === 'memory' && memorySlots > 0) {
      memorySlots--;
      ask = { Memory: 2 * GiB };
    } else if (choice === 'equal') ask = { Constraints: [`zone==${zone}`] };
    else if (choice === 'notEqual') ask = { Constraints: [`zone!=${zone === 'a' ? 'b' : 'a'}`] };
    else if (choice === 'set') ask = { Constraints: [`zone in (${zone},c)`] };
    else if (choice === 'name') ask = { Constraints: [`Name==${workers[someone]}`] };
    else if (choice === 'disk') ask = { Constraints: [labels[someone]!.disk ? 'disk==ssd' : 'disk not in (ssd)'] };
    else if (choice === 'volume') ask = { Mounts: [{ Type: 'volume', Source: random.pick(SIM_VOLUMES), Target: '/data', ReadOnly: false, Size: 0 }] };
    task.variants = task.variants.map((variant) => ({ ...variant, ...ask }));
  }
  return { labels, memory: PLACEMENT_MEMORY };
}

/** A service as the user sends it (POST /services): the Task holds only the keys it sets. */
export type ServiceBody = Omit<ServiceDefinition, 'Task'> & { Task: Partial<Task> };

/** How often each fault is drawn, relative to the others. */
export const faultWeights: Record<FaultKind, number> = {
  'worker.kill': 3,
  'worker.freeze': 3,
  partition: 3,
  'network.chaos': 5,
  'stream.break': 2,
  'stream.lag': 3,
  'network.stall': 2,
  'manager.kill': 3,
  'container.crash': 3,
  'crash.worker-kill': 1,
  'container.vanish': 1,
  'container.pause': 1,
  'crash-loop': 2,
  unhealthy: 1,
  'health.flaky': 2,
  'engine.restart': 2,
  'engine.hang': 1,
  'runtime.slow': 1,
  'runtime.fail': 1,
  'store.fail': 1,
};

const policies = ['', 'always', 'unless-stopped', 'on-failure'] as const;

function drawTask(random: Random, index: number): TaskDefinition {
  const ID = `t${index + 1}`;
  const probed = random.chance(0.3);
  const base: Partial<Task> = {
    ID,
    Name: `sim-${ID}`,
    Image: 'sim/app:1',
    Env: [`N=${index}`],
    RestartPolicy: random.pick(policies),
    ...(probed ? { ExposedPorts: { '8080/tcp': {} }, HealthCheck: '/health' } : {}),
  };
  return { ID, variants: [base, { ...base, Image: 'sim/app:2', Env: [`N=${index}`, 'CHANGED=1'] }] };
}

function drawFault(random: Random, kind: FaultKind, at: number, workers: number, tasks: number): SimEvent {
  const worker = random.int(0, workers - 1);
  const task = random.int(0, tasks - 1);
  const ms = random.weighted({ short: 3, long: 2 }) === 'short' ? random.int(100, 3000) : random.int(3000, 15_000);
  switch (kind) {
    case 'worker.kill':
      return { kind, at, worker, downMs: random.chance(0.3) ? 0 : ms };
    case 'worker.freeze':
      return { kind, at, worker, ms };
    case 'partition':
      return { kind, at, worker, direction: random.pick(['both', 'to-worker', 'to-manager'] as const), ms };
    case 'network.chaos':
      // The longest delays outlast a call's time limit: the call gives up, the request still arrives, after the next one.
      return {
        kind,
        at,
        worker,
        ms,
        loss: random.pick([0.05, 0.2, 0.5]),
        duplicate: random.pick([0, 0.1, 0.3]),
        maxDelayMs: random.pick([200, 2000, 8000, 25_000]),
      };
    case 'stream.break':
      return { kind, at, worker };
    case 'stream.lag':
      return { kind, at, worker, ms, lagMs: random.int(300, 3000) };
    case 'network.stall':
      return { kind, at, ms: random.int(100, 2000) };
    case 'manager.kill': {
      const list = Array.from({ length: workers }, (_, i) => i).filter(() => !random.chance(0.3));
      return {
        kind,
        at,
        downMs: random.chance(0.2) ? 0 : random.int(100, 6000),
        workers: random.chance(0.35) ? list : Array.from({ length: workers }, (_, i) => i),
      };
    }
    case 'container.crash': {
      const how = random.weighted({ exit: 4, oom: 1, killed: 2, clean: 1 });
      return { kind, at, task, exitCode: how === 'clean' ? 0 : how === 'exit' ? random.pick([1, 2, 127]) : 137, oom: how === 'oom', outside: how === 'killed' };
    }
    case 'crash.worker-kill':
      return { kind, at, task, afterMs: random.int(0, 2000), downMs: random.int(0, 1500) };
    case 'container.vanish':
      return { kind, at, task };
    case 'container.pause':
    case 'crash-loop':
    case 'unhealthy':
      return { kind, at, task, ms };
    case 'health.flaky':
      return { kind, at, task, ms, chance: random.pick([0.2, 0.4]) };
    case 'engine.restart':
      return { kind, at, worker, downMs: random.int(200, 8000) };
    case 'engine.hang':
    case 'runtime.slow':
      return { kind, at, worker, ms };
    case 'runtime.fail':
      return { kind, at, worker, call: random.pick(['start', 'stop', 'remove', 'list'] as const), ms };
    case 'store.fail':
      return { kind, at, disk: random.chance(0.5) ? 'manager' : worker, ms };
  }
}

/** The user's calls for one task: a POST, and sometimes a DELETE, a re-POST or a changed spec, often right after one another. */
function drawCalls(random: Random, task: number, chaosMs: number): SimEvent[] {
  const first = random.int(0, Math.floor(chaosMs * 0.7));
  const calls: SimEvent[] = [{ kind: 'post', at: first, task, variant: 0 }];
  const soon = () => first + (random.chance(0.5) ? random.int(0, 300) : random.int(0, chaosMs - first));
  if (random.chance(0.45)) calls.push({ kind: 'delete', at: soon(), task });
  if (random.chance(0.2)) calls.push({ kind: 'post', at: soon(), task, variant: 0 });
  if (random.chance(0.15)) calls.push({ kind: 'post', at: soon(), task, variant: 1 });
  if (random.chance(0.1)) calls.push({ kind: 'delete', at: soon(), task });
  return calls;
}

/** What `--without` can leave out of a schedule: a fault kind, or a kind of user call. */
export type Leave = FaultKind | 'changed-spec' | 'delete' | 'repost';

/** Whether an entry is of a kind left out. */
export const leftOut = (event: SimEvent, without: ReadonlySet<string>): boolean =>
  without.has(event.kind) || (event.kind === 'post' && event.variant > 0 && without.has('changed-spec'));

/**
 * The scenario of a seed. `without` drops entries of some kinds after the
 * draw, so the rest of the seed's schedule stays what it was.
 */
export function drawScenario(seed: number, without: ReadonlySet<string> = new Set(), options: { services?: boolean; placement?: boolean } = {}): Scenario {
  const random = new Random(seed).fork('scenario');
  const workerCount = random.int(1, 5);
  const workers = Array.from({ length: workerCount }, (_, i) => `w${i + 1}`);
  const tasks = Array.from({ length: random.int(1, 6) }, (_, i) => drawTask(random, i));
  const chaosMs = random.int(10_000, 45_000);
  const events: SimEvent[] = tasks.flatMap((_, i) => drawCalls(random, i, chaosMs));
  const faultCount = random.int(0, 8);
  const calls = [...events];
  for (let i = 0; i < faultCount; i++) {
    const kind = random.weighted(faultWeights);
    // A stall (always) and a lag (half the time) matter around a call: they start just before one.
    const nearCall = kind === 'network.stall' || (kind === 'stream.lag' && random.chance(0.5));
    const at = nearCall ? Math.max(0, random.pick(calls).at - random.int(0, 300)) : random.int(0, chaosMs);
    events.push(drawFault(random, kind, at, workerCount, tasks.length));
  }
  const scheduler = random.pick(['epvm', 'roundrobin'] as const);
  // Services come from a stream of their own, so a seed's cluster, tasks and faults are the same with them or without.
  const services = options.services ? drawServices(new Random(seed).fork('services'), chaosMs) : undefined;
  if (services) events.push(...services.calls);
  // Placement too: the same cluster, tasks and faults, with labels, constraints and memory asks laid on.
  const placement = options.placement ? drawPlacement(new Random(seed).fork('placement'), workers, tasks) : undefined;
  // Stable order by time; ties keep the order drawn.
  events.sort((a, b) => a.at - b.at);
  return {
    seed,
    workers,
    scheduler,
    tasks,
    chaosMs,
    events: events.filter((e) => !leftOut(e, without) && !(without.has('repost') && isRepost(e, events))),
    ...(services ? { services: services.definitions } : {}),
    ...(placement ? { placement } : {}),
  };
}

/** A copy of a service whose image is this one passes its health checks for SICK_AFTER_MS after it starts, then fails them. */
export const SICK_IMAGE = 'sim/sick';
/** Shorter than MinHealthy: a copy of a sick version never counts, but serves for a moment first. */
export const SICK_AFTER_MS = 3000;
/** How long a copy must be healthy to count (Update.MinHealthy of every version). */
export const MIN_HEALTHY_MS = 8000;

/** The task a service's version `version` runs: a sick one fails its health check soon after it starts. */
export function serviceTask(index: number, version: number, sick: boolean): Partial<Task> {
  return {
    Image: `${sick ? SICK_IMAGE : 'sim/web'}:${version}`,
    Env: [`S=${index}`, `V=${version}`],
    RestartPolicy: 'always',
    ExposedPorts: { '8080/tcp': {} },
    HealthCheck: '/health',
  };
}

/** One to two services, each created, then scaled (to 1–4: a service of none would make a sick version Stable, nothing having failed), updated (to a good version or a sick one) and sometimes deleted. */
function drawServices(random: Random, chaosMs: number): { definitions: ServiceBody[]; calls: ServiceCall[] } {
  const definitions: ServiceBody[] = [];
  const calls: ServiceCall[] = [];
  const count = random.int(1, 2);
  for (let service = 0; service < count; service++) {
    definitions.push({
      Name: `s${service + 1}`,
      Count: random.int(1, 3),
      Task: serviceTask(service, 1, false),
      Update: {
        Parallelism: random.int(1, 2),
        Order: random.chance(0.75) ? 'start-first' : 'stop-first',
        MinHealthy: `${MIN_HEALTHY_MS / 1000}s`,
        HealthyDeadline: '30s',
        OnFailure: 'rollback',
      },
      ShutdownDelay: '1s',
    });
    const first = random.int(0, Math.floor(chaosMs * 0.4));
    calls.push({ kind: 'service.create', at: first, service });
    // Its changes come once its first version has had time to count: a PUT before that has no Stable to roll back to.
    const later = () => first + 15_000 + random.int(0, chaosMs - first);
    let version = 1;
    for (let i = random.int(1, 3); i > 0; i--) {
      if (random.chance(0.35)) calls.push({ kind: 'service.scale', at: later(), service, count: random.int(1, 4) });
      else calls.push({ kind: 'service.update', at: later(), service, version: ++version, sick: random.chance(0.5) });
    }
    if (random.chance(0.25)) calls.push({ kind: 'service.delete', at: first + 15_000 + chaosMs, service });
  }
  return { definitions, calls };
}

/** One line per entry, for traces and shrunk schedules. */
export function describeEvent(event: SimEvent, scenario: Scenario): string {
  const { kind, at: _, ...rest } = event;
  const fields = Object.entries(rest).map(([key, value]) => {
    if (key === 'task') return `task=${scenario.tasks[value as number]!.ID}`;
    if (key === 'service') return `service=${scenario.services?.[value as number]?.Name}`;
    if (key === 'worker' || key === 'disk') return `${key}=${typeof value === 'number' ? scenario.workers[value] : value}`;
    if (key === 'workers') return `workers=${(value as number[]).map((i) => scenario.workers[i]).join(',') || 'none'}`;
    return `${key}=${value}`;
  });
  return `${kind} ${fields.join(' ')}`.trim();
}

/** A POST of the original spec after the task's first POST. */
const isRepost = (event: SimEvent, events: SimEvent[]): boolean =>
  event.kind === 'post' && event.variant === 0 && events.find((e) => e.kind === 'post' && e.task === event.task) !== event;
