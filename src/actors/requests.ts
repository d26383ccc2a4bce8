// How the HTTP edge talks to the worker and manager actors. An actor handles a
// `send` to completion before `send` returns (its mailbox is drained
// synchronously), so a refusal is known at once: `ask` listens for it around
// the send. `waitForTask` reacts to updates instead of polling.
import { nanoid } from 'nanoid';
import type { Task } from '../vocabulary/task.js';

interface Subscription {
  unsubscribe(): void;
}

/** Why a command was refused, and the HTTP status that says it (409 when the actor gave none). */
export interface Refusal {
  reason: string;
  status: number;
}

/** What an actor that takes task commands looks like from the edge. */
export interface CommandTarget {
  send(event: { type: string; requestId?: string } & Record<string, unknown>): void;
  on(type: 'task.refused', handler: (event: { requestId?: string; reason: string; status?: number }) => void): Subscription;
  on(type: 'task.updated', handler: (event: { task: Task }) => void): Subscription;
}

/**
 * Sends a command; returns why it was refused, or undefined when it was
 * taken. Everything the command causes, its intent's write included, is
 * handled before `send` returns.
 */
export function ask(actor: CommandTarget, command: { type: string } & Record<string, unknown>): Refusal | undefined {
  const requestId = nanoid();
  let refusal: Refusal | undefined;
  const subscription = actor.on('task.refused', (event) => {
    if (event.requestId === requestId) refusal = { reason: event.reason, status: event.status ?? 409 };
  });
  try {
    actor.send({ ...command, requestId });
  } finally {
    subscription.unsubscribe();
  }
  return refusal;
}

/**
 * Sends a command whose intent a store may write later (etcd answers
 * `intent.persisted` when it does): resolves with why it was refused, or with
 * undefined once it is carried out. `waiting(requestId)` tells whether the
 * command still waits for its write; it is over when the actor refuses it or
 * reports task `id` with the write done.
 */
export function askDurably(
  actor: CommandTarget,
  id: string,
  command: { type: string } & Record<string, unknown>,
  waiting: (requestId: string) => boolean,
  /** Aborted when the actor stops serving: the command is answered with the signal's reason (503). */
  signal?: AbortSignal,
  /** How the command reaches the actor: at once, or with others (src/actors/command-batch.ts), resolving once it was sent; `make` makes it as it is sent. */
  send: (make: () => { type: string; requestId: string } & Record<string, unknown>) => void | Promise<void> = (make) => actor.send(make()),
): Promise<Refusal | undefined> {
  const requestId = nanoid();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (refusal: Refusal | undefined, error?: unknown) => {
      if (done) return;
      done = true;
      refused.unsubscribe();
      updated.unsubscribe();
      signal?.removeEventListener('abort', aborted);
      if (error === undefined) resolve(refusal);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const aborted = () => finish({ reason: String((signal?.reason as Error)?.message ?? signal?.reason), status: 503 });
    if (signal?.aborted) return aborted();
    signal?.addEventListener('abort', aborted);
    const refused = actor.on('task.refused', (event) => {
      if (event.requestId === requestId) finish({ reason: event.reason, status: event.status ?? 409 });
    });
    let sending = false; // a report of the task before the command went out says nothing of it
    const updated = actor.on('task.updated', ({ task }) => {
      if (sending && task.ID === id && !waiting(requestId)) finish(undefined);
    });
    // Carried out within the send when the store answers at once.
    const check = () => {
      if (!waiting(requestId)) finish(undefined);
    };
    let sent: void | Promise<void>;
    try {
      sent = send(() => {
        sending = true;
        return { ...command, requestId };
      });
    } catch (error) {
      sent = Promise.reject(error);
    }
    if (!sent) return check();
    sent.then(check, (error: unknown) => finish(undefined, error ?? new Error('the command could not be sent')));
  });
}

/**
 * Resolves with task `id`'s record once `done` holds for it; `current` (its
 * record now) is checked first. An aborted `signal` ends the wait with undefined.
 */
export function waitForTask(
  actor: CommandTarget,
  id: string,
  current: Task | undefined,
  done: (task: Task) => boolean,
  signal?: AbortSignal,
): Promise<Task | undefined> {
  if (current && done(current)) return Promise.resolve(current);
  return new Promise((resolve) => {
    const finish = (task: Task | undefined) => {
      subscription.unsubscribe();
      signal?.removeEventListener('abort', aborted);
      resolve(task);
    };
    const aborted = () => finish(undefined);
    const subscription = actor.on('task.updated', ({ task }) => {
      if (task.ID === id && done(task)) finish(task);
    });
    signal?.addEventListener('abort', aborted);
  });
}
