// How e2e tests wait: they follow an event stream (a manager's or a worker's
// GET /events) and react to what Cube reports; nothing polls or sleeps.
import { readEvents } from '../../src/http/sse-client.js';
import type { Service } from '../../src/vocabulary/service.js';
import type { Task } from '../../src/vocabulary/task.js';

/** Follows `url`/events until `done` holds for one of its events. */
export async function untilEvent(
  url: string,
  done: (type: string, data: any) => boolean,
  timeoutMs = 45_000,
  headers: Record<string, string> = {},
): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetch(`${url}/events`, { headers, signal: abort.signal });
    for await (const { type, data } of readEvents(response.body!)) if (done(type, data)) return;
    throw new Error(`${url} closed its event stream`);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

export interface ManagerView {
  tasks: Task[];
  nodes: any[];
  services: Service[];
}

/** Follows a manager until its view of tasks and nodes satisfies `done`. */
export async function untilView(
  url: string,
  done: (view: ManagerView) => boolean,
  timeoutMs = 45_000,
  headers: Record<string, string> = {},
): Promise<ManagerView> {
  const tasks = new Map<string, Task>();
  const nodes = new Map<string, any>();
  const services = new Map<string, Service>();
  let view: ManagerView = { tasks: [], nodes: [], services: [] };
  await untilEvent(
    url,
    (type, data) => {
      if (type === 'snapshot') {
        for (const task of data.tasks as Task[]) tasks.set(task.ID, task);
        for (const node of data.nodes) nodes.set(node.Name, node);
        for (const service of (data.services ?? []) as Service[]) services.set(service.Name, service);
      } else if (type === 'task.updated') tasks.set(data.task.ID, data.task);
      else if (type === 'node.updated') nodes.set(data.node.Name, data.node);
      else if (type === 'service.updated') services.set(data.service.Name, data.service);
      else if (type === 'service.removed') services.delete(data.service);
      view = { tasks: [...tasks.values()], nodes: [...nodes.values()], services: [...services.values()] };
      return done(view);
    },
    timeoutMs,
    headers,
  );
  return view;
}
