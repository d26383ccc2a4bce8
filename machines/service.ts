// A service (docs/spec.md §9): N copies of one task definition kept running,
// and each new version rolled out by health, as an XState machine. The
// manager spawns one per service (`service:<name>`), tells it every change of
// its copies' records and the time (`tick`), and carries out what it asks:
// start a copy (`startCopy`, a new task) or stop one (`stopCopy`). When a step
// waits on the clock (a ShutdownDelay, a MinHealthy), it also sends itself a
// `tick` for the moment it is due.
//
// Pure, like the task machine: it never reads a clock (every event carries
// `at`) and names its side effects: `startCopy` and `stopCopy` go to its
// parent, `persist` writes a user's command before it is carried out (src/
// answers with `service.persisted`), `save` writes the record behind. What
// it decides is machines/service/rollout.ts; how the record changes is
// machines/service/record.ts.
//
//   stable        every slot has a healthy copy of the version: count kept
//   deploying     a new version replaces the copies, Parallelism at a time
//   rolling-back  the same, back to the version that was last healthy
//   paused        a deployment failed and OnFailure is pause: nothing changes
//   failed        a deployment failed with nowhere to go back to
import { assign, enqueueActions, sendParent, setup } from 'xstate';
import type { Service, ServiceStateName } from '../src/vocabulary/service.js';
import type { Task } from '../src/vocabulary/task.js';
import { firstVersion } from '../src/vocabulary/version.js';
import { copyOf, endpoints, isLive, isReady, isServing, type Copy, type CopyReport } from './service/copies.js';

export type { CopyReport } from './service/copies.js';
export type { Rules } from './service/rollout.js';
import { nextDue, plan, progress, type Mode, type Progress, type RolloutInput, type Rules } from './service/rollout.js';
import { applyCommand, ended, newCopy, policyOf, refusal, rememberStable, rollingBack, type ServiceCommand } from './service/record.js';

export interface ServiceInput {
  service: Service;
  /** The records of its copies the manager holds (at a start: what it restored). */
  copies: CopyReport[];
  at: string;
}

export interface ServiceContext {
  service: Service;
  /** The record as last saved and announced: `commit` compares with it. */
  saved: Service | null;
  copies: ReadonlyMap<string, Copy>;
  /** Copies asked for and not yet reported, by ID: their slot. */
  starting: ReadonlyMap<string, number>;
  /** Copies out of the endpoints before their stop, and since when. */
  draining: ReadonlyMap<string, string>;
  /** Copies of the version being rolled out that counted as healthy once. */
  counted: ReadonlySet<string>;
  /** A user's command whose write is on its way; carried out on `service.persisted`. */
  pending: { command: ServiceCommand; at: string; requestId: string | undefined } | null;
  /** The endpoints last announced, as JSON, to announce only a change. */
  announced: string;
  now: string;
  /** When this machine began to watch its copies (its start): healthy time before it is not counted (`copyOf`). */
  watching: string;
  /** When the manager last could not carry out what the service asked ('' if never): it asks nothing until RETRY_MS later. */
  refusedAt: string;
}

export type ServiceEvent =
  | { type: 'service.command'; command: ServiceCommand; at: string; requestId?: string }
  | { type: 'service.persisted'; ok: boolean; problem: string }
  /** A copy's record changed; `refused` says why, when it is the record as it was, after a stop the manager could not make. */
  | { type: 'copy.changed'; report: CopyReport; at: string; refused?: string }
  /** The manager would not take a copy the service asked for (a name in use, a store that cannot write). */
  | { type: 'copy.refused'; id: string; reason: string; at: string }
  /** A finished copy left the manager's book (retention). */
  | { type: 'copy.pruned'; id: string; at: string }
  | { type: 'tick'; at: string };

/** What a service asks of its parent, the manager. */
export type ServiceRequest =
  { type: 'copy.start'; service: string; task: Task; at: string } | { type: 'copy.stop'; service: string; id: string; why: string; at: string };

