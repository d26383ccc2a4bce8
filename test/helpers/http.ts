// A small HTTP client for tests: the status and the parsed JSON (or text) body.

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export const get = <T = any>(url: string, headers?: Record<string, string>) => request<T>('GET', url, undefined, headers);
export const post = <T = any>(url: string, body: unknown, headers?: Record<string, string>) => request<T>('POST', url, body, headers);
export const del = <T = any>(url: string, headers?: Record<string, string>) => request<T>('DELETE', url, undefined, headers);

/**
 * A task container's page, asked again with backoff while its server is still
 * starting to listen: Docker says Running before the process inside binds its
 * port, and the proxy in front of it resets the connection until it does.
 */
export async function pageWhenServing(url: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 500)) {
    try {
      return await (await fetch(url)).text();
    } catch (error) {
      if (Date.now() + wait > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
