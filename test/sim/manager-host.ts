// The manager machine: its disk, which outlives the process, and the process,
// built as src/manager/start.ts builds it (managerLogic from the settings,
// createActor with the store's records, ManagerService over the store) with
// the proxies of src/manager/remote-worker.ts replaced by the simulated
// network's, and a mistake's overrides provided on top when one is under test.
// Its routes are src/manager/api.ts's, as answers: POST /tasks through the
// one codec, DELETE /tasks/{id} waiting for the stop (204) or not (202).
import { createActor } from 'xstate';
import type { Settings } from '../../src/config/settings.js';
import { managerLogic, placementPolicy } from '../../src/manager/logic.js';
import { ManagerService } from '../../src/manager/service.js';
import { parseTaskEvent } from '../../src/task/codec.js';
import { answer, answerAsync, type Answer } from './answers.js';
import type { Mistake } from './mistakes.js';
import { simRemoteWorker, type Link } from './network.js';
import { CALL_TIMEOUT_MS } from './settings.js';
import type { SimManagerDisk } from './stores.js';
import type { Trace } from './trace.js';
import type { Observer } from './observer.js';

interface ManagerProcess {
  service: ManagerService;
  workers: string[];
  kill(): void;
}

export class ManagerHost {
  process: ManagerProcess | undefined;
  incarnation = 0;

  constructor(
    readonly disk: SimManagerDisk,
    private readonly settings: Settings,
    private readonly links: Map<string, Link>,
    private readonly trace: Trace,
    private readonly observer: Observer,
    private readonly mistake: Mistake | undefined,
  ) {}

  start(workers: string[]): void {
    if (this.process) return;
    const incarnation = ++this.incarnation;
    const store = this.disk.open();
    const restore = store.load();
    const log = (line: string) => this.trace.add('manager', `log: ${line}`);
    let logic = managerLogic(() => {
      throw new Error('the simulated cluster has no worker in the manager process');
    }, this.settings, log).provide({
      actors: {
        remoteWorker: simRemoteWorker({ idleMs: this.settings.heartbeatTtlMs, callTimeoutMs: CALL_TIMEOUT_MS, stopTimeoutMs: this.settings.stopTimeoutMs, links: this.links, trace: this.trace, observer: this.observer }),
      },
    });
    if (this.mistake?.manager) logic = logic.provide(this.mistake.manager as never);
    const actor = createActor(logic, {
      input: {
        workers: workers.map((name) => ({ name, address: `${name}:5555` })),
        placement: placementPolicy(this.settings.scheduler),
        heartbeatTtlMs: this.settings.heartbeatTtlMs,
        startedAt: new Date().toISOString(),
        restore,
      },
      id: 'manager',
      systemId: 'manager',
    });
    const service = new ManagerService(actor, store);
    actor.on('task.updated', ({ task }) => this.observer.managerRecord(task));
    let killed = false;
    actor.subscribe({
      error: (error) => this.observer.crashed('manager', error),
      complete: () => {
        if (!killed) this.observer.crashed('manager', new Error('the manager actor stopped by itself'));
      },
    });
    actor.start();
    this.trace.add('manager', `process started (#${incarnation}, workers ${workers.join(',') || 'none'}, ${restore.tasks.length} record(s) restored)`);
    this.process = {
      service,
      workers,
      kill: () => {
        killed = true;
        store.kill();
        actor.stop();
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

  /** POST /tasks, as the route answers it; undefined when no manager listens. */
  post(body: unknown): Answer | undefined {
    const service = this.process?.service;
    if (!service) return undefined;
    return answer(201, () => service.submit(parseTaskEvent(body).Task));
  }

  /** DELETE /tasks/{id}; resolves undefined when the process died before answering. */
  async delete(id: string): Promise<Answer | undefined> {
    const process = this.process;
    if (!process) return undefined;
    const stopWaitMs = this.settings.stopTimeoutMs + 5000;
    let confirmed = false;
    const result = await answerAsync(204, async () => void (confirmed = await process.service.stop(id, stopWaitMs)));
    if (this.process !== process) return undefined;
    if (result.status !== 204 || confirmed) return result;
    // The stop is recorded and will be carried out; the worker has not said so yet.
    return answer(202, () => ({ HTTPStatusCode: 202, Message: `stop of task ${id} requested; worker ${process.service.task(id).Worker} has not confirmed it yet` }));
  }
}
