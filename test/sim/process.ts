// One incarnation of a simulated process as the network sees it: its HTTP
// server takes the connections that reach it, and what goes in or out of it
// happens only while it runs. Frozen (SIGSTOP), its input and output wait, in
// order, for the thaw; killed (-9), nothing more happens and its connections
// go with it. See docs/reliability.md for what a freeze does not model.
import type { Duplex } from 'node:stream';
import type { Connection } from './connection.js';

export class SimProcess {
  private alive = true;
  private frozenUntil = 0;
  /** Work held while frozen, run in order at the thaw. */
  private readonly held: (() => void)[] = [];
  private readonly connections = new Set<Connection>();

  constructor(
    /** Its HTTP server: takes a connection that reached it. */
    readonly serve: (socket: Duplex) => void,
    /** Says that it thawed, in the trace. */
    private readonly thawed: () => void,
  ) {}

  /** Runs `work` now, at the thaw when frozen, never once dead. */
  run(work: () => void): void {
    if (!this.alive) return;
    if (this.frozenUntil > 0) this.held.push(work);
    else work();
  }

  join(connection: Connection): void {
    this.connections.add(connection);
  }

  leave(connection: Connection): void {
    this.connections.delete(connection);
  }

  /** SIGSTOP for `ms`: input and output wait until the thaw. */
  freeze(ms: number): void {
    this.frozenUntil = Math.max(this.frozenUntil, Date.now() + ms);
    setTimeout(() => {
      if (Date.now() >= this.frozenUntil) this.thaw();
    }, ms);
  }

  /** SIGCONT: what waited goes, in order. */
  thaw(): void {
    if (!this.alive || this.frozenUntil === 0) return;
    this.frozenUntil = 0;
    this.thawed();
    for (const work of this.held.splice(0)) work();
  }

  /** Resets the event streams it serves (the worker's side dropped them). */
  breakStreams(): void {
    for (const connection of [...this.connections]) if (connection.stream) connection.hangUp(this);
  }

  /** kill -9: nothing more goes in or out, and its connections go with it. */
  kill(): void {
    this.alive = false;
    this.held.length = 0;
    for (const connection of [...this.connections]) connection.hangUp(this);
  }
}
