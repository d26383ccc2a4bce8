// What a service does next (docs/spec.md §9): a pure function of its record,
// its copies and the time. Every state of the service machine runs the same
// plan, with what it may change: a stable service keeps its count (a copy
// that failed for good, or a slot left empty, gets a new copy); a deployment
// also replaces the copies of other versions, at most `Parallelism` slots at
// a time, new before old (`start-first`) or old before new (`stop-first`); a
// paused or failed one only gives up the slots it no longer has.
//
// A slot is one of the service's Count places, numbered from 0. A copy to stop
// that serves is first taken out of the endpoints (drained) and stopped once
// `ShutdownDelay` has passed, so a client that picks endpoints stops picking
// it before it goes.
import type { ServiceUpdate } from '../../src/vocabulary/service.js';
import { hasFailed, isLive, isOverdue, isReady, isServing, type Copy } from './copies.js';

/** The policy of the version being rolled out, with its durations in milliseconds. */
export interface RolloutPolicy {
  parallelism: number;
  order: ServiceUpdate['Order'];
  minHealthyMs: number;
  healthyDeadlineMs: number;
  shutdownDelayMs: number;
}

/**
 * The rules of readiness a rollout goes by. The machine hands them to the
 * plan (`actWith` in machines/service.ts), so the simulator can swap a wrong
 * one in through provide() (test/sim/mistakes.ts) and see that it bites.
 */
export interface Rules {
  isReady: typeof isReady;
}

/** What the plan may do in the machine's current state. */
export type Mode = 'keep' | 'roll' | 'hold';

export interface RolloutInput {
  count: number;
  /** The version every slot should run. */
  target: number;
  policy: RolloutPolicy;
  copies: readonly Copy[];
  /** Slots whose new copy has been asked for and not yet reported. */
  starting: ReadonlySet<number>;
  /** Copies out of the endpoints, and since when (RFC 3339). */
  draining: ReadonlyMap<string, string>;
  at: string;
  mode: Mode;
  /**
   * Rolling back, to a version that was healthy: a copy of it that restarts
   * (an engine that restarted under it, say) is its restart policy's business,
   * and fails the rollback only once it has failed for good.
   */
  returning: boolean;
}

export interface Plan {
  /** Slots to start a copy of the target version in. */
  start: number[];
  /** Copies to take out of the endpoints now. */
  drain: { id: string; why: string }[];
  /** Copies to stop now. */
  stop: { id: string; why: string }[];
  /** Drained copies wanted again (their slot scaled away and back before they stopped): back into the endpoints. */
  undrain: string[];
}

/** How a copy being replaced goes: drained first when it serves, then stopped once the delay has passed. */
function retire(plan: Plan, input: RolloutInput, copy: Copy, why: string): void {
  if (plan.drain.some((d) => d.id === copy.ID) || plan.stop.some((s) => s.id === copy.ID)) return;
  const since = input.draining.get(copy.ID);
  if (since === undefined && isServing(copy) && input.policy.shutdownDelayMs > 0) plan.drain.push({ id: copy.ID, why });
  else if (since === undefined || Date.parse(input.at) - Date.parse(since) >= input.policy.shutdownDelayMs) plan.stop.push({ id: copy.ID, why });
}

/** The best of several copies of one version in one slot: the one that counts, else the one that serves, else the newest. */
const rank = (copy: Copy, input: RolloutInput, rules: Rules) => (rules.isReady(copy, input.policy.minHealthyMs, input.at) ? 2 : isServing(copy) ? 1 : 0);

