// The manager machine: its disk, which outlives the process, and the process,
// built as src/manager/wiring/local.ts builds it (managerLogic from the
// settings, createActor with the store's records, ManagerService over the
// store, the manager API of src/manager/http/api.ts on Cube's Koa app) with
// the simulated network as the transport of its worker proxies, and a
// mistake's overrides provided on top when one is under test. The user calls
// its API (user.ts). Its services (src/manager/run/services.ts) draw their
// Uids from a counter, so a seed names its copies the same way each run.
import Router from '@koa/router';
import { createActor } from 'xstate';
import { copiesOf } from '../../machines/manager/services.js';
import { serviceChild, type CopyReport } from '../../machines/service.js';
import type { Settings } from '../../src/config/settings.js';
import { createApp } from '../../src/http/app.js';
import { addManagerRoutes, managerRoutesHint } from '../../src/manager/http/api.js';
import { managerLogic, placementPolicy } from '../../src/manager/run/logic.js';
import { Services, serviceWriteActions } from '../../src/manager/run/services.js';
import { ManagerService } from '../../src/manager/run/service.js';
import { ManagerWrites } from '../../src/store/manager-writes.js';
import { retention } from '../../src/worker/from-settings.js';
import { httpServer } from './http.js';
import type { Mistake } from './mistakes.js';
import type { Link } from './network.js';
import type { Observer } from './observer.js';
import { SimProcess } from './process.js';
import type { SimManagerDisk } from './stores.js';
import type { Trace } from './trace.js';
import { workerTransport } from './transport.js';

interface ManagerProcess {
  service: ManagerService;
  services: Services;
  /** A service's copies as the manager's ledger has them, with whether a stop of each is asked. */
  copies(name: string): CopyReport[];
  /** The state of each worker in the manager's ledger (up, down, …). */
  workerStates(): Map<string, string>;
  workers: string[];
  /** The process as the network reaches it. */
  sim: SimProcess;
  kill(): void;
}

export class ManagerHost {
  process: ManagerProcess | undefined;
  incarnation = 0;
  /** Service Uids drawn so far, across the manager's restarts. */
  private uids = 0;

  constructor(
    readonly disk: SimManagerDisk,
    private readonly settings: Settings,
    private readonly links: ReadonlyMap<string, Link>,
    private readonly trace: Trace,
    private readonly observer: Observer,
    private readonly mistake: Mistake | undefined,
  ) {}

  start(workers: string[]): void {
    if (this.process) return;
    const incarnation = ++this.incarnation;
    const store = this.disk.open();
    const log = (line: string) => this.trace.add('manager', `log: ${line}`);
    const writes = new ManagerWrites(store, 'manager store (simulated)', log);
    const restore = store.load();
    const noLocalWorker = (): never => {
      throw new Error('the simulated cluster has no worker in the manager process');
    };
    const router = new Router();
    const app = createApp(router, { settings: { ...this.settings, allowedHosts: 'manager' }, role: 'manager', log, routesHint: managerRoutesHint });
    const sim = new SimProcess(httpServer(app), () => undefined);
    let logic = managerLogic(noLocalWorker, this.settings, log, writes, noLocalWorker, { transport: workerTransport(this.links, sim) });
    if (this.mistake?.service) {
      const service = serviceChild.provide({ actions: serviceWriteActions(writes, log) }).provide(this.mistake.service as never);
      logic = logic.provide({ actors: { service } });
    }
    if (this.mistake?.manager) logic = logic.provide(this.mistake.manager as never);
    const actor = createActor(logic, {
      input: {
        workers: workers.map((name) => ({ name, address: `${name}:5555` })),
        placement: this.mistake?.placement ? this.mistake.placement(placementPolicy(this.settings.scheduler)) : placementPolicy(this.settings.scheduler),
        heartbeatTtlMs: this.settings.heartbeatTtlMs,
        startedAt: new Date().toISOString(),
        // src/manager/run/run.ts draws it with nanoid; any name unique per start will do.
        incarnation: `m${incarnation}`,
        restore,
        retention: retention(this.settings),
      },
      id: 'manager',
      systemId: 'manager',
    });
    const service = new ManagerService(actor, writes, log);
    // A copy's ID is the start of its service's Uid and a count (machines/service/copies.ts): the counter goes first.
    const uid = () => `${(++this.uids).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    const services = new Services(actor, writes, (worker) => actor.getSnapshot().context.ledger.workers.get(worker)?.address, uid);
    // As src/manager/wiring/local.ts: the routes wait for a worker's word up to the stop timeout and 5 s more.
    addManagerRoutes(router, service, services, this.settings.stopTimeoutMs + 5000, {
      local: [],
      token: this.settings.token,
      lineMax: this.settings.logLineMax,
    });
    this.observer.managerStarted(restore.services, workers);
    actor.on('task.updated', ({ task }) => this.observer.managerRecord(task));
    actor.on('tasks.pruned', ({ ids }) => {
      this.trace.add('manager', `pruned ${ids.join(', ')} (retention)`);
      this.observer.pruned(ids);
    });
    let killed = false;
    actor.subscribe({
      error: (error) => this.observer.crashed('manager', error),
      complete: () => {
        if (!killed) this.observer.crashed('manager', new Error('the manager actor stopped by itself'));
      },
    });
    actor.start();
    this.trace.add('manager', `process started (#${incarnation}, workers ${workers.join(',') || 'none'}, ${restore.tasks.length} record(s) restored)`);
    const ledger = () => actor.getSnapshot().context.ledger;
    this.process = {
      service,
      services,
      copies: (name) => copiesOf(ledger(), name),
      workerStates: () => new Map([...ledger().workers.values()].map((w) => [w.name, w.state])),
      workers,
      sim,
      kill: () => {
        killed = true;
        store.kill();
        actor.stop();
        sim.kill();
      },
    };
  }

  kill(quietly = false): void {
    const process = this.process;
    if (!process) return;
    if (!quietly) this.trace.add('manager', 'process killed (-9)');
    this.process = undefined;
    process.kill();
  }

  /** The process listening on the manager's address now. */
  listening(): SimProcess | undefined {
    return this.process?.sim;
  }
}