export type ServiceEmitted =
  | { type: 'service.changed'; service: Service }
  | { type: 'service.endpoints'; service: string; endpoints: ReturnType<typeof endpoints> }
  /** The answer to a user's command: the record it made, or why it was refused (409, or 503 when it could not be stored). */
  | { type: 'service.answered'; requestId: string | undefined; service: Service; refusal?: string; status?: number };

const modes: Record<ServiceStateName, Mode> = { stable: 'keep', deploying: 'roll', 'rolling-back': 'roll', paused: 'hold', failed: 'hold' };

function rolloutInput(context: ServiceContext, at: string): RolloutInput {
  return {
    count: context.service.Count,
    target: context.service.Version,
    policy: policyOf(context.service),
    copies: [...context.copies.values()],
    starting: new Set(context.starting.values()),
    draining: context.draining,
    at,
    mode: modes[context.service.StateName],
    returning: context.service.StateName === 'rolling-back',
  };
}

/** How the deployment under way stands (the service must be deploying or rolling back). */
export function deploymentProgress(context: ServiceContext): Progress {
  return progress(rolloutInput(context, context.now), context.service.Deployment!.Changed, context.counted);
}

/** The counts a record shows: copies that hold a place, and those of them serving. */
function withCounts(service: Service, copies: Iterable<Copy>): Service {
  let running = 0;
  let healthy = 0;
  for (const copy of copies) {
    if (!isLive(copy)) continue;
    running++;
    if (isServing(copy)) healthy++;
  }
  return running === service.Running && healthy === service.Healthy ? service : { ...service, Running: running, Healthy: healthy };
}

/** The later of two times (RFC 3339). */
const later = (a: string, b: string) => (Date.parse(a) > Date.parse(b) ? a : b);

/**
 * An event's time, never before the latest the service knows: the manager
 * stamps a copy's change with its last tick, up to a second older than a
 * command carried out meanwhile, and a clock that went back would date what
 * follows (a failed deployment, its history) before what caused it.
 */
const eventTime = (event: ServiceEvent, context: ServiceContext) => ('at' in event ? later(event.at, context.now) : context.now);

/** The machine's types and the effects it names, which its parent and src/ supply. */
const base = setup({
  types: {
    context: {} as ServiceContext,
    input: {} as ServiceInput,
    events: {} as ServiceEvent,
    emitted: {} as ServiceEmitted,
  },
  actions: {
    /** Asks the manager for a new copy (a new task, stored before it is placed); the manager supplies it (`asParent`). */
    startCopy: (_, _params: { task: Task; at: string }) => undefined,
    /** Asks the manager to stop a copy; the manager supplies it. */
    stopCopy: (_, _params: { id: string; why: string; at: string }) => undefined,
    /** Writes a user's command's record; answered with `service.persisted`. This default keeps it in memory. */
    persist: enqueueActions(({ enqueue }, _params: { service: Service }) => enqueue.raise({ type: 'service.persisted', ok: true, problem: '' })),
    /** Writes a changed record behind; supplied by src/. */
    save: (_, _params: { service: Service }) => undefined,
  },
});

/** The id of the machine's one pending wake-up (a delayed `tick` to itself). */
const WAKE = 'wake';

/**
 * How long the service waits to ask again after the manager could not carry out a copy's start or stop
 * (a store that refuses writes, a command of that task still being written): the store's own first
 * retry (src/store/write-behind.ts). Asking again at once would loop without end while the disk is full.
 */
export const RETRY_MS = 1000;

