// A client in front of a service, as a load balancer that knows the service's
// endpoints would be: every period it picks one of the endpoints it knows at
// random and GETs it, and counts the requests that fail. Who tells it the
// endpoints is the caller's business (Cube's GET /events, Docker's events).
//
// Each request opens its own connection (no keep-alive), so a request is
// answered by the endpoint it picked, and a stopped server shows as a failure
// at once rather than on a pooled socket's next use.
import { request } from 'node:http';

export interface Endpoint {
  host: string;
  port: number;
}

export interface Failure {
  /** Milliseconds after the client started. */
  atMs: number;
  endpoint: string;
  reason: string;
}

export interface ClientResult {
  requests: number;
  failures: Failure[];
  /**
   * The longest stretch with nothing answering, in ms: from the first of a
   * run of failed requests to the next that was answered (or the end); 0 when
   * none failed. Requests go out a period apart, so it is at least a period.
   */
  gapMs: number;
}

/** One GET of `/`: undefined when it was answered 2xx, else why not. */
function get({ host, port }: Endpoint, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode! >= 200 && response.statusCode! < 300 ? undefined : `answered ${response.statusCode}`));
      response.on('error', (error) => resolve(error.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
    req.end();
  });
}

export class PickingClient {
  private endpoints: readonly Endpoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private requests = 0;
  private readonly failures: Failure[] = [];
  /** When each answered request was sent (ms after the start), to find the gaps. */
  private readonly answered: number[] = [];
  private begin = 0;

  constructor(
    private readonly periodMs = 50,
    private readonly timeoutMs = 2000,
  ) {}

  /** The endpoints to pick from from now on. */
  use(endpoints: readonly Endpoint[]): void {
    this.endpoints = endpoints;
  }

  start(): void {
    this.begin = performance.now();
    this.timer = setInterval(() => this.fire(), this.periodMs);
  }

  /** Stops sending, waits for the requests still out, and says how it went. */
  async stop(): Promise<ClientResult> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
    const end = Math.round(performance.now() - this.begin);
    return { requests: this.requests, failures: this.failures, gapMs: this.longestGap(end) };
  }

  private longestGap(end: number): number {
    const sent = [...this.answered.map((at) => ({ at, ok: true })), ...this.failures.map((f) => ({ at: f.atMs, ok: false }))].sort((x, y) => x.at - y.at);
    let longest = 0;
    let since: number | undefined; // the first failure since the last answer
    for (const { at, ok } of sent) {
      if (!ok) since ??= at;
      else if (since !== undefined) {
        longest = Math.max(longest, at - since);
        since = undefined;
      }
    }
    return since === undefined ? longest : Math.max(longest, end - since);
  }

  private fire(): void {
    this.requests++;
    const atMs = Math.round(performance.now() - this.begin);
    // A moment with nothing to pick fails the request a user would have sent.
    if (this.endpoints.length === 0) {
      this.failures.push({ atMs, endpoint: '', reason: 'no endpoint to pick' });
      return;
    }
    const endpoint = this.endpoints[Math.floor(Math.random() * this.endpoints.length)]!;
    const done = get(endpoint, this.timeoutMs).then((reason) => {
      if (reason) this.failures.push({ atMs, endpoint: `${endpoint.host}:${endpoint.port}`, reason });
      else this.answered.push(atMs);
      this.inFlight.delete(done);
    });
    this.inFlight.add(done);
  }
}
