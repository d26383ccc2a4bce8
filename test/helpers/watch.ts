// Follows a manager's GET /events until its view of tasks and nodes satisfies
// a condition: how e2e tests wait, reacting to what Cube reports.
import { readEvents } from '../../src/http/sse-client.js';
import type { Task } from '../../src/task/types.js';

export interface ManagerView {
  tasks: Task[];
  nodes: any[];
}

export async function untilView(url: string, done: (view: ManagerView) => boolean, timeoutMs = 60_000): Promise<ManagerView> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await fetch(`${url}/events`, { signal: abort.signal });
    const tasks = new Map<string, Task>();
    const nodes = new Map<string, any>();
    for await (const { type, data } of readEvents(response.body!)) {
      if (type === 'snapshot') {
        for (const task of data.tasks as Task[]) tasks.set(task.ID, task);
        for (const node of data.nodes) nodes.set(node.Name, node);
      } else if (type === 'task.updated') tasks.set(data.task.ID, data.task);
      else if (type === 'node.updated') nodes.set(data.node.Name, data.node);
      const view = { tasks: [...tasks.values()], nodes: [...nodes.values()] };
      if (done(view)) return view;
    }
    throw new Error('the manager closed its event stream');
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
