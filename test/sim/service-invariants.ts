// The invariants of services (docs/spec.md §9), checked beside those of tasks
// (invariants.ts): after every step, over the manager's service records and
// its copies' records, and at quiescence, over what the engines run. Each is
// stated where it is checked; docs/reliability.md ("The simulator") lists them
// in words.
import { copyOf, isLive, isReady, type CopyReport } from '../../machines/service/copies.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';
import type { SimEngine } from './engine.js';
import { MIN_HEALTHY_MS, SICK_IMAGE, type Scenario } from './schedule.js';
import type { Answer } from './user.js';

/** What the user last asked of a service and was told yes, by the call it came from; `unknown` when the answer never came. */
interface Asked<T> {
  call: number;
  value: T | 'unknown';
}

/** The manager's view of the cluster after a step: its services, their copies, and its workers' states. */
export interface ServiceView {
  services: Service[];
  copies(name: string): CopyReport[];
  workerStates: Map<string, string>;
}

export class ServiceChecker {
  private calls = 0;
  private readonly exists = new Map<string, Asked<boolean>>();
  private readonly count = new Map<string, Asked<number>>();
  /** Copy task ID → its service's name, from every record the manager published. */
  private readonly copyOf = new Map<string, string>();
  /** Service Uid → the highest Revision and Stable seen. */
  private readonly highest = new Map<string, { Revision: number; Stable: number }>();
  /** Copies whose stop the manager was seen to ask for. */
  private readonly stopSeen = new Set<string>();

  constructor(
    private readonly scenario: Scenario,
    private readonly fail: (invariant: string, detail: string) => void,
  ) {}

  /** A call for a service is on its way; returns its place in the order of calls. */
  calling(): number {
    return ++this.calls;
  }

  /** A call's answer: `exists` and `count` are what a 2xx makes true (undefined: the call does not change it). */
  answered(name: string, call: number, answer: Answer | undefined, asked: { exists?: boolean; count?: number }): void {
    if (answer && answer.status >= 300) return;
    const note = <T>(map: Map<string, Asked<T>>, value: T | undefined) => {
      if (value === undefined || call < (map.get(name)?.call ?? 0)) return;
      map.set(name, { call, value: answer ? value : 'unknown' });
    };
    note(this.exists, asked.exists);
    note(this.count, asked.count);
  }

  /**
   * A manager process starts from the service records its disk holds. What a
   * service changed by itself is written behind (a failure only logged): a
   * deployment that succeeded while the disk refused writes is lost with the
   * process, and judged again from the copies' records. So a Stable may go
   * back across a restart, but not below the record on disk; its Revision
   * may not (the machine's clock goes on from the start time).
   */
  managerStarted(services: Service[]): void {
    for (const service of services) {
      const seen = this.highest.get(service.Uid);
      if (seen) this.highest.set(service.Uid, { ...seen, Stable: service.Stable });
    }
  }

  copyRecord(task: Task): void {
    if (task.Service) this.copyOf.set(task.ID, task.Service);
  }

  afterStep(view: ServiceView): void {
    const allUp = [...view.workerStates.values()].every((state) => state === 'up');
    for (const service of view.services) {
      const name = service.Name;
      // A service's clock (Revision) never goes back, across manager restarts too; nor does its Stable version, within
      // one manager process and from the record its disk holds (managerStarted).
      const seen = this.highest.get(service.Uid) ?? { Revision: 0, Stable: 0 };
      for (const key of ['Revision', 'Stable'] as const) {
        if (service[key] < seen[key]) this.fail('service-never-goes-back', `${name}: its ${key} went from ${seen[key]} back to ${service[key]}`);
      }
      this.highest.set(service.Uid, { Revision: Math.max(seen.Revision, service.Revision), Stable: Math.max(seen.Stable, service.Stable) });
      // A version whose copies never count (a sick image) never becomes Stable.
      const stable = service.Versions.find((v) => v.Version === service.Stable);
      if (stable?.Task.Image.startsWith(`${SICK_IMAGE}:`)) {
        this.fail('sick-never-stable', `${name}: version ${service.Stable} (${stable.Task.Image}), whose copies fail their health check, became Stable`);
      }
      const copies = view.copies(name);
      for (const report of copies) {
        const copy = copyOf(report);
        if (!report.stopping || this.stopSeen.has(copy.ID)) continue;
        this.stopSeen.add(copy.ID);
        // start-first: a running copy in one of the Count slots is stopped only once another copy in its slot counts
        // (healthy for MinHealthy, by the manager's records), while every worker is up.
        const startFirst = service.Versions.every((v) => v.Update.Order === 'start-first');
        if (!startFirst || !allUp || copy.StateName !== 'running' || copy.Slot >= service.Count) continue;
        const at = new Date().toISOString();
        const replaced = copies.some(
          (r) => r.task.ID !== copy.ID && r.task.Slot === copy.Slot && !r.stopping && isLive(copyOf(r)) && isReady(copyOf(r), MIN_HEALTHY_MS, at),
        );
        if (!replaced) {
          this.fail(
            'old-copy-until-replaced',
            `${name}: copy ${copy.ID.slice(0, 8)} (slot ${copy.Slot}, version ${copy.Version}) is stopped before another copy in its slot counts (the service is ${service.StateName}, version ${service.Version})`,
          );
        }
      }
    }
  }

