// The manager's services as the HTTP edge sees them (docs/spec.md §9): each
// service is a child actor of the manager (`service:<name>`); reads come from
// its snapshot, and every command is stored before it is answered. A new
// service's record, and a deletion, are written here, then told to the
// manager; a change of a service (a PUT, a scale, a rollback) goes to its
// machine, which writes it through `persist` (serviceWriteActions) and
// answers with `service.answered`. Commands about one service go one at a
// time (a lane per name).
import { randomUUID } from 'node:crypto';
import { nanoid } from 'nanoid';
import type { ActorRefFrom } from 'xstate';
import type { ServiceEmitted, ServiceMachine } from '../../../machines/service.js';
import { endpoints as endpointsOf } from '../../../machines/service/copies.js';
import { newService, type ServiceCommand } from '../../../machines/service/record.js';
import { Lanes } from '../../actors/lanes.js';
import { HttpError } from '../../http/errors.js';
import { parseHostPort } from '../../config/host-port.js';
import type { Log } from '../../log.js';
import type { ManagerWriter } from '../../store/manager-writes.js';
import type { Service, ServiceDefinition } from '../../vocabulary/service.js';
import { TaskState } from '../../vocabulary/task.js';
import type { ManagerRef } from './service.js';
import { bindRefusal } from './bind-refusal.js';

type ServiceRef = ActorRefFrom<ServiceMachine>;

/** One healthy copy of a service, as a load balancer reaches it. */
export interface Endpoint {
  Task: string;
  Worker: string;
  HostIp: string;
  HostPort: string;
}

/** What GET /events says of services. */
export type ServiceChange =
  | { type: 'service.updated'; service: Service }
  | { type: 'service.endpoints'; service: string; endpoints: Endpoint[] }
  | { type: 'service.removed'; service: string };

const now = () => new Date().toISOString();

/**
 * The writes a service's machine names (`persist`, `save`), made to the
 * manager's store: a command's record is answered with `service.persisted`;
 * a change the machine made itself is written behind, and a failure only
 * logged (the service's state comes back from its copies' records).
 */
export function serviceWriteActions(writes: ManagerWriter, log: Log) {
  const write = (service: Service, done: (problem: string) => void) => {
    try {
      const pending = writes.putService(service);
      if (pending)
        pending.then(
          () => done(''),
          (error: Error) => done(error.message),
        );
      else done('');
    } catch (error) {
      done((error as Error).message);
    }
  };
  let failing = '';
  return {
    persist: ({ self }: { self: { send(event: unknown): void; getSnapshot(): { status: string } } }, { service }: { service: Service }) =>
      write(service, (problem) => {
        if (self.getSnapshot().status === 'active') self.send({ type: 'service.persisted', ok: problem === '', problem });
      }),
    save: (_: unknown, { service }: { service: Service }) =>
      write(service, (problem) => {
        if (problem && problem !== failing) log(`service ${service.Name}: its record could not be written (${problem}); the next change writes it again`);
        failing = problem;
      }),
  };
}

export class Services {
  private readonly lanes = new Lanes();
  private readonly listeners = new Set<(change: ServiceChange) => void>();
  private readonly subscriptions = new Map<string, { unsubscribe(): void }[]>();

  constructor(
    private readonly manager: ManagerRef,
    private readonly writes: ManagerWriter,
    /** The address of each worker the manager knows, for endpoints that Docker bound on every address. */
    private readonly address: (worker: string) => string | undefined,
    /** Draws a new service's `Uid`; the simulator gives a seeded one, so a seed names its copies the same way each run. */
    private readonly uid: () => string = randomUUID,
  ) {
    for (const name of this.ledger().services) this.follow(name);
    manager.on('service.removed', ({ name }) => {
      this.unfollow(name);
      this.tell({ type: 'service.removed', service: name });
    });
  }

  private ledger() {
    return this.manager.getSnapshot().context.ledger;
  }

  private ref(name: string): ServiceRef | undefined {
    return this.manager.system.get(`service:${name}`) as ServiceRef | undefined;
  }

  private follow(name: string): void {
    const ref = this.ref(name);
    if (!ref) return;
    this.subscriptions.set(name, [
      ref.on('service.changed', ({ service }) => this.tell({ type: 'service.updated', service })),
      ref.on('service.endpoints', ({ service }) => this.tell({ type: 'service.endpoints', service, endpoints: this.endpoints(service) })),
    ]);
  }

  private unfollow(name: string): void {
    for (const s of this.subscriptions.get(name) ?? []) s.unsubscribe();
    this.subscriptions.delete(name);
  }