export function plan(input: RolloutInput, rules: Rules): Plan {
  const result: Plan = { start: [], drain: [], stop: [], undrain: [] };
  const { count, target, policy, at, mode } = input;
  /** The copies this plan takes away (or goes on taking away); a drained copy not among them is wanted again. */
  const retiring = new Set<string>();
  const out = (copy: Copy, why: string) => {
    retiring.add(copy.ID);
    retire(result, input, copy, why);
  };
  const slots = new Map<number, Copy[]>();
  /** Slots with a copy on its way out (drained, or its stop asked and not yet carried out): their container still runs. */
  const leaving = new Set<number>();
  /** Slots whose copy failed for good in the instant it was made (the manager could not place it): filled again at the next tick. */
  const failedNow = new Set<number>();
  /** Live copies by slot. */
  const live = new Map<number, number>();
  for (const copy of input.copies) if (isLive(copy)) live.set(copy.Slot, (live.get(copy.Slot) ?? 0) + 1);
  for (const copy of input.copies) {
    if (copy.StateName === 'failed' && Date.parse(copy.Submitted) >= Date.parse(at)) failedNow.add(copy.Slot);
    if (copy.Stopping && copy.StateName !== 'completed' && copy.StateName !== 'failed') leaving.add(copy.Slot);
    if (!isLive(copy)) continue;
    if (input.draining.has(copy.ID)) {
      // Drained already: it goes once its ShutdownDelay has passed if its slot is gone, or the plan below still takes
      // it away; a slot scaled away and back meanwhile is judged as any other, and what it keeps serves again (a
      // paused or failed service, which judges no slot, keeps a copy left alone in its slot).
      leaving.add(copy.Slot);
      if (copy.Slot >= count || (mode === 'hold' && live.get(copy.Slot) !== 1)) out(copy, 'drained');
    }
    if (copy.Slot >= count) {
      out(copy, `scaled to ${count}`);
      continue;
    }
    const list = slots.get(copy.Slot) ?? [];
    list.push(copy);
    slots.set(copy.Slot, list);
  }
  const done = () => {
    for (const copy of input.copies) if (input.draining.has(copy.ID) && isLive(copy) && !retiring.has(copy.ID)) result.undrain.push(copy.ID);
    return result;
  };
  if (mode === 'hold') return done();

  const candidates: number[] = [];
  let inFlight = 0;
  for (let slot = 0; slot < count; slot++) {
    const here = slots.get(slot) ?? [];
    const current = here
      .filter((c) => c.Version === target)
      .sort((a, b) => rank(b, input, rules) - rank(a, input, rules) || b.Submitted.localeCompare(a.Submitted));
    const old = here.filter((c) => c.Version !== target);
    // Two copies of the target in one slot (a start that raced a report): the best stays.
    for (const extra of current.slice(1)) out(extra, `slot ${slot} has a newer copy`);
    const copy = current[0];
    const asked = input.starting.has(slot);
    if (!copy && !asked && old.length === 0) {
      // An empty slot is filled at once (nothing in it to keep serving), once what is leaving it is gone; not again in
      // the instant its last copy failed, or a copy no worker has room for would be made over and over without end.
      if (leaving.has(slot)) inFlight++;
      else if (!failedNow.has(slot)) result.start.push(slot);
      continue;
    }
    const ready = copy !== undefined && rules.isReady(copy, policy.minHealthyMs, at);
    // A slot changes until its new copy counts and its old one is gone: only then may the next one start.
    if (ready && old.length > 0) {
      for (const c of old) out(c, `replaced by version ${target} in slot ${slot}`);
      inFlight++;
    } else if (mode === 'roll' && policy.order === 'stop-first' && !copy && old.some((c) => input.draining.has(c.ID))) {
      // stop-first under way: its old copy leaves before the new one starts.
      for (const c of old) out(c, `version ${target} replaces it in slot ${slot} (stop-first)`);
      inFlight++;
    } else if (asked || (copy && !ready) || leaving.has(slot)) inFlight++;
    else if (!copy && old.length > 0) candidates.push(slot);
  }
  if (mode !== 'roll') return done();
  // Replace the copies of other versions, a few slots at a time, lowest slot first.
  for (const slot of candidates.slice(0, Math.max(0, policy.parallelism - inFlight))) {
    if (policy.order === 'start-first') result.start.push(slot);
    else for (const c of slots.get(slot)!) out(c, `version ${target} replaces it in slot ${slot} (stop-first)`);
  }
  return done();
}

/**
 * The next moment (ms since the epoch, after `at`) when time alone changes
 * what the plan or the progress says: a drained copy's ShutdownDelay ends, a
 * copy of the target has been healthy for MinHealthy, or one that does not
 * count yet passes its HealthyDeadline. Undefined when nothing waits on the
 * clock. The machine wakes itself then, so a rollout does not wait for the
 * manager's next tick at every step (a second each, at worst).
 */
export function nextDue(input: Pick<RolloutInput, 'target' | 'policy' | 'copies' | 'draining' | 'at'>): number | undefined {
  const { policy, at } = input;
  const now = Date.parse(at);
  const dues: number[] = [];
  for (const since of input.draining.values()) dues.push(Date.parse(since) + policy.shutdownDelayMs);
  for (const copy of input.copies) {
    if (copy.Version !== input.target || !isLive(copy) || isReady(copy, policy.minHealthyMs, at)) continue;
    if (copy.HealthySince !== '') dues.push(Date.parse(copy.HealthySince) + policy.minHealthyMs);
    dues.push(Date.parse(copy.Submitted) + policy.healthyDeadlineMs + 1); // isOverdue: strictly past the deadline
  }
  const future = dues.filter((due) => due > now);
  return future.length > 0 ? Math.min(...future) : undefined;
}

export type Progress = { state: 'done' | 'going'; healthy: number } | { state: 'failed'; reason: string; healthy: number };

/**
 * How a deployment of `target` stands at `at`: done when every slot has a
 * copy of it that counts and nothing else is left; failed when a copy of it
 * failed (for good, when `returning`), or passed its HealthyDeadline, before
 * it counted. `counted` holds
 * the copies that counted once: what happens to them later is the restart
 * policy's business, not the deployment's. `since` is when the deployment
 * began.
 */
export function progress(
  input: Pick<RolloutInput, 'count' | 'target' | 'policy' | 'copies' | 'starting' | 'at' | 'returning'>,
  since: string,
  counted: ReadonlySet<string>,
): Progress {
  const { count, target, policy, at } = input;
  const filled = new Set<number>();
  let leftover = false;
  for (const copy of input.copies) {
    const live = isLive(copy);
    if (copy.Version !== target || copy.Slot >= count) {
      leftover ||= live;
      if (copy.Version !== target) continue;
    }
    const ready = isReady(copy, policy.minHealthyMs, at);
    // Judged are the copies this deployment made, until they count: one the service stopped itself (an extra,
    // a slot scaled away) did not fail, and one from before (a rollback finds them) is the restart policy's.
    const settled = counted.has(copy.ID) || copy.StateName === 'completed' || copy.Stopping || Date.parse(copy.Submitted) < Date.parse(since);
    if (!settled && (input.returning ? copy.StateName === 'failed' : hasFailed(copy)))
      return { state: 'failed', reason: `copy ${copy.ID} (slot ${copy.Slot}) failed before it was healthy`, healthy: filled.size };
    if (!settled && !ready && isOverdue(copy, policy.healthyDeadlineMs, at)) {
      return { state: 'failed', reason: `copy ${copy.ID} (slot ${copy.Slot}) was not healthy within its HealthyDeadline`, healthy: filled.size };
    }
    if (live && ready && copy.Slot < count) filled.add(copy.Slot);
  }
  const done = filled.size === count && !leftover && input.starting.size === 0;
  return { state: done ? 'done' : 'going', healthy: filled.size };
}