  /** Every fault healed and the clock run on: each service settled. `tasks` are the manager's records. */
  atQuiescence(view: ServiceView, tasks: Map<string, Task>, engines: SimEngine[]): void {
    this.afterStep(view);
    const running = new Map<string, { engine: string; task: Task | undefined; image: string }[]>();
    for (const engine of engines) {
      for (const c of engine.containers.values()) {
        const service = this.copyOf.get(c.taskId);
        if (service === undefined || !c.running) continue;
        running.set(service, [...(running.get(service) ?? []), { engine: engine.name, task: tasks.get(c.taskId), image: c.spec.Image }]);
      }
    }
    for (const definition of this.scenario.services ?? []) {
      const name = definition.Name;
      const service = view.services.find((s) => s.Name === name);
      const exists = this.exists.get(name)?.value;
      const copies = running.get(name) ?? [];
      if (exists === true && !service) this.fail('service-settled', `${name} was created (2xx) and not deleted, but the manager does not list it`);
      if (!service) {
        // A deleted service (or one never created) has no copy running.
        if (copies.length > 0)
          this.fail(
            'removed-service-has-no-copies',
            `${name} is not listed but ${copies.length} cop(ies) of it run on ${copies.map((c) => c.engine).join(', ')}`,
          );
        continue;
      }
      if (exists === false) this.fail('removed-service-has-no-copies', `${name} was deleted (2xx) but the manager still lists it (${service.StateName})`);
      const count = this.count.get(name)?.value;
      if (typeof count === 'number' && service.Count !== count)
        this.fail('service-settled', `${name} has Count ${service.Count}; the last call answered 2xx asked for ${count}`);
      // A deployment that failed with no Stable version to go back to leaves the service failed (docs/spec.md §9).
      if (service.StateName === 'failed' && service.Stable === 0) continue;
      // Settled: stable on the version it wants, and that version is the Stable one (a failed update rolled back to it).
      if (service.StateName !== 'stable' || service.Version !== service.Stable) {
        this.fail(
          'service-settled',
          `${name} is ${service.StateName} at version ${service.Version} with Stable ${service.Stable} (${service.Deployment?.State ?? 'no deployment'}: ${service.Deployment?.Reason ?? ''})`,
        );
        continue;
      }
      // Exactly Count copies run, one per slot, each of the Stable version and its image.
      const image = service.Versions.find((v) => v.Version === service.Stable)?.Task.Image;
      const slots = copies.map((c) => c.task?.Slot ?? -1).sort((a, b) => a - b);
      const wrong = copies.filter((c) => c.task?.ServiceVersion !== service.Stable || c.image !== image);
      if (slots.join() !== Array.from({ length: service.Count }, (_, i) => i).join() || wrong.length > 0) {
        this.fail(
          'service-settled',
          `${name} wants ${service.Count} cop(ies) of version ${service.Stable} (${image}) but runs ${copies.map((c) => `slot ${c.task?.Slot ?? '?'} v${c.task?.ServiceVersion ?? '?'} ${c.image} on ${c.engine}`).join(', ') || 'none'}`,
        );
      }
    }
  }
}
