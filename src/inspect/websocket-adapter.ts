// Sends inspection events over a WebSocket, reconnecting with backoff. The
// package's own adapter retries every 5 s on a timer that stop() does not
// cancel, so a stopped Cube would keep reconnecting and not exit; this one
// stops for good. Events while disconnected wait in a short buffer.
import { configure } from 'safe-stable-stringify';
import WebSocket from 'ws';
import { backoff } from '../backoff.js';

const stringify = configure({ maximumDepth: 10, circularValue: '[Circular]' });

/** Reconnects wait 100 ms, doubled up to 5 s. */
const FIRST_WAIT = backoff(100, 5000);

export interface AdapterOptions {
  url: string;
  /** Events kept while disconnected; the oldest go first. */
  buffer?: number;
  onState?: (state: 'open' | 'closed', detail: string) => void;
}

export class ReconnectingWebSocketAdapter {
  private socket: WebSocket | undefined;
  private waiting: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private wait = FIRST_WAIT;
  private stopped = false;

  constructor(private readonly options: AdapterOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket?.terminate();
    this.socket = undefined;
  }

  send(event: unknown): void {
    const text = stringify(event) ?? 'null';
    if (this.socket?.readyState === WebSocket.OPEN) return this.socket.send(text);
    this.waiting.push(text);
    if (this.waiting.length > (this.options.buffer ?? 500)) this.waiting.shift();
  }

  private connect(): void {
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    socket.on('open', () => {
      this.wait = FIRST_WAIT;
      this.options.onState?.('open', this.options.url);
      for (const text of this.waiting.splice(0)) socket.send(text);
    });
    socket.on('error', () => undefined); // 'close' follows, and retries
    socket.on('close', () => {
      if (this.stopped) return;
      this.options.onState?.('closed', `no inspector relay at ${this.options.url}; retrying`);
      this.timer = setTimeout(() => this.connect(), this.wait.ms);
      this.wait = this.wait.next();
    });
  }
}
