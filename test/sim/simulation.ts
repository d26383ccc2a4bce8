// One run: a scenario (drawn from a seed, or a shrunk schedule of one) played
// against a simulated cluster on the simulated clock, the invariants checked
// after every step, then every fault healed, the clock run on, and the
// invariants checked once more at quiescence.
import type { ManagerService } from '../../src/manager/run/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import { taskPolicy } from '../../src/worker/from-settings.js';
import { SimClock } from './clock.js';
import { Cluster } from './cluster.js';
import { installFetch } from './health.js';
import { Checker, type Violation } from './invariants.js';
import type { Mistake } from './mistakes.js';
import { Random } from './random.js';
import { serviceTask, type Scenario, type ServiceCall, type SimEvent } from './schedule.js';
import type { ServiceView } from './service-invariants.js';
import { simSettings } from './settings.js';
import { Trace, type TraceLine } from './trace.js';
import { User } from './user.js';

/** How long the clock runs on after the heal before the final check (ms). */
export const QUIESCENCE_MS = 60_000;
/** Time after the chaos part for the last fault windows to close before the heal. */
const WINDOWS_MS = 15_000;

export interface RunOptions {
  mistake?: Mistake;
  /** Stop at the first violation (shrinking and seed sweeps) instead of running to the end. */
  failFast?: boolean;
}

export interface RunResult {
  seed: number;
  ok: boolean;
  violations: Violation[];
  trace: TraceLine[];
  /** Simulated milliseconds the run covered. */
  simulatedMs: number;
  workers: number;
  steps: number;
}

