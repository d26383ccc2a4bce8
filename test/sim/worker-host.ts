// One worker machine: its engine and its disk, which outlive the worker
// process, and the process itself, built as src/worker/start.ts builds it
// (workerLogic with the settings' options, createActor, WorkerService over the
// store, the worker API of src/worker/api.ts on Cube's Koa app) with the
// simulated runtime, a fixed stats sampler and, when a mistake is under test,
// its overrides provided on top. Its API is served over the simulated network
// (http.ts), and what it answers is told to the checker.
//
// Faults: kill -9 (the actors stop where they are, the store handle closes,
// connections reset; the engine keeps every container), restart (the store is
// read back, the containers adopted), and freeze (SIGSTOP, process.ts).
import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import { createActor, type AnyActorLogic } from 'xstate';
import { shardMachine } from '../../machines/shard.js';
import { createApp } from '../../src/http/app.js';
import { addWorkerRoutes, workerRoutesHint } from '../../src/worker/api.js';
import { retention, taskPolicy, workerLogicOptions } from '../../src/worker/from-settings.js';
import { taskLogic, workerLogic } from '../../src/worker/logic.js';
import { WorkerService, type WorkerRef } from '../../src/worker/service.js';
import { WorkerWrites } from '../../src/store/worker-writes.js';
import type { Settings } from '../../src/config/settings.js';
import type { SimEngine } from './engine.js';
import { httpServer } from './http.js';
import type { Mistake } from './mistakes.js';
import type { Observer } from './observer.js';
import type { Link, WorkerAddress } from './network.js';
import { SimProcess } from './process.js';
import { fixedStats } from './settings.js';
import type { MachineStats } from '../../machines/worker/context.js';
import type { SimTaskDisk } from './stores.js';
import type { Trace } from './trace.js';

interface WorkerProcess {
  actor: WorkerRef;
  service: WorkerService;
  /** The process as the network reaches it. */
  sim: SimProcess;
  kill(): void;
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
    /** Its machine's stats: the same roomy numbers for every worker, or what a scenario with placement gives it. */
    private readonly stats: () => MachineStats = fixedStats,
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
    const options = { ...workerLogicOptions(this.settings, log, () => writes), sampleStats: this.stats };
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
    const router = new Router();
    addWorkerRoutes(router, service);
    // Reached as its name, which an operator would list in CUBE_ALLOWED_HOSTS.
    const app = createApp(router, { settings: { ...this.settings, allowedHosts: this.name }, role: 'worker', log, routesHint: workerRoutesHint });
    const sim: SimProcess = new SimProcess(
      httpServer(app, (request, status) => {
        if (this.process?.sim === sim) this.answered(request, status);
      }),
      () => this.trace.add(this.name, 'process thawed'),
    );
    this.trace.add(this.name, `process started (#${incarnation}, ${restore.tasks.length} record(s) restored, ${restore.done.size} Completed in its archive)`);
    this.process = {
      actor,
      service,
      sim,
      kill: () => {
        killed = true;
        store.kill();
        actor.stop();
        sim.kill();
      },
    };
  }

  /** What the checker hears of an answer: a stop taken or refused, and any internal error. */
  private answered(request: IncomingMessage, status: number): void {
    const url = new URL(request.url ?? '/', 'http://worker');
    const id = /^\/tasks\/([^/]+)$/.exec(url.pathname)?.[1];
    if (request.method === 'DELETE' && id !== undefined)
      this.observer.stopAnswered(this.name, decodeURIComponent(id), url.searchParams.get('placement') ?? '', status);
    if (status === 500) this.observer.internalError(this.name, `${request.method} ${url.pathname}${url.search}`);
  }

  /** kill -9: in-memory state is gone; the disk and the engine's containers stay. */
  kill(quietly = false): void {
    const process = this.process;
    if (!process) return;
    if (!quietly) this.trace.add(this.name, 'process killed (-9)');
    this.process = undefined;
    process.kill();
  }

  /** SIGSTOP for `ms`. */
  freeze(ms: number): void {
    if (!this.process) return;
    this.trace.add(this.name, `process frozen for ${ms} ms`);
    this.process.sim.freeze(ms);
  }

  /** SIGCONT. */
  thaw(): void {
    this.process?.sim.thaw();
  }

  /** The event streams it serves are reset. */
  breakStreams(): void {
    this.process?.sim.breakStreams();
  }

  // ---- WorkerAddress ----------------------------------------------------------

  listening(): SimProcess | undefined {
    return this.process?.sim;
  }
}
