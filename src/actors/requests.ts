// How the HTTP edge talks to the worker and manager actors. An actor handles a
// `send` to completion before `send` returns (its mailbox is drained
// synchronously), so a refusal is known at once: `ask` listens for it around
// the send. `waitForTask` reacts to updates instead of polling.
import { nanoid } from 'nanoid';
import type { Task } from '../vocabulary/task.js';

interface Subscription {
  unsubscribe(): void;
}

/** What an actor that takes task commands looks like from the edge. */
export interface CommandTarget {
  send(event: { type: string; requestId?: string } & Record<string, unknown>): void;
  on(type: 'task.refused', handler: (event: { requestId?: string; reason: string }) => void): Subscription;
  on(type: 'task.updated', handler: (event: { task: Task }) => void): Subscription;
}

/** Sends a command; returns the reason it was refused, or undefined when it was taken. */
export function ask(actor: CommandTarget, command: { type: string } & Record<string, unknown>): string | undefined {
  const requestId = nanoid();
  let refusal: string | undefined;
  const subscription = actor.on('task.refused', (event) => {
    if (event.requestId === requestId) refusal = event.reason;
  });
  try {
    actor.send({ ...command, requestId });
  } finally {
    subscription.unsubscribe();
  }
  return refusal;
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