/** Carries out the plan of the moment: starts, drains and stops, and counts the copies of the rollout that are ready. */
export const actWith = (rules: Rules) =>
  base.enqueueActions(({ context, event, enqueue }) => {
    const at = eventTime(event as ServiceEvent, context);
    const input = rolloutInput(context, at);
    // A deployment that has just failed changes nothing more here: the state it goes to acts on entry.
    if (input.mode === 'roll' && progress(input, context.service.Deployment!.Changed, context.counted).state === 'failed') return;
    const next = plan(input, rules);
    // After a refusal, starts and stops wait for the retry; drains and counts go on.
    const retryAt = context.refusedAt === '' ? undefined : Date.parse(context.refusedAt) + RETRY_MS;
    const waiting = retryAt !== undefined && Date.parse(at) < retryAt;
    let service = context.service;
    const starting = new Map(context.starting);
    const draining = new Map(context.draining);
    const copies = new Map(context.copies);
    const counted = new Set(context.counted);
    for (const slot of waiting ? [] : next.start) {
      const made = newCopy(service, slot, at);
      service = made.service;
      starting.set(made.task.ID, slot);
      enqueue({ type: 'startCopy', params: { task: made.task, at } });
    }
    for (const id of next.undrain) draining.delete(id);
    for (const { id } of next.drain) draining.set(id, at);
    for (const { id, why } of waiting ? [] : next.stop) {
      copies.set(id, { ...copies.get(id)!, Stopping: true });
      draining.delete(id);
      enqueue({ type: 'stopCopy', params: { id, why, at } });
    }
    if (input.mode === 'roll') {
      for (const copy of copies.values()) {
        if (copy.Version === service.Version && isLive(copy) && rules.isReady(copy, input.policy.minHealthyMs, at)) counted.add(copy.ID);
      }
    }
    enqueue.assign({ service, starting, draining, copies, counted });
    // The next step that waits on the clock is taken when it is due, not at the manager's next tick (a second
    // apart): a wake-up the machine asks for, with the time it was due for. Each act replaces the one before.
    const dues = [nextDue({ ...input, copies: [...copies.values()], draining }), waiting ? retryAt : undefined].filter((d) => d !== undefined);
    const due = dues.length > 0 ? Math.min(...dues) : undefined;
    enqueue.cancel(WAKE);
    if (due !== undefined) enqueue.raise({ type: 'tick', at: new Date(due).toISOString() }, { id: WAKE, delay: due - Date.parse(at) });
  });