export async function simulate(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const random = new Random(scenario.seed);
  const clock = new SimClock(random.fork('Math.random'));
  const trace = new Trace(() => Date.now());
  const settings = simSettings(scenario.scheduler);
  const checker = new Checker(
    scenario,
    taskPolicy(settings),
    trace,
    (name) => cluster.workers.find((w) => w.name === name)?.engine,
    () => cluster.manager.disk,
  );
  const cluster: Cluster = new Cluster(scenario, settings, random, trace, checker, options.mistake);
  const user = new User(cluster.manager);
  const restoreFetch = installFetch(cluster.ports, (c) => cluster.engineOf(c), checker, random.fork('health'));
  let steps = 0;
  const services = (scenario.services?.length ?? 0) > 0;
  /** The count the user last sent for each service: a PUT carries it. */
  const sentCount = new Map<number, number>();
  try {
    trace.add(
      'sim',
      `seed ${scenario.seed}: ${scenario.workers.length} worker(s), ${scenario.tasks.length} task(s), scheduler ${scenario.scheduler}, ${scenario.events.length} event(s)`,
    );
    cluster.start();
    for (const event of scenario.events) setTimeout(() => play(event), event.at);
    const healAt = scenario.chaosMs + WINDOWS_MS;
    const endAt = healAt + QUIESCENCE_MS;
    setTimeout(() => cluster.heal(), healAt);
    const end = clock.now + endAt;
    while (clock.now < end) {
      const due = clock.nextDue();
      if (due === undefined || due > end) break;
      const thrown = await clock.step();
      steps++;
      if (thrown !== undefined) checker.exceptionEscaped(thrown);
      checker.afterStep(records(cluster.manager.process?.service));
      const now = services ? view(cluster, checker) : undefined;
      if (now) checker.services.afterStep(now);
      if (options.failFast && checker.violations.length > 0) break;
    }
    if (!(options.failFast && checker.violations.length > 0)) {
      const ledger = cluster.manager.process?.service.ledger();
      const tasks = records(cluster.manager.process?.service) ?? new Map<string, Task>();
      trace.add('sim', 'quiescence: final check');
      for (const task of tasks.values()) {
        const history = task.Events.slice(-4)
          .map((e) => `${e.Type}: ${e.Message}`)
          .join(' | ');
        trace.add(
          'manager',
          `record ${task.ID}: ${task.StateName} on ${task.Worker || 'no worker'}, placement ${task.Placement || '-'}, version ${task.Version}; … ${history}`,
        );
      }
      checker.atQuiescence(tasks, cluster.engines, new Map([...(ledger?.workers.values() ?? [])].map((w) => [w.name, w.state])));
      const last = services ? view(cluster, checker) : undefined;
      if (last) checker.services.atQuiescence(last, tasks, cluster.engines);
    }
    return {
      seed: scenario.seed,
      ok: checker.violations.length === 0,
      violations: checker.violations,
      trace: trace.lines,
      simulatedMs: clock.elapsed,
      workers: scenario.workers.length,
      steps,
    };
  } finally {
    cluster.stop();
    await clock.settle();
    restoreFetch();
    clock.uninstall();
  }

  function play(event: SimEvent): void {
    if (event.kind === 'post') return void post(event.task, event.variant);
    if (event.kind === 'delete') return void remove(event.task);
    if (event.kind.startsWith('service.')) return void serviceCall(event as ServiceCall);
    cluster.apply(event as Exclude<SimEvent, ServiceCall | { kind: 'post' | 'delete' }>);
  }

  /** A user's call for a service, and what its answer, if 2xx, makes true. */
  async function serviceCall(event: ServiceCall): Promise<void> {
    const definition = scenario.services![event.service]!;
    const name = definition.Name;
    const path = `/services/${name}`;
    const count = event.kind === 'service.scale' ? event.count : (sentCount.get(event.service) ?? definition.Count);
    const call =
      event.kind === 'service.create'
        ? { what: `create ${name} (Count ${count})`, method: 'POST', path: '/services', body: definition, asked: { exists: true, count } }
        : event.kind === 'service.scale'
          ? { what: `scale ${name} to ${count}`, method: 'POST', path: `${path}/scale`, body: { Count: count }, asked: { count } }
          : event.kind === 'service.update'
            ? {
                what: `update ${name} to ${event.sick ? 'a sick' : 'a good'} version`,
                method: 'PUT',
                path,
                body: { ...definition, Count: count, Task: serviceTask(event.service, event.version, event.sick) },
                asked: { exists: true, count },
              }
            : { what: `delete ${name}`, method: 'DELETE', path, body: undefined, asked: { exists: false } };
    if (!cluster.manager.process) {
      trace.add('user', `${call.what} → no answer (no manager)`);
      return;
    }
    if (event.kind !== 'service.delete') sentCount.set(event.service, count);
    const order = checker.services.calling();
    const answer = await user.call(call.method, call.path, call.body);
    trace.add(
      'user',
      `${call.what} → ${answer ? `${answer.status}${answer.status >= 300 ? ` ${message(answer.body)}` : ''}` : 'no answer (the manager died)'}`,
    );
    if (answer?.status === 500) checker.internalError('manager', `${call.method} ${call.path}`);
    checker.services.answered(name, order, answer, call.asked);
  }

  async function post(index: number, variant: number): Promise<void> {
    const definition = scenario.tasks[index]!;
    const what = `POST ${definition.ID}${variant > 0 ? ` (changed spec ${variant})` : ''}`;
    if (!cluster.manager.process) {
      trace.add('user', `${what} → no answer (no manager)`);
      return;
    }
    const call = checker.posting(definition.ID);
    const answer = await user.post({ Task: definition.variants[variant] });
    trace.add('user', `${what} → ${answer ? `${answer.status}${answer.status >= 300 ? ` ${message(answer.body)}` : ''}` : 'no answer (the manager died)'}`);
    checker.posted(definition.ID, variant, answer, call);
  }

  async function remove(index: number): Promise<void> {
    const id = scenario.tasks[index]!.ID;
    if (!cluster.manager.process) {
      trace.add('user', `DELETE ${id} → no answer (no manager)`);
      return;
    }
    const call = checker.deleting(id);
    trace.add('user', `DELETE ${id} sent`);
    const answer = await user.delete(id);
    trace.add(
      'user',
      `DELETE ${id} → ${answer ? `${answer.status}${answer.status >= 300 ? ` ${message(answer.body)}` : ''}` : 'no answer (the manager died)'}`,
    );
    checker.deleted(id, answer, call);
  }
}

const message = (body: unknown) => String((body as { Message?: unknown } | undefined)?.Message ?? '');

/** The manager's services, their copies and its workers, when a manager runs (GET /services's answer: one it cannot give is a violation). */
function view(cluster: Cluster, checker: Checker): ServiceView | undefined {
  const process = cluster.manager.process;
  if (!process) return undefined;
  try {
    return { services: process.services.list(), copies: process.copies, workerStates: process.workerStates() };
  } catch (error) {
    checker.crashed('manager (GET /services)', error);
    return undefined;
  }
}

/** Every record of the manager: its ledger keeps Completed ones in its store, read from there. */
function records(service: ManagerService | undefined): Map<string, Task> | undefined {
  return service && new Map([...service.tasks()].map((task) => [task.ID, task]));
}
