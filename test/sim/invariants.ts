// The invariants, checked as the run goes (on every record change, every
// container start and after every step) and once more at quiescence, when
// every fault is healed and the clock has run long enough for TTLs, backoffs
// and reconciles. Each is stated where it is checked; docs/reliability.md
// ("The simulator") lists them in words.
import { HISTORY_LIMIT, restartDelay, type TaskPolicy } from '../../machines/task.js';
import { isNewerPlacement, placementBase, samePlacement } from '../../src/vocabulary/placement.js';
import { healthUrl } from '../../src/worker/health-check.js';
import { TaskState, type StateName, type Task } from '../../src/vocabulary/task.js';
import { parseConstraint, satisfies } from '../../src/vocabulary/constraint.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { Answer } from './user.js';
import type { SimEngine } from './engine.js';
import type { Observer } from './observer.js';
import type { Scenario } from './schedule.js';
import type { SimManagerDisk } from './stores.js';
import { ServiceChecker } from './service-invariants.js';
import { VolumeChecker } from './volume-invariants.js';
import type { Trace } from './trace.js';

export interface Violation {
  /** Milliseconds since the run began. */
  at: number;
  invariant: string;
  detail: string;
}

/** What the user last asked of a task and was told yes, or 'unknown' when the answer never came. */
type Intent = { want: 'run'; variant: number } | { want: 'stop' } | { want: 'unknown' };

/** The states in which a task holds resources on its worker (machines/manager/ledger.ts). */
const holding: ReadonlySet<StateName> = new Set(['scheduled', 'running', 'stopping', 'restarting']);

export class Checker implements Observer {
  readonly violations: Violation[] = [];
  private readonly intent = new Map<string, Intent>();
  /** Tasks a user sent a DELETE for (whatever the answer). */
  private readonly deleteSent = new Set<string>();
  /** The call each task's intent comes from, by its place in the order of calls. */
  private readonly intentCall = new Map<string, number>();
  private calls = 0;
  /** Tasks POSTed with a 2xx answer: they must always be listed. */
  private readonly listed = new Set<string>();
  /**
   * Tasks the manager reported Completed. The value is set when the manager's
   * disk refused writes at that moment: the count of its record writes then.
   */
  private readonly completed = new Map<string, number | undefined>();
  /** Tasks the manager pruned (finished, past their retention), not POSTed again since. */
  private readonly gone = new Set<string>();
  private readonly versions = new Map<string, number>();
  /** What workers published, by signature (worker, task, placement, state, container, latest entry): its newest version. */
  private readonly published = new Map<string, number>();
  /** task|worker|placement → the newest worker version the manager process's record has taken on. */
  private readonly applied = new Map<string, number>();
  /** worker → task → the placements (bases) whose stop the worker answered. */
  private readonly heardStop = new Map<string, Map<string, string[]>>();
  /** Tasks whose DELETE answered 204 (the stop confirmed), with the worker their record named then. */
  private readonly confirmedOn = new Map<string, string>();
  /** The manager's latest record of each task. */
  private readonly latest = new Map<string, Task>();
  /** worker → task → the placement waiting to restart in place, and when it may (absolute ms). */
  private readonly restartDue = new Map<string, Map<string, { placement: string; at: number }>>();
  private readonly workerState = new Map<string, string>();
  /** Host port → health checks failed in a row there, up to now: a port is one container's, so one placement's. */
  private readonly checksFailed = new Map<number, number>();
  private readonly startedAt = Date.now();
  /** The invariants of services, which share this checker's trace and violations. */
  readonly services: ServiceChecker;
  /** The invariant of named volumes (scenarios with placement), likewise. */
  private readonly volumes: VolumeChecker;

  constructor(
    private readonly scenario: Scenario,
    private readonly policy: TaskPolicy,
    private readonly trace: Trace,
    /** The engine of a worker machine, by the worker's name. */
    private readonly engine: (worker: string) => SimEngine | undefined,
    private readonly managerDisk: () => SimManagerDisk,
  ) {
    this.services = new ServiceChecker(scenario, (invariant, detail) => this.fail(invariant, detail));
    this.volumes = new VolumeChecker((invariant, detail) => this.fail(invariant, detail));
  }