export const serviceMachine = base
  .extend({
    guards: {
      /** Every slot has a copy of the version that counts, and nothing else is left. */
      deploymentDone: ({ context }) => deploymentProgress(context).state === 'done',
      /** A copy of the version failed, or passed its HealthyDeadline, before it counted. */
      deploymentFailed: ({ context }) => deploymentProgress(context).state === 'failed',
      /** The deployment failed, and goes back (OnFailure rollback) to the version that was healthy before it. */
      failedToRollBack: ({ context }) =>
        deploymentProgress(context).state === 'failed' && policyOnFailure(context) === 'rollback' && (context.service.Deployment?.From ?? 0) > 0,
      /** The deployment failed, and stops where it is (OnFailure pause). */
      failedToPause: ({ context }) => deploymentProgress(context).state === 'failed' && policyOnFailure(context) === 'pause',
      persisted: ({ event }) => event.type === 'service.persisted' && event.ok,
      /** The record names this state: where a restored service resumes, and where a command carried out leads. */
      recordSays: ({ context }, state: ServiceStateName) => context.service.StateName === state,
    },
    actions: {
      /** A copy's record changed: the service's view of it follows. A Completed copy holds nothing any more, and is let go. */
      observe: assign(({ context, event }) => {
        const now = eventTime(event, context);
        if (event.type === 'copy.refused') return { now, starting: without(context.starting, event.id), refusedAt: now };
        if (event.type === 'copy.pruned') return { now, copies: without(context.copies, event.id) };
        if (event.type !== 'copy.changed') return { now };
        const copy = copyOf(event.report, context.watching);
        const done = copy.StateName === 'completed';
        const copies = new Map(context.copies);
        if (done) copies.delete(copy.ID);
        else copies.set(copy.ID, copy);
        return {
          now,
          copies,
          starting: without(context.starting, copy.ID),
          draining: done ? without(context.draining, copy.ID) : context.draining,
          refusedAt: event.refused === undefined ? context.refusedAt : now,
        };
      }),
      act: actWith({ isReady }),
      /** A user's command is written down first: its record goes to `persist`, or it is refused. */
      hold: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'service.command') return;
        const why = context.pending ? `service ${context.service.Name} is carrying out another command` : refusal(context.service, event.command);
        if (why) {
          enqueue.emit({ type: 'service.answered', requestId: event.requestId, service: context.service, refusal: why, status: 409 });
          return;
        }
        enqueue.assign({ pending: { command: event.command, at: event.at, requestId: event.requestId } });
        enqueue({ type: 'persist', params: { service: applyCommand(context.service, event.command, event.at) } });
      }),
      /** The command is written: carried out on the record as it is now, and answered. */
      carryOut: enqueueActions(({ context, enqueue }) => {
        const pending = context.pending!;
        const service = applyCommand(context.service, pending.command, pending.at);
        const rollout = service.StateName === 'deploying' || service.StateName === 'rolling-back';
        // The command's time is the latest known: what it starts is judged from then on.
        const now = later(pending.at, context.now);
        enqueue.assign({ service, pending: null, counted: rollout ? new Set<string>() : context.counted, now });
        enqueue.emit({ type: 'service.answered', requestId: pending.requestId, service });
      }),
      /** The write failed: nothing was done, and the caller hears why. */
      dropCommand: enqueueActions(({ context, event, enqueue }) => {
        const pending = context.pending!;
        const problem = event.type === 'service.persisted' ? event.problem : '';
        const why = `the manager could not store the ${pending.command.kind} of service ${context.service.Name} (${problem}); nothing was done. Try again once the store takes writes again`;
        enqueue.assign({ pending: null });
        enqueue.emit({ type: 'service.answered', requestId: pending.requestId, service: context.service, refusal: why, status: 503 });
      }),
      succeed: assign(({ context }) => ({ service: ended(context.service, 'succeeded', context.now) })),
      rolledBack: assign(({ context }) => ({ service: ended(context.service, 'rolled-back', context.now) })),
      /** The version the service now runs healthy is where a later failure rolls back to (`Stable`). */
      rememberStable: assign(({ context }) => ({ service: rememberStable(context.service) })),
      rollBack: assign(({ context }) => ({
        counted: new Set<string>(),
        service: rollingBack(context.service, context.service.Deployment!.From, context.now, failureReason(context)),
      })),
      pause: assign(({ context }) => ({ service: ended(context.service, 'paused', context.now, failureReason(context)) })),
      fail: assign(({ context }) => ({ service: ended(context.service, 'failed', context.now, failureReason(context)) })),
      /** Saves and announces the record, and the endpoints, when they changed. */
      commit: enqueueActions(({ context, enqueue }) => {
        let service = withCounts(context.service, context.copies.values());
        if (service.Deployment && (service.StateName === 'deploying' || service.StateName === 'rolling-back')) {
          const healthy = deploymentProgress(context).healthy;
          if (healthy !== service.Deployment.Healthy) service = { ...service, Deployment: { ...service.Deployment, Healthy: healthy } };
        }
        if (service !== context.saved) {
          service = { ...service, Revision: (context.saved?.Revision ?? service.Revision) + 1 };
          enqueue.assign({ service, saved: service });
          enqueue({ type: 'save', params: { service } });
          enqueue.emit({ type: 'service.changed', service });
        }
        const list = endpoints(context.copies.values(), new Set(context.draining.keys()));
        const json = JSON.stringify(list);
        if (json !== context.announced) {
          enqueue.assign({ announced: json });
          enqueue.emit({ type: 'service.endpoints', service: service.Name, endpoints: list });
        }
      }),
    },
  })
  .createMachine({
    id: 'service',
    context: ({ input }) => {
      const copies = new Map(input.copies.map((report) => [report.task.ID, copyOf(report, input.at)] as const));
      for (const [id, copy] of copies) if (copy.StateName === 'completed') copies.delete(id);
      return {
        // Its clock goes on from its start time when that is ahead of the record: changes written behind and lost (a
        // disk that refused them, then a kill) were announced, and a Revision counted from the record alone would hand
        // out again numbers already seen, lower than the last, and `cube service update` would ignore what follows.
        service: { ...input.service, Revision: firstVersion(input.service.Revision, input.at) },
        saved: null,
        copies,
        starting: new Map(),
        draining: new Map(),
        counted: new Set(),
        pending: null,
        announced: '',
        now: input.at,
        watching: input.at,
        refusedAt: '',
      };
    },
    initial: 'boot',
    on: {
      'service.command': { actions: 'hold' },
      'service.persisted': [{ guard: 'persisted', actions: 'carryOut', target: '.route' }, { actions: 'dropCommand' }],
    },
    states: {
      /** A restored service resumes where its record says it was; a new one deploys. */
      boot: {
        always: [
          { guard: { type: 'recordSays', params: 'stable' }, target: 'stable' },
          { guard: { type: 'recordSays', params: 'rolling-back' }, target: 'rollingBack' },
          { guard: { type: 'recordSays', params: 'paused' }, target: 'paused' },
          { guard: { type: 'recordSays', params: 'failed' }, target: 'failed' },
          { target: 'deploying' },
        ],
      },
      /** After a command is carried out: on to the state its record names. */
      route: {
        always: [
          { guard: { type: 'recordSays', params: 'deploying' }, target: 'deploying' },
          { guard: { type: 'recordSays', params: 'rolling-back' }, target: 'rollingBack' },
          { guard: { type: 'recordSays', params: 'paused' }, target: 'paused' },
          { guard: { type: 'recordSays', params: 'failed' }, target: 'failed' },
          { target: 'stable' },
        ],
      },
      stable: reacting(),
      deploying: {
        ...reacting(),
        always: [
          { guard: 'deploymentDone', target: 'stable', actions: ['succeed', 'rememberStable', 'commit'] },
          { guard: 'failedToRollBack', target: 'rollingBack', actions: ['rollBack', 'commit'] },
          { guard: 'failedToPause', target: 'paused', actions: ['pause', 'commit'] },
          { guard: 'deploymentFailed', target: 'failed', actions: ['fail', 'commit'] },
        ],
      },
      rollingBack: {
        ...reacting(),
        always: [
          { guard: 'deploymentDone', target: 'stable', actions: ['rolledBack', 'rememberStable', 'commit'] },
          { guard: 'deploymentFailed', target: 'failed', actions: ['fail', 'commit'] },
        ],
      },
      paused: reacting(),
      failed: reacting(),
    },
  });

