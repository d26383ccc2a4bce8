// Users' commands that arrive in one turn of the event loop (many POSTs at
// once) are sent to the actor together, at the turn's end, inside one
// IntentBatch: their intents are written in one transaction per store before
// any of them is carried out (src/store/intent-batch.ts), instead of one
// transaction each. The edge's per-task lanes (src/manager/run/service.ts) keep a
// task to one command at a time, so a batch never holds two about one task.
// Whether a command was refused or carried out is heard as without a batch
// (`askDurably` listens for it); a send resolves once its batch was sent.
import type { IntentBatch } from '../store/intent-batch.js';

type Command = { type: string } & Record<string, unknown>;

interface Waiting {
  /** Makes the command when it is sent: what it needs to look at is as it is then. */
  command: () => Command;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class CommandBatch {
  private waiting: Waiting[] = [];

  constructor(
    private readonly actor: { send(event: Command): void },
    private readonly intents: IntentBatch,
  ) {}

  /** Sends a command with the others of this turn; resolves once it was sent, its intent written (or refused). */
  send(command: () => Command): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ command, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => this.run());
    });
  }

  private run(): void {
    const now = this.waiting.splice(0);
    try {
      this.intents.run(() => {
        for (const waiting of now) this.actor.send(waiting.command());
      });
    } catch (error) {
      for (const waiting of now) waiting.reject(error);
      return;
    }
    for (const waiting of now) waiting.resolve();
  }
}