  private tell(change: ServiceChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** Every change of a service, for GET /events; returns how to stop listening. */
  onChange(listener: (change: ServiceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): Service[] {
    return [...this.ledger().services].sort().map((name) => this.get(name));
  }

  get(name: string): Service {
    const ref = this.ref(name);
    if (!ref) throw new HttpError(404, `no service ${name}; GET /services lists them, POST /services creates one`);
    return ref.getSnapshot().context.service;
  }

  /** The healthy copies of a service not on their way out: where a load balancer sends requests. */
  endpoints(name: string): Endpoint[] {
    const ref = this.ref(name);
    if (!ref) throw new HttpError(404, `no service ${name}; GET /services lists them`);
    const { copies, draining } = ref.getSnapshot().context;
    return endpointsOf(copies.values(), new Set(draining.keys())).map((e) => {
      // Docker bound every address of the worker's host: a client reaches it at the worker's.
      const host = e.HostIp === '0.0.0.0' ? parseHostPort(this.address(e.Worker) ?? '')?.host : undefined;
      return { ...e, HostIp: host ?? e.HostIp };
    });
  }

  /** Why no worker can run the binds of a definition's task (src/manager/run/bind-refusal.ts), or undefined. */
  bindRefusal(definition: ServiceDefinition): string | undefined {
    return bindRefusal(this.ledger().workers.values(), definition.Task.Mounts);
  }

  /** Creates a service: its record is stored, then its machine starts its copies. */
  create(definition: ServiceDefinition): Promise<Service> {
    return this.lanes.run(definition.Name, async () => {
      if (this.ledger().services.has(definition.Name)) {
        throw new HttpError(409, `a service named ${definition.Name} exists; change it with PUT /services/${definition.Name}, or choose another name`);
      }
      const service = newService(definition, this.uid(), now());
      await this.store(() => this.writes.putService(service), `service ${definition.Name}`);
      this.manager.send({ type: 'service.create', service, at: service.Created });
      this.follow(definition.Name);
      return this.get(definition.Name);
    });
  }

  /** A PUT (a new version, or the same one scaled), a scale or a rollback: answered once stored and taken. */
  command(name: string, command: ServiceCommand): Promise<Service> {
    return this.lanes.run(name, async () => {
      const ref = this.ref(name);
      if (!ref) throw new HttpError(404, `no service ${name}; GET /services lists them, POST /services creates one`);
      const requestId = nanoid();
      const answered = new Promise<Extract<ServiceEmitted, { type: 'service.answered' }>>((resolve) => {
        const subscription = ref.on('service.answered', (answer) => {
          if (answer.requestId !== requestId) return;
          subscription.unsubscribe();
          resolve(answer);
        });
      });
      ref.send({ type: 'service.command', command, at: now(), requestId });
      const answer = await answered;
      if (answer.refusal) throw new HttpError(answer.status ?? 409, answer.refusal);
      await this.writes.settled?.();
      return answer.service;
    });
  }

  /**
   * Deletes a service: its removal is stored, then its machine stops and so
   * does every copy. True once every copy's worker confirmed within `waitMs`.
   */
  remove(name: string, waitMs: number): Promise<boolean> {
    return this.lanes.run(name, async () => {
      if (!this.ledger().services.has(name)) throw new HttpError(404, `no service ${name}; GET /services lists them`);
      await this.store(() => this.writes.deleteService(name), `the deletion of service ${name}`);
      this.manager.send({ type: 'service.remove', name, at: now() });
      return this.copiesStopped(name, waitMs);
    });
  }

  /** Resolves true once no copy of `name` is left but Completed ones with their stop confirmed, false after `waitMs`. */
  private copiesStopped(name: string, waitMs: number): Promise<boolean> {
    const done = () => {
      const ledger = this.ledger();
      return ![...ledger.tasks.values()].some((t) => t.Service === name && (t.State !== TaskState.Completed || ledger.stopRequested.has(t.ID)));
    };
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        subscription.unsubscribe();
        clearTimeout(timer);
        resolve(result);
      };
      const subscription = this.manager.on('task.updated', ({ task }) => {
        if (task.Service === name && done()) finish(true);
      });
      const timer = setTimeout(() => finish(false), waitMs);
    });
  }

  /** Writes now; a store that cannot is answered 503, and nothing was done. */
  private async store(write: () => void | Promise<void>, what: string): Promise<void> {
    try {
      await write();
    } catch (error) {
      throw new HttpError(
        503,
        `the manager could not store ${what} (${(error as Error).message}); nothing was done. Try again once the store takes writes again`,
      );
    }
  }
}