  /** Said once per invariant and task (`detail` starts with the task's ID or the process's name). */
  private readonly said = new Set<string>();

  private fail(invariant: string, detail: string): void {
    const key = `${invariant} ${detail.split(' ')[0]}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    this.trace.add('CHECK', `VIOLATION ${invariant}: ${detail}`);
    this.violations.push({ at: this.trace.lines.at(-1)!.at, invariant, detail });
  }

  // ---- the user's calls --------------------------------------------------------
  // Calls race (a POST waits up to the stop timeout for its worker's word), so
  // what the user last asked is the 2xx-answered call sent last: the manager
  // takes each call when it arrives, whatever order the answers come in.

  /** A POST is on its way; returns its place in the order of calls. A restart or update the user asks for waits for no backoff. */
  posting(id: string): number {
    for (const due of this.restartDue.values()) due.delete(id);
    return ++this.calls;
  }

  posted(id: string, variant: number, answer: Answer | undefined, call: number): void {
    if (!answer) {
      // The manager died while the POST waited: it may or may not be stored.
      this.intend(id, call, { want: 'unknown' });
      return;
    }
    if (answer.status === 500) this.internalError('manager', `POST /tasks of ${id}`);
    if (answer.status >= 300) return;
    this.listed.add(id);
    this.gone.delete(id);
    this.intend(id, call, { want: 'run', variant });
  }

  /** A DELETE is on its way; returns its place in the order of calls. */
  deleting(id: string): number {
    this.deleteSent.add(id);
    return ++this.calls;
  }

  deleted(id: string, answer: Answer | undefined, call: number): void {
    if (!answer) {
      // The manager died while the DELETE waited: it may or may not be stored.
      if (this.intent.has(id)) this.intend(id, call, { want: 'unknown' });
      return;
    }
    if (answer.status === 500) this.internalError('manager', `DELETE /tasks/${id}`);
    if (answer.status >= 300) return;
    if (answer.status === 204 && this.latest.get(id)?.Worker) this.confirmedOn.set(id, this.latest.get(id)!.Worker);
    this.intend(id, call, { want: 'stop' });
  }

  private intend(id: string, call: number, intent: Intent): void {
    if (call < (this.intentCall.get(id) ?? 0)) return; // a later call already answered
    this.intentCall.set(id, call);
    this.intent.set(id, intent);
  }

  // ---- Observer -----------------------------------------------------------------

  crashed(who: string, error: unknown): void {
    this.fail('no-exception', `${who}: ${describeError(error)}`);
  }

  internalError(who: string, call: string): void {
    this.fail('no-internal-error', `${who} answered ${call} with 500 (its log in the trace says why)`);
  }

  exceptionEscaped(error: unknown): void {
    this.fail('no-exception', `uncaught in a timer (the process would exit): ${describeError(error)}`);
  }

  /**
   * A manager process starts from its disk: the reports it applied and could
   * not write (a full disk, then a kill) are lost with it, and its records are
   * older than what it had applied. Reports are in order within one process.
   */
  managerStarted(services: Service[], workers: readonly string[]): void {
    this.applied.clear();
    // The same holds for a Completed the manager reported while its disk refused writes, if no record was
    // written between that and the kill: it is lost with the process, and the new one learns it again from
    // the worker. Once a record is written, the write-behind writes every waiting one at the turn's end
    // (seed 1157), so from then on Completed stays final across restarts too (seed 20455 in FOUND.md).
    const writes = this.managerDisk().recordWrites;
    for (const [id, at] of this.completed) if (at === writes) this.completed.delete(id);
    this.services.managerStarted(services);
    this.volumes.managerStarted(workers);
  }

  managerRecord(task: Task): void {
    const id = task.ID;
    this.latest.set(id, task);
    this.services.copyRecord(task);
    // A task nobody stopped is never Completed: only a DELETE completes a task (or, for a service's copy, its service),
    // or its container exiting 0 by itself under a policy that restarts failures only (a job that is done).
    if (task.State === TaskState.Completed && !task.Service && !this.deleteSent.has(id) && !this.jobDone(task)) {
      this.fail('never-completed-unless-stopped', `${id} went Completed (${lastEvent(task)}) though no DELETE was sent and it was no job that finished`);
    }
    // Completed is final: once Completed, every later record of the task is Completed.
    if (this.completed.has(id) && task.State !== TaskState.Completed) {
      this.fail('completed-is-final', `${id} left Completed for ${task.StateName} (${lastEvent(task)})`);
    }
    if (task.State === TaskState.Completed && !this.completed.has(id)) {
      const disk = this.managerDisk();
      this.completed.set(id, disk.failing() ? disk.recordWrites : undefined);
    }
    this.checkOrder(task);
    this.checkVersion(task);
    this.checkBounds('manager', task);
    this.checkPlacement(task);
    if (this.scenario.placement) this.volumes.record(task);
  }

  /**
   * Placement fits (scenarios drawn with placement): a record that holds a
   * worker (scheduled, running, restarting, stopping) names one whose labels
   * and name satisfy every constraint of the task, and the memory the
   * manager's records hold on that worker is never more than it offers.
   */
  private checkPlacement(task: Task): void {
    const placement = this.scenario.placement;
    if (!placement || !holding.has(task.StateName) || task.Worker === '') return;
    const labels = placement.labels[this.scenario.workers.indexOf(task.Worker)] ?? {};
    for (const text of task.Constraints) {
      const constraint = parseConstraint(text);
      if (typeof constraint !== 'string' && !satisfies(constraint, task.Worker, labels)) {
        this.fail('placement-fits', `${task.ID} is ${task.StateName} on ${task.Worker} (${JSON.stringify(labels)}) against its constraint ${text}`);
      }
    }
    let held = 0;
    for (const record of this.latest.values()) if (record.Worker === task.Worker && holding.has(record.StateName)) held += record.Memory;
    if (held > placement.memory) {
      this.fail(
        'placement-fits',
        `${task.ID} is ${task.StateName} on ${task.Worker}, whose tasks now hold ${held} bytes of memory, past the ${placement.memory} it offers`,
      );
    }
  }

  pruned(ids: string[]): void {
    for (const id of ids) {
      const record = this.latest.get(id);
      // Nothing live is pruned: only a finished task (Completed, or Failed with no restart due).
      if (record?.StateName !== 'completed' && record?.StateName !== 'failed') {
        this.fail('nothing-live-pruned', `${id} was pruned while ${record?.StateName ?? 'unknown to the checker'}`);
      }
      this.gone.add(id);
      this.listed.delete(id);
      this.completed.delete(id); // a pruned ID can be POSTed again, as a new task
      this.latest.delete(id);
    }
  }

  workerRecord(worker: string, task: Task): void {
    this.published.set(signature(worker, task), task.Version);
    this.checkBounds(worker, task);
    const key = `${worker}/${task.ID}`;
    const before = this.workerState.get(key);
    this.workerState.set(key, task.StateName);
    if (before === 'running' && (task.StateName === 'failed' || task.StateName === 'restarting')) {
      this.checkExit(worker, task);
      this.checkHealth(worker, task);
    }
    const due = this.restartDue.get(worker) ?? new Map<string, { placement: string; at: number }>();
    this.restartDue.set(worker, due);
    if (task.StateName === 'restarting' && before !== 'restarting') {
      // The backoff counts from the failure (FinishTime); this record's RestartCount is the attempt it waits for.
      const failedAt = Date.parse(task.FinishTime);
      const from = Number.isNaN(failedAt) || failedAt > Date.now() ? Date.now() : failedAt;
      due.set(task.ID, { placement: task.Placement, at: from + restartDelay(task, this.policy) });
    } else if (task.StateName !== 'restarting' && before === 'restarting') {
      due.delete(task.ID);
    }
  }

  healthChecked(hostPort: number, passed: boolean): void {
    this.checksFailed.set(hostPort, passed ? 0 : (this.checksFailed.get(hostPort) ?? 0) + 1);
  }

  stopAnswered(worker: string, id: string, placement: string, status: number): void {
    if (status >= 500) return; // not taken (its intent could not be stored): nothing was done
    const heard = this.heardStop.get(worker) ?? new Map<string, string[]>();
    this.heardStop.set(worker, heard.set(id, [...(heard.get(id) ?? []), placementBase(placement)]));
  }

  startBegins(engine: string, task: Task): void {
    const id = task.ID;
    // A DELETE answered 2xx is never undone (until a later POST answered 2xx):
    //  - a worker that answered the stop of a placement never starts that placement, a restart of it
    //    in place, or an older placement of the task (the late run its stop overtook is refused);
    //  - after a 204 (the stop confirmed), the worker the record named then never starts the task again.
    // A worker that has not heard the stop yet (a 202: cut off, frozen, the stop still on its way) may
    // still start what it was told before, and the stop removes it when it arrives.
    if (this.intent.get(id)?.want === 'stop') {
      const base = placementBase(task.Placement);
      const stopped = this.heardStop.get(engine)?.get(id) ?? [];
      const overtaken = stopped.find((p) => p === base || isNewerPlacement(p, base));
      if (overtaken !== undefined) {
        this.fail(
          'stop-not-undone',
          `${id}: ${engine} starts placement ${task.Placement || '(none)'} after answering the stop of placement ${overtaken || '(none)'}, and after the user's DELETE was answered 2xx`,
        );
      } else if (this.confirmedOn.get(id) === engine) {
        this.fail(
          'stop-not-undone',
          `${id}: ${engine} starts placement ${task.Placement || '(none)'} after the user's DELETE was answered 204 for the copy it ran`,
        );
      }
    }
    // Restarts in place honour their backoff, across worker restarts too (another placement is not a restart).
    const due = this.restartDue.get(engine)?.get(id);
    if (due !== undefined && samePlacement(due.placement, task.Placement) && Date.now() < due.at) {
      this.fail('backoff-honoured', `${engine} restarts ${id} ${due.at - Date.now()} ms before its backoff ends`);
    }
  }

  // ---- after every step -----------------------------------------------------------

  /** `tasks`: the manager's records when a manager runs, else undefined. */
  afterStep(tasks: Map<string, Task> | undefined): void {
    if (this.scenario.placement) this.volumes.afterStep(this.scenario.workers.flatMap((name) => this.engine(name) ?? []));
    if (!tasks) return;
    // Every task whose POST answered 2xx is listed, before and after any restart.
    for (const id of this.listed) {
      if (!tasks.has(id)) {
        this.fail('posted-is-listed', `${id} was answered 201 but the manager does not list it`);
      }
    }
    for (const task of tasks.values()) this.checkVersion(task);
  }

  // ---- at quiescence ---------------------------------------------------------------

  atQuiescence(tasks: Map<string, Task>, engines: SimEngine[], workerStates: Map<string, string>): void {
    this.afterStep(tasks);
    for (const [worker, state] of workerStates) {
      if (state !== 'up') this.fail('settled', `worker ${worker} is ${state} in the manager's ledger after every fault healed`);
    }
    const running = new Map<string, { engine: string; id: string; spec: { Image: string; Env: string[] } }[]>();
    const present = new Map<string, string[]>();
    for (const engine of engines) {
      for (const c of engine.containers.values()) {
        present.set(c.taskId, [...(present.get(c.taskId) ?? []), `${engine.name}:${c.id.slice(0, 12)}`]);
        if (c.running && !c.paused) running.set(c.taskId, [...(running.get(c.taskId) ?? []), { engine: engine.name, id: c.id, spec: c.spec }]);
      }
    }
    for (const definition of this.scenario.tasks) {
      const id = definition.ID;
      const intent = this.intent.get(id);
      const record = tasks.get(id);
      const copies = running.get(id) ?? [];
      if (record && !['running', 'failed', 'completed'].includes(record.StateName)) {
        this.fail('settled', `${id} is still ${record.StateName} (${lastEvent(record)})`);
        continue;
      }
      if (this.gone.has(id) && !record) {
        // Pruned and not POSTed again: nothing of it runs.
        if (copies.length > 0) this.fail('no-orphan-container', `${id} was pruned but runs on ${copies.map((c) => c.engine).join(', ')}`);
        continue;
      }
      const want = intent?.want ?? 'unknown';
      if (want === 'stop') {
        // Each stopped task has no container anywhere.
        if (record?.State !== TaskState.Completed)
          this.fail('stopped-is-completed', `${id} was stopped (DELETE answered 2xx) but is ${record?.StateName ?? 'not listed'}`);
        const left = present.get(id) ?? [];
        if (left.length > 0) this.fail('stopped-has-no-container', `${id} was stopped but has containers ${left.join(', ')}`);
        continue;
      }
      if (record?.State === TaskState.Running) {
        // Each live task is Running exactly once across all engines: one running container, the one its record names.
        if (copies.length !== 1) {
          this.fail(
            'runs-exactly-once',
            `${id} is Running on ${record.Worker} with ${copies.length} running container(s): ${copies.map((c) => `${c.engine}:${c.id.slice(0, 12)}`).join(', ') || 'none'}`,
          );
        } else if (copies[0]!.engine !== record.Worker || copies[0]!.id !== record.ContainerID) {
          this.fail(
            'runs-exactly-once',
            `${id}'s record says ${record.Worker}:${record.ContainerID.slice(0, 12)} but ${copies[0]!.engine}:${copies[0]!.id.slice(0, 12)} runs`,
          );
        } else if (intent?.want === 'run') {
          // The spec the user's last accepted POST carried is the one that runs.
          const asked = definition.variants[intent.variant]!;
          const runs = copies[0]!.spec;
          if (runs.Image !== asked.Image || JSON.stringify(runs.Env) !== JSON.stringify(asked.Env)) {
            this.fail(
              'spec-applied',
              `${id} runs ${runs.Image} ${runs.Env.join(' ')} but the last POST answered 2xx asked for ${asked.Image} ${asked.Env?.join(' ')}`,
            );
          }
        }
        continue;
      }
      if (record?.State === TaskState.Failed) {
        // Failed for good, with a reason, and nothing of it running.
        if (!record.Reason) this.fail('failed-with-reason', `${id} is Failed with no Reason`);
        if (copies.length > 0) this.fail('runs-exactly-once', `${id} is Failed but ${copies.map((c) => c.engine).join(', ')} run it`);
        continue;
      }
      if (want === 'run' && !(record && this.jobDone(record))) {
        this.fail('runs-exactly-once', `${id} was POSTed (201) and not stopped, but is ${record?.StateName ?? 'not listed'}`);
        continue;
      }
      // Unknown or never accepted: Completed or absent, with nothing of it running.
      if (copies.length > 0)
        this.fail('no-orphan-container', `${id} is ${record?.StateName ?? 'not listed'} but runs on ${copies.map((c) => c.engine).join(', ')}`);
    }
  }

  // ---- record checks -------------------------------------------------------------------

  /** By the engine's word: the task's container exited 0 by itself, and its policy restarts failures only. */
  private jobDone(task: Task): boolean {
    if (task.RestartPolicy !== '' && task.RestartPolicy !== 'on-failure') return false;
    return this.scenario.workers.some((worker) => this.engine(worker)?.doneByThemselves.has(task.ContainerID));
  }

  /**
   * Facts, not guesses: a worker records that a task's container exited with
   * a code only when that container did exit with that code.
   */
  private checkExit(worker: string, task: Task): void {
    // The entry of this failure, not an older one: it carries the failure's time.
    const terminated = task.Events.findLast((e) => e.Type === 'Terminated' && e.Time === task.FinishTime);
    const engine = this.engine(worker);
    if (/^container \S+ disappeared/.test(terminated?.Message ?? '')) {
      const there = engine?.containers.get(task.ContainerID);
      if (there)
        this.fail(
          'facts-not-guesses',
          `${task.ID}: ${worker} recorded that container ${task.ContainerID.slice(0, 12)} disappeared, but the engine has it (${there.running ? 'running' : 'not running'})`,
        );
      return;
    }
    const code = /^exited (?:with code )?(-?\d+)/.exec(terminated?.Message ?? '')?.[1];
    if (code === undefined) return;
    const container = engine?.containers.get(task.ContainerID);
    const exited = engine?.exits.get(task.ContainerID);
    if (exited === Number(code)) return;
    const actually =
      exited !== undefined
        ? `exited with ${exited}`
        : !container
          ? 'is gone without having exited'
          : container.paused
            ? 'is paused'
            : container.running
              ? 'is running'
              : 'was created and never ran';
    this.fail(
      'facts-not-guesses',
      `${task.ID}: ${worker} recorded that container ${task.ContainerID.slice(0, 12)} exited with code ${code}, but it ${actually}`,
    );
  }

  /**
   * Health restarts follow the checks: a worker fails (or restarts) a task for
   * its health check only after CUBE_HEALTH_FAILURES checks in a row of that
   * placement's container failed, as the container answered them, just before.
   */
  private checkHealth(worker: string, task: Task): void {
    const unhealthy = task.Events.findLast((e) => e.Type === 'Unhealthy' && e.Time === task.FinishTime);
    if (!unhealthy) return;
    // The URL the worker probes (src/worker/health-check.ts), so the port its checks reached; none: nothing was probed.
    const url = healthUrl(task);
    if (url === undefined) return;
    const failed = this.checksFailed.get(Number(new URL(url).port)) ?? 0;
    if (failed < this.policy.healthFailures) {
      this.fail(
        'health-follows-checks',
        `${task.ID}: ${worker} failed placement ${task.Placement} for its health check ("${unhealthy.Message}") after ${failed} failed check(s) in a row; it takes ${this.policy.healthFailures}`,
      );
    }
  }

  /**
   * Reports are applied in order: when the manager's record takes on what a
   * worker reported (the same placement, state, container and latest history
   * entry as a record that worker published), the worker's version of it never
   * goes down for one placement on one worker.
   */
  private checkOrder(task: Task): void {
    if (task.Worker === '') return;
    const version = this.published.get(signature(task.Worker, task));
    if (version === undefined) return; // the manager's own change, not a report
    const key = `${task.ID}|${task.Worker}|${placementBase(task.Placement)}`;
    const applied = this.applied.get(key) ?? 0;
    if (version < applied) {
      this.fail(
        'reports-in-order',
        `${task.ID}: the manager applied ${task.Worker}'s report version ${version} (${task.StateName}) after version ${applied} of placement ${placementBase(task.Placement)}`,
      );
    }
    this.applied.set(key, Math.max(applied, version));
  }

  private checkVersion(task: Task): void {
    const version = task.Version;
    const seen = this.versions.get(task.ID);
    // Versions only grow, across restarts too.
    if (seen !== undefined && version < seen) this.fail('versions-grow', `${task.ID} went from version ${seen} back to ${version}`);
    if (seen === undefined || version > seen) this.versions.set(task.ID, version);
  }

  private checkBounds(who: string, task: Task): void {
    // Histories stay bounded.
    if (task.Events.length > HISTORY_LIMIT)
      this.fail('history-bounded', `${who}: ${task.ID} has ${task.Events.length} history entries (limit ${HISTORY_LIMIT})`);
    // Restart counts stay bounded: by the limit, or (unlimited policies) by the time the backoff allows.
    const unlimited = task.RestartPolicy === 'always' || task.RestartPolicy === 'unless-stopped';
    const bound = unlimited ? 1 + Math.floor((Date.now() - this.startedAt) / (this.policy.restartDelayMs / 2)) : this.policy.restartLimit;
    if (task.RestartCount > bound) this.fail('restarts-bounded', `${who}: ${task.ID} has RestartCount ${task.RestartCount} (bound ${bound})`);
  }
}

/** What identifies a published record's content, whoever holds it. */
const signature = (worker: string, task: Task): string =>
  `${worker}|${task.ID}|${task.Placement}|${task.StateName}|${task.ContainerID}|${JSON.stringify(task.Events.at(-1) ?? null)}`;

const lastEvent = (task: Task): string => {
  const last = task.Events.at(-1);
  return last ? `${last.Type}: ${last.Message}` : 'no history';
};

const describeError = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error));
