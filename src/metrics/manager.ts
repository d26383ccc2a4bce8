// The manager's metrics (docs/metrics.md). Gauges are read from the ledger
// when Prometheus scrapes (tasks by state, workers by liveness, leadership);
// counters follow what the manager publishes for GET /events (task-history.ts).
// Only a manager that leads reports tasks and workers: a follower has no ledger.
import { Gauge, type Registry } from 'prom-client';
import type { Ledger, WorkerState } from '../../machines/manager/ledger.js';
import type { ManagerEmitted } from '../../machines/manager.js';
import { stateNames } from '../vocabulary/task.js';
import { countsGauge } from './counts.js';
import { TaskHistoryCounters } from './task-history.js';

/** Each value of a map, read through `read`, as the map iterates. */
function* mapValues<V, R>(map: ReadonlyMap<string, V>, read: (value: V) => R): Generator<R> {
  for (const value of map.values()) yield read(value);
}

/** What the metrics read of a manager that leads (src/manager/run/service.ts's ManagerService). */
export interface ManagerSource {
  ledger(): Ledger;
  onEvent(listener: (event: ManagerEmitted) => void): () => void;
}

/** Whether this manager leads, and in which term (etcd's revision of its leader key); a manager of its own always leads. */
export type Leading = () => { leading: boolean; term?: number };

const livenesses: WorkerState[] = ['unknown', 'up', 'suspect', 'down'];

export class ManagerMetrics {
  private source: ManagerSource | undefined;
  private readonly history: TaskHistoryCounters;

  constructor(registry: Registry, leading: Leading = () => ({ leading: true })) {
    this.history = new TaskHistoryCounters(registry);
    const ledger = () => (leading().leading ? this.source?.ledger() : undefined);
    countsGauge(
      registry,
      'cube_tasks',
      'Tasks in the ledger of the leading manager, by state (StateName: pending, scheduled, running, stopping, failed, restarting, completed).',
      'state',
      stateNames,
      () => {
        const now = ledger();
        return now && { values: mapValues(now.tasks, (task) => task.StateName), more: { completed: now.done.size } };
      },
    );
    countsGauge(
      registry,
      'cube_workers',
      'Workers the leading manager knows, by liveness (unknown before the first heartbeat, up, suspect after a failed call, down past CUBE_HEARTBEAT_TTL).',
      'liveness',
      livenesses,
      () => {
        const now = ledger();
        return now && { values: mapValues(now.workers, (worker) => worker.state) };
      },
    );
    new Gauge({
      name: 'cube_leader',
      help: 'Whether this manager leads (1) or follows (0); a manager without etcd always leads.',
      registers: [registry],
      collect() {
        this.set(leading().leading ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cube_leader_term',
      help: 'The term this manager leads in (the etcd revision of its leader key); 0 while it follows or runs without etcd.',
      registers: [registry],
      collect() {
        this.set(leading().term ?? 0);
      },
    });
  }

  /** Follows a manager that starts leading (each term of one on etcd has its own); returns the end of following it. */
  watch(source: ManagerSource): () => void {
    this.source = source;
    this.history.baseline([...source.ledger().tasks.values()]);
    return source.onEvent((event) => {
      if (event.type === 'task.updated') this.history.update(event.task);
      else if (event.type === 'tasks.pruned') this.history.forget(event.ids);
    });
  }
}
