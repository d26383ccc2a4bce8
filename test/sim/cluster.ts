// One simulated cluster: a manager machine and N worker machines, each with
// its disk (and the workers their engine), the network links between them,
// and what the schedule's events do to them.
import type { Settings } from '../../src/config/settings.js';
import { SimEngine, type SimContainer } from './engine.js';
import { ManagerHost } from './manager-host.js';
import type { Mistake } from './mistakes.js';
import { Link } from './network.js';
import type { Observer } from './observer.js';
import type { Random } from './random.js';
import { describeEvent, type Scenario, type SimEvent } from './schedule.js';
import { SimManagerDisk, SimTaskDisk } from './stores.js';
import { fixedStats, placedStats } from './settings.js';
import type { Trace } from './trace.js';
import { WorkerHost } from './worker-host.js';

export class Cluster {
  readonly ports = new Map<number, SimContainer>();
  readonly workers: WorkerHost[];
  readonly links = new Map<string, Link>();
  readonly manager: ManagerHost;

  constructor(
    readonly scenario: Scenario,
    readonly settings: Settings,
    random: Random,
    private readonly trace: Trace,
    observer: Observer,
    mistake: Mistake | undefined,
  ) {
    this.workers = scenario.workers.map((name, i) => {
      const engine = new SimEngine(name, i + 1, random.fork(`engine:${name}`), trace, observer, this.ports);
      const stats = scenario.placement ? placedStats(scenario.placement.labels[i]!, scenario.placement.memory) : fixedStats;
      return new WorkerHost(name, engine, new SimTaskDisk(name), settings, trace, observer, mistake, stats);
    });
    for (const worker of this.workers) {
      worker.link = new Link(worker.name, worker, random.fork(`link:${worker.name}`));
      this.links.set(worker.name, worker.link);
    }
    this.manager = new ManagerHost(new SimManagerDisk('manager'), settings, this.links, trace, observer, mistake);
  }

  get engines(): SimEngine[] {
    return this.workers.map((w) => w.engine);
  }

  engineOf(container: SimContainer): SimEngine {
    return this.engines.find((e) => e.containers.get(container.id) === container) ?? this.engines[0]!;
  }

  start(): void {
    for (const worker of this.workers) worker.start();
    this.manager.start(this.scenario.workers);
  }

