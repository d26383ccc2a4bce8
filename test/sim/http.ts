// HTTP/1.1 over the simulated connections, both ends Node's own: the client is
// node:http's request, given the shape of fetch (what Cube's callers use), and
// the server is node:http's, serving a Koa app of src/http/app.ts. So the
// bytes between the simulated processes are what real ones exchange: Cube's
// routes, its SSE writer, and its readers of answers and events all run.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';

/** Opens a connection for a call to `url`. */
export type Dial = (url: URL) => Duplex;

/**
 * fetch over connections from `dial`, as undici's behaves to its caller: a
 * failure to connect or a reset before the answer rejects with "fetch
 * failed" and the socket's error as its cause; one while the body is read
 * errors the body ("terminated"); an abort rejects with, or errors the body
 * with, the signal's reason.
 */
export function httpClient(dial: Dial): typeof fetch {
  return ((input: string | URL, init: RequestInit = {}) => {
    const url = new URL(input);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      let failBody: ((error: unknown) => void) | undefined;
      const abort = () => {
        call.destroy();
        failBody?.(signal!.reason);
        reject(signal!.reason);
      };
      const call = request({
        method: init.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        headers: { host: url.host, ...Object.fromEntries(new Headers(init.headers)) },
        createConnection: () => dial(url),
      });
      call.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
      call.on('response', (answer) => {
        const body = answer.statusCode === 204 ? null : bodyOf(answer, (fail) => (failBody = fail));
        answer.once('close', () => signal?.removeEventListener('abort', abort));
        resolve(new Response(body, { status: answer.statusCode!, statusText: answer.statusMessage!, headers: headersOf(answer) }));
      });
      signal?.addEventListener('abort', abort, { once: true });
      call.end(typeof init.body === 'string' ? init.body : undefined);
    });
  }) as typeof fetch;
}

/** The answer's body as a web stream; `onFail` gets what ends it with an error from outside (an abort). */
function bodyOf(answer: IncomingMessage, onFail: (fail: (error: unknown) => void) => void): ReadableStream<Uint8Array> {
  let over = false; // read to the end, failed or cancelled: the answer's later events are for nobody
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const fail = (error: unknown) => {
        if (over) return;
        over = true;
        answer.destroy();
        controller.error(error);
      };
      onFail(fail);
      answer.on('data', (chunk: Buffer) => {
        if (!over) controller.enqueue(new Uint8Array(chunk));
      });
      answer.on('end', () => {
        if (over) return;
        over = true;
        controller.close();
      });
      answer.on('error', (error) => fail(new TypeError('terminated', { cause: error })));
    },
    cancel() {
      over = true;
      answer.destroy();
    },
  });
}

function headersOf(answer: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  return headers;
}

/**
 * Node's HTTP server for `app`: the returned function hands it a connection.
 * `answered` hears each request's status once the app is done with it, whether
 * or not the answer reaches the caller.
 */
export function httpServer(app: Koa, answered: (request: IncomingMessage, status: number) => void = () => undefined): (socket: Duplex) => void {
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response).then(() => answered(request, response.statusCode)));
  return (socket) => server.emit('connection', socket);
}
