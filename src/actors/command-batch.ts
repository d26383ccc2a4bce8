// Users' commands that arrive in one turn of the event loop (many POSTs at
// once) are sent to the actor together, at the turn's end, inside one
// IntentBatch: their intents are written in one transaction per store before
// any of them is carried out (src/store/intent-batch.ts), instead of one
// transaction each. One command per task goes in a batch; a second about the
// same task waits for the next, so a task never has two intents at once.
// Each caller hears, as with `ask`, why its command was refused, or nothing.
import type { IntentBatch } from '../store/intent-batch.js';
import type { CommandTarget, Refusal } from './requests.js';

type Command = { type: string } & Record<string, unknown>;

interface Waiting {
  id: string;
  /** Makes the command when it is sent: what it needs to look at is as it is then. */
  command: () => Command;
  resolve: (refusal: Refusal | undefined) => void;
  reject: (error: unknown) => void;
}

export class CommandBatch {
  private waiting: Waiting[] = [];
  private scheduled = false;
  private requests = 0;

  constructor(
    private readonly actor: CommandTarget,
    private readonly intents: IntentBatch,
  ) {}

  /** Sends a command about task `id` with the others of this turn; resolves with why it was refused, or undefined when it was carried out. */
  ask(id: string, command: () => Command): Promise<Refusal | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, command, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const ids = new Set<string>();
    const now: Waiting[] = [];
    const later: Waiting[] = [];
    for (const waiting of this.waiting) {
      if (ids.has(waiting.id)) later.push(waiting);
      else {
        ids.add(waiting.id);
        now.push(waiting);
      }
    }
    this.waiting = later;
    if (later.length > 0) this.schedule();
    const sent = new Map<string, Waiting & { refusal?: Refusal }>();
    const subscription = this.actor.on('task.refused', (event) => {
      const waiting = event.requestId === undefined ? undefined : sent.get(event.requestId);
      if (waiting) waiting.refusal = { reason: event.reason, status: event.status ?? 409 };
    });
    try {
      this.intents.run(() => {
        for (const waiting of now) {
          const requestId = `batch-${++this.requests}`;
          sent.set(requestId, waiting);
          this.actor.send({ ...waiting.command(), requestId });
        }
      });
    } catch (error) {
      for (const waiting of now) waiting.reject(error);
      return;
    } finally {
      subscription.unsubscribe();
    }
    for (const waiting of sent.values()) waiting.resolve(waiting.refusal);
  }
}
