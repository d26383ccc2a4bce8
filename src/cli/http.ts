// The few HTTP calls of the `cube` client commands, on node:http(s) rather
// than fetch: fetch loads its whole engine (undici) on first use, about 80 ms,
// more than the rest of `cube status` together (bench/cli-start.ts). The answer
// offers what the client reads of a fetch Response: ok, status, text(), and the
// body as a web stream for the event and log streams.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface Answer {
  ok: boolean;
  status: number;
  statusText: string;
  /** A header of the answer; undefined when absent. */
  header(name: string): string | undefined;
  text(): Promise<string>;
  /** The body as a web stream, for a reader that reads it as it comes. */
  readonly body: ReadableStream<Uint8Array>;
  /** The body's bytes as they come. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Reads no more of the body. */
  discard(): void;
}

export interface CallOptions {
  /** For https: the agent that carries the TLS options (the cluster's certificates). */
  agent?: HttpsAgent | undefined;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

function answer(response: IncomingMessage): Answer {
  const status = response.statusCode ?? 0;
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: response.statusMessage ?? '',
    header: (name) => {
      const value = response.headers[name.toLowerCase()];
      return value === undefined ? undefined : String(value);
    },
    text: async () => {
      let text = '';
      response.setEncoding('utf8');
      for await (const chunk of response) text += chunk;
      return text;
    },
    get body() {
      return Readable.toWeb(response) as unknown as ReadableStream<Uint8Array>;
    },
    chunks: response,
    discard: () => response.destroy(),
  };
}

/**
 * One request; resolves with the answer once its headers are in. An aborted
 * `signal` rejects with its reason (a TimeoutError from AbortSignal.timeout);
 * a connection that fails rejects with Node's error (its `code`: ECONNREFUSED…).
 */
export function call(url: string, options: CallOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const { signal } = options;
    if (signal?.aborted) return reject(signal.reason);
    const request = send(
      target,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.agent ? { agent: options.agent } : {}) },
      (response) => {
        signal?.removeEventListener('abort', onAbort);
        // A reader that stops (an aborted follow) ends the answer too.
        if (signal) signal.addEventListener('abort', () => response.destroy(), { once: true });
        resolve(answer(response));
      },
    );
    const onAbort = () => {
      request.destroy();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : error);
    });
    request.end(options.body);
  });
}