  /** Applies one fault of the schedule (user calls are the user's: see user.ts). */
  apply(event: Exclude<SimEvent, { kind: 'post' | 'delete' }>): void {
    this.trace.add('FAULT', describeEvent(event, this.scenario));
    const until = (ms: number) => Date.now() + ms;
    const worker = 'worker' in event ? this.workers[event.worker]! : undefined;
    switch (event.kind) {
      case 'worker.kill':
        worker!.kill();
        if (event.downMs === 0) worker!.start();
        else setTimeout(() => worker!.start(), event.downMs);
        return;
      case 'worker.freeze':
        return worker!.freeze(event.ms);
      case 'partition': {
        const faults = worker!.link.faults;
        if (event.direction !== 'to-manager') faults.toWorkerCutUntil = Math.max(faults.toWorkerCutUntil, until(event.ms));
        if (event.direction !== 'to-worker') faults.toManagerCutUntil = Math.max(faults.toManagerCutUntil, until(event.ms));
        return;
      }
      case 'network.chaos':
        Object.assign(worker!.link.faults, { chaosUntil: until(event.ms), loss: event.loss, duplicate: event.duplicate, maxDelayMs: event.maxDelayMs });
        return;
      case 'network.stall':
        for (const link of this.links.values()) link.faults.stallUntil = until(event.ms);
        return;
      case 'stream.lag':
        Object.assign(worker!.link.faults, { lagUntil: until(event.ms), lagMs: event.lagMs });
        return;
      case 'stream.break':
        return worker!.breakStreams();
      case 'manager.kill': {
        this.manager.kill();
        const names = event.workers.map((i) => this.scenario.workers[i]!);
        if (event.downMs === 0) this.manager.start(names);
        else setTimeout(() => this.manager.start(names), event.downMs);
        return;
      }
      case 'container.crash':
        for (const { engine, container } of this.containersOf(event.task)) {
          engine.exit(container, event.exitCode, {
            oom: event.oom,
            outside: event.outside,
            why: event.oom ? 'OOM-killed' : event.outside ? 'killed from outside' : 'crashed',
          });
        }
        return;
      case 'crash.worker-kill':
        for (const { engine, container } of this.containersOf(event.task)) {
          engine.exit(container, 1, { oom: false, outside: false, why: 'crashed' });
          const host = this.workers.find((w) => w.engine === engine)!;
          setTimeout(() => {
            host.kill();
            setTimeout(() => host.start(), event.downMs);
          }, event.afterMs);
        }
        return;
      case 'container.vanish':
        for (const { engine, container } of this.containersOf(event.task)) engine.destroy(container, true);
        return;
      case 'container.pause':
        for (const { engine, container } of this.containersOf(event.task)) {
          engine.pause(container, true);
          setTimeout(() => engine.pause(container, false), event.ms);
        }
        return;
      case 'crash-loop':
        for (const engine of this.engines) engine.crashLoop.set(this.taskId(event.task), until(event.ms));
        for (const { engine, container } of this.containersOf(event.task)) engine.exit(container, 1, { oom: false, outside: false, why: 'crash-loop' });
        return;
      case 'unhealthy':
        for (const engine of this.engines) engine.unhealthy.set(this.taskId(event.task), until(event.ms));
        return;
      case 'health.flaky':
        for (const engine of this.engines) engine.flaky.set(this.taskId(event.task), { until: until(event.ms), chance: event.chance });
        return;
      case 'engine.restart':
        return worker!.engine.restart(event.downMs);
      case 'engine.hang':
        worker!.engine.hangUntil = until(event.ms);
        return;
      case 'runtime.slow':
        worker!.engine.slowUntil = until(event.ms);
        return;
      case 'runtime.fail':
        worker!.engine.failing.set(event.call, until(event.ms));
        return;
      case 'store.fail': {
        const disk = event.disk === 'manager' ? this.manager.disk : this.workers[event.disk]!.disk;
        disk.failUntil = until(event.ms);
        return;
      }
    }
  }

  /**
   * Every fault is over: links whole, engines answering, disks writing,
   * every process running, and the manager knowing every worker (restarted
   * with the full list if it last came up with another).
   */
  heal(): void {
    this.trace.add('FAULT', 'heal: every fault ends; every process runs; the manager knows every worker');
    const now = Date.now();
    for (const worker of this.workers) {
      Object.assign(worker.link.faults, { toWorkerCutUntil: 0, toManagerCutUntil: 0, chaosUntil: 0, stallUntil: 0, lagUntil: 0 });
      const engine = worker.engine;
      engine.hangUntil = 0;
      engine.slowUntil = 0;
      engine.failing.clear();
      engine.crashLoop.clear();
      engine.unhealthy.clear();
      engine.flaky.clear();
      for (const container of engine.containers.values()) engine.pause(container, false);
      worker.disk.failUntil = 0;
      if (engine.downUntil > now) engine.downUntil = now; // its timer reconnects the watchers
      worker.thaw();
      worker.start();
    }
    this.manager.disk.failUntil = 0;
    const all = this.scenario.workers;
    if (this.manager.process && this.manager.process.workers.join() !== all.join()) this.manager.kill();
    this.manager.start(all);
  }

  private taskId(index: number): string {
    return this.scenario.tasks[index]!.ID;
  }

  private containersOf(index: number): { engine: SimEngine; container: SimContainer }[] {
    const id = this.taskId(index);
    return this.engines.flatMap((engine) =>
      engine
        .of(id)
        .filter((c) => c.running)
        .map((container) => ({ engine, container })),
    );
  }

  stop(): void {
    for (const worker of this.workers) worker.kill(true);
    this.manager.kill(true);
  }
}