/** What every state does with the copies and the time: follow them, act on the plan, and say what changed. */
function reacting() {
  const step = { actions: ['observe', 'act', 'commit'] as const };
  return {
    entry: ['act', 'commit'] as const,
    on: { 'copy.changed': step, 'copy.refused': step, 'copy.pruned': step, tick: step },
  };
}

const without = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
};

function policyOnFailure(context: ServiceContext) {
  const deployed = context.service.Deployment?.Version ?? context.service.Version;
  return context.service.Versions.find((v) => v.Version === deployed)?.Update.OnFailure ?? 'rollback';
}

function failureReason(context: ServiceContext): string {
  const result = deploymentProgress(context);
  return result.state === 'failed' ? result.reason : 'rollback asked by user';
}

export type ServiceMachine = typeof serviceMachine;

/** The machine as the manager spawns it: what it asks goes to its parent as ServiceRequests. */
export const serviceChild = serviceMachine.provide({
  actions: {
    startCopy: sendParent(({ context }, params: { task: Task; at: string }): ServiceRequest => ({
      type: 'copy.start',
      service: context.service.Name,
      ...params,
    })),
    stopCopy: sendParent(({ context }, params: { id: string; why: string; at: string }): ServiceRequest => ({
      type: 'copy.stop',
      service: context.service.Name,
      ...params,
    })),
  },
});
