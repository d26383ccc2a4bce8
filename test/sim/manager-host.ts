// The manager machine: its disk, which outlives the process, and the process,
// built as src/manager/wiring/local.ts builds it (managerLogic from the settings,
// createActor with the store's records, ManagerService over the store) with
// the proxies of src/manager/proxies/remote-worker.ts replaced by the simulated
// network's, and a mistake's overrides provided on top when one is under test.
// Its routes are src/manager/http/api.ts's, as answers: POST /tasks through the
// one codec, DELETE /tasks/{id} waiting for the stop (204) or not (202).
import { createActor } from 'xstate';
import type { Settings } from '../../src/config/settings.js';
import { managerLogic, placementPolicy } from '../../src/manager/run/logic.js';
import { ManagerService } from '../../src/manager/run/service.js';
import { ManagerWrites } from '../../src/store/manager-writes.js';
import { parseTaskEvent } from '../../src/task/codec.js';
import { retention } from '../../src/worker/from-settings.js';
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
    const log = (line: string) => this.trace.add('manager', `log: ${line}`);
    const writes = new ManagerWrites(store, 'manager store (simulated)', log);
    const restore = store.load();
    const noLocalWorker = (): never => {
      throw new Error('the simulated cluster has no worker in the manager process');
    };
    let logic = managerLogic(noLocalWorker, this.settings, log, writes, noLocalWorker).provide({
      actors: {
        remoteWorker: simRemoteWorker({
          idleMs: this.settings.heartbeatTtlMs,
          callTimeoutMs: CALL_TIMEOUT_MS,
          stopTimeoutMs: this.settings.stopTimeoutMs,
          links: this.links,
          trace: this.trace,
          observer: this.observer,
        }),
      },
    });
    if (this.mistake?.manager) logic = logic.provide(this.mistake.manager as never);
    const actor = createActor(logic, {
      input: {
        workers: workers.map((name) => ({ name, address: `${name}:5555` })),
        placement: placementPolicy(this.settings.scheduler),
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
    const service = new ManagerService(actor, writes);
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

  /** POST /tasks, as the route answers it (201, or 202 when a restart is not confirmed yet); undefined when no manager answers. */
  async post(body: unknown): Promise<Answer | undefined> {
    const process = this.process;
    if (!process) return undefined;
    let confirmed = true;
    const result = await answerAsync(201, async () => {
      const submitted = await process.service.submit(parseTaskEvent(body).Task, this.stopWaitMs);
      confirmed = submitted.confirmed;
      return submitted.task;
    });
    if (this.process !== process) return undefined;
    return result.status === 201 && !confirmed ? { ...result, status: 202 } : result;
  }

  /** How long the routes wait for a worker's word (src/manager/wiring/local.ts gives them the stop timeout + 5 s). */
  private get stopWaitMs(): number {
    return this.settings.stopTimeoutMs + 5000;
  }

  /** DELETE /tasks/{id}; resolves undefined when the process died before answering. */
  async delete(id: string): Promise<Answer | undefined> {
    const process = this.process;
    if (!process) return undefined;
    let confirmed = false;
    const result = await answerAsync(204, async () => void (confirmed = await process.service.stop(id, this.stopWaitMs)));
    if (this.process !== process) return undefined;
    if (result.status !== 204 || confirmed) return result;
    // The stop is recorded and will be carried out; the worker has not said so yet.
    return answer(202, () => ({
      HTTPStatusCode: 202,
      Message: `stop of task ${id} requested; worker ${process.service.task(id).Worker} has not confirmed it yet`,
    }));
  }
}
