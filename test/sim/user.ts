// The user: calls the manager's API over HTTP (http.ts), with no network in
// between (no delay, nothing lost), as `cube run` and `cube stop` would. A
// call the manager dies before answering gets no answer.
import { Connection } from './connection.js';
import { httpClient } from './http.js';
import type { SimProcess } from './process.js';

/** An answer as the user reads it. */
export interface Answer {
  status: number;
  body: unknown;
}

export class User {
  private readonly client: typeof fetch;

  constructor(manager: { listening(): SimProcess | undefined }) {
    const now = () => 0;
    this.client = httpClient(() => new Connection({ listener: () => manager.listening(), toServer: now, toClient: now, stream: false }).client);
  }

  /** POST /tasks with `body`. */
  post(body: unknown): Promise<Answer | undefined> {
    return this.call('POST', '/tasks', body);
  }

  /** DELETE /tasks/{id}. */
  delete(id: string): Promise<Answer | undefined> {
    return this.call('DELETE', `/tasks/${encodeURIComponent(id)}`);
  }

  /** Any call of the manager's API, as `cube service …` makes them. */
  async call(method: string, path: string, body?: unknown): Promise<Answer | undefined> {
    try {
      const response = await this.client(`http://manager:5556${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    } catch {
      return undefined; // the connection was reset: the manager died before answering
    }
  }
}
