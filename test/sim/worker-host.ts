// One worker machine: its engine and its disk, which outlive the worker
// process, and the process itself, built as src/worker/start.ts builds it
// (workerLogic with the settings' options, createActor, WorkerService over the
// store) with the simulated runtime, a fixed stats sampler and, when a
// mistake is under test, its overrides provided on top.
//
// Faults: kill -9 (the actors stop where they are, the store handle closes,
// streams reset; the engine keeps every container), restart (the store is
// read back, the containers adopted), and freeze (SIGSTOP: nothing goes in or
// out until thawed; see docs/reliability.md for what a freeze does not model).
import { createActor, type AnyActorLogic } from 'xstate';
import { shardMachine } from '../../machines/shard.js';
import { retention, taskPolicy, workerLogicOptions } from '../../src/worker/from-settings.js';
import { taskLogic, workerLogic } from '../../src/worker/logic.js';
import { WorkerService, type WorkerRef } from '../../src/worker/service.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';
import type { Settings } from '../../src/config/settings.js';
import type { SimEngine } from './engine.js';
import type { Mistake } from './mistakes.js';
import type { Observer } from './observer.js';
import type { Link, WorkerAddress } from './network.js';
import { fixedStats } from './settings.js';
import type { SimTaskDisk } from './stores.js';
import type { Trace } from './trace.js';
import { workerEndpoint, type WorkerEndpoint } from './worker-endpoint.js';

interface WorkerProcess {
  actor: WorkerRef;
  service: WorkerService;
  endpoint: WorkerEndpoint;
  kill(): void;
  frozenUntil: number;
  /** Work held while frozen, run in order at the thaw. */
  held: (() => void)[];
}

export class WorkerHost implements WorkerAddress {
  process: WorkerProcess | undefined;
  link!: Link;
  incarnation = 0;

  constructor(
    readonly name: string,
    readonly engine: SimEngine,
    readonly disk: SimTaskDisk,
    private readonly settings: Settings,
    private readonly trace: Trace,
    private readonly observer: Observer,
    private readonly mistake: Mistake | undefined,
  ) {}

  start(): void {
    if (this.process) return;
    const incarnation = ++this.incarnation;
    const runtime = this.engine.runtime();
    const runtimes = () => runtime;
    const store = this.disk.open();
    const log = (line: string) => this.trace.add(this.name, `log: ${line}`);
    const writes = new WorkerWrites(store, `worker ${this.name} store (simulated)`, log);
    const restore = store.load();
    const options = { ...workerLogicOptions(this.settings, log, () => writes), sampleStats: fixedStats };
    let logic: AnyActorLogic = workerLogic(runtimes, options);
    if (this.mistake?.task) {
      const task = taskLogic(runtimes, options.health).provide(this.mistake.task as never);
      logic = (logic as ReturnType<typeof workerLogic>).provide({ actors: { shard: shardMachine.provide({ actors: { task } }) } });
    }
    if (this.mistake?.worker) logic = (logic as ReturnType<typeof workerLogic>).provide(this.mistake.worker as never);
    const actor = createActor(logic as ReturnType<typeof workerLogic>, {
      input: {
        name: this.name,
        policy: taskPolicy(this.settings),
        restore: restore.tasks,
        done: restore.done,
        tombstones: restore.tombstones,
        archive: restore.archive,
        startedAt: new Date().toISOString(),
        retention: retention(this.settings),
      },
      id: `worker:${this.name}`,
      systemId: `worker:${this.name}`,
    });
    const service = new WorkerService(this.name, actor, undefined, (id) => writes.read(id));
    actor.on('task.updated', ({ task }) => this.observer.workerRecord(this.name, task));
    let killed = false;
    actor.subscribe({
      error: (error) => this.observer.crashed(this.name, error),
      complete: () => {
        if (!killed) this.observer.crashed(this.name, new Error('the worker actor stopped by itself'));
      },
    });
    actor.start();
    this.trace.add(this.name, `process started (#${incarnation}, ${restore.tasks.length} record(s) restored, ${restore.done.size} Completed in its archive)`);
    this.process = {
      actor,
      service,
      endpoint: workerEndpoint(service),
      frozenUntil: 0,
      held: [],
      kill: () => {
        killed = true;
        store.kill();
        actor.stop();
      },
    };
  }

  /** kill -9: in-memory state is gone; the disk and the engine's containers stay. */
  kill(quietly = false): void {
    const process = this.process;
    if (!process) return;
    if (!quietly) this.trace.add(this.name, 'process killed (-9)');
    this.process = undefined;
    process.kill();
    this.link.resetStreams('ECONNRESET');
  }

  /** SIGSTOP for `ms`: inbound and outbound wait for the thaw. */
  freeze(ms: number): void {
    const process = this.process;
    if (!process) return;
    this.trace.add(this.name, `process frozen for ${ms} ms`);
    process.frozenUntil = Math.max(process.frozenUntil, Date.now() + ms);
    setTimeout(() => {
      if (this.process === process && Date.now() >= process.frozenUntil) this.thaw();
    }, ms);
  }

  /** SIGCONT: what waited goes, in order. */
  thaw(): void {
    const process = this.process;
    if (!process || process.frozenUntil === 0) return;
    this.trace.add(this.name, 'process thawed');
    process.frozenUntil = 0;
    for (const work of process.held.splice(0)) work();
  }

  // ---- WorkerAddress ----------------------------------------------------------

  endpoint(): WorkerEndpoint | undefined {
    return this.process?.endpoint;
  }

  when(work: (endpoint: WorkerEndpoint) => void): void {
    const process = this.process;
    if (!process) return;
    const run = () => {
      if (this.process === process) work(process.endpoint);
    };
    if (process.frozenUntil > 0) process.held.push(run);
    else run();
  }

  outbound(from: WorkerEndpoint, send: () => void): void {
    const process = this.process;
    if (!process || process.endpoint !== from) return; // that process is gone: its socket with it
    if (process.frozenUntil > 0) process.held.push(send);
    else send();
  }
}
