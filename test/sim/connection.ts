// A TCP connection between two simulated processes: a pair of sockets, and
// the bytes each end writes reach the other in order, in bursts (what one
// turn of the event loop writes), each after a delay the network draws. A
// burst the network loses leaves that direction dead, as a connection whose
// peer vanished: nothing written after it arrives, and only a timer of the
// process that waits (a call's limit, a stream's idle watchdog) ends the wait.
//
// The first bytes to arrive find who listens at the address then: nobody,
// and a reset comes back (ECONNREFUSED); a process, and its HTTP server takes
// the connection. What a frozen process receives and sends waits for its thaw
// (process.ts); a process that dies resets the connections it served
// (the caller sees ECONNRESET at once) and closes those it opened, whose
// bytes already on their way still arrive, as the kernel would have them.
import { Duplex } from 'node:stream';
import type { SimProcess } from './process.js';

/** The delay (ms) of the next burst one way, or undefined when the network loses it. */
export type Delay = () => number | undefined;

export interface ConnectionOptions {
  /** The process that opens it, whose death closes it; none for the user, who never dies. */
  caller?: SimProcess | undefined;
  /** The process listening at the address now; undefined when none runs. */
  listener: () => SimProcess | undefined;
  toServer: Delay;
  toClient: Delay;
  /** A long answer (GET /events): `stream.break` resets it. */
  stream: boolean;
}

/** An error as a socket gives it, with the code a caller reads (src/http/call-error.ts). */
const socketError = (code: 'ECONNREFUSED' | 'ECONNRESET') => Object.assign(new Error(`${code === 'ECONNREFUSED' ? 'connect' : 'read'} ${code}`), { code });

export class Connection {
  readonly client: SimSocket;
  private server: SimSocket | undefined;
  private accepted: SimProcess | undefined;
  private state: 'open' | 'refused' | 'reset' = 'open';
  private readonly up: Lane;
  private readonly down: Lane;

  constructor(private readonly options: ConnectionOptions) {
    this.up = new Lane(options.toServer);
    this.down = new Lane(options.toClient);
    this.client = new SimSocket((chunk) => this.up.send(() => this.arrive(chunk)));
    this.client.once('close', () => options.caller?.leave(this));
    options.caller?.join(this);
  }

  get stream(): boolean {
    return this.options.stream;
  }

  /** `process` lets go of it: one it served is reset (it died, or dropped its event streams); one it opened is closed (it died). */
  hangUp(process: SimProcess): void {
    if (process !== this.accepted) return void this.client.destroy();
    this.state = 'reset';
    this.server?.destroy();
    this.client.destroy(socketError('ECONNRESET'));
  }

  /** Bytes (null: the end) reach the server's host. */
  private arrive(chunk: Buffer | null): void {
    if (this.state !== 'open') return;
    if (!this.accepted) {
      const listener = this.options.listener();
      if (!listener) return this.refuse(chunk);
      this.accept(listener);
    }
    const server = this.server!;
    this.accepted!.run(() => {
      if (!server.destroyed) server.push(chunk);
    });
  }

  private refuse(chunk: Buffer | null): void {
    if (chunk === null) return; // a close of what never reached anyone
    this.state = 'refused';
    this.down.send(() => this.client.destroy(socketError('ECONNREFUSED')));
  }

  private accept(process: SimProcess): void {
    this.accepted = process;
    process.join(this);
    // What the server writes leaves its process (when thawed, never once dead) and crosses back.
    const server = new SimSocket((chunk) => process.run(() => this.down.send(() => this.depart(chunk))));
    server.once('close', () => process.leave(this));
    this.server = server;
    process.run(() => process.serve(server));
  }

  /** Bytes (null: the end) reach the client. */
  private depart(chunk: Buffer | null): void {
    if (this.state === 'open' && !this.client.destroyed) this.client.push(chunk);
  }
}

/**
 * One direction: chunks arrive in the order sent, each after its delay; after
 * a lost one, none. What one turn of the event loop writes goes as one burst,
 * with one delay, as a segment would.
 */
class Lane {
  private last = 0;
  private lost = false;
  private burst: { sentAt: number; deliveries: (() => void)[] } | undefined;

  constructor(private readonly delay: Delay) {}

  send(deliver: () => void): void {
    if (this.lost) return;
    if (this.burst?.sentAt === Date.now()) return void this.burst.deliveries.push(deliver);
    const wait = this.delay();
    if (wait === undefined) {
      this.lost = true;
      return;
    }
    const at = Math.max(this.last, Date.now() + wait);
    this.last = at;
    const burst = { sentAt: Date.now(), deliveries: [deliver] };
    this.burst = burst;
    setTimeout(() => {
      if (this.burst === burst) this.burst = undefined;
      for (const delivery of burst.deliveries) delivery();
    }, at - Date.now());
  }
}

/** One end of a connection, with what Node's HTTP asks of a net.Socket. */
class SimSocket extends Duplex {
  private ended = false;

  /** `send` carries each chunk written, then null once this end closes. */
  constructor(private readonly send: (chunk: Buffer | null) => void) {
    super();
  }

  override _read(): void {
    // Bytes are pushed as they arrive.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.close();
    callback(error);
  }

  /** The end goes once, after what was written. */
  private close(): void {
    if (this.ended) return;
    this.ended = true;
    this.send(null);
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}
