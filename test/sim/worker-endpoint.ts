// A worker process as the network reaches it: the routes of src/worker/api.ts
// over the real WorkerService (POST /tasks through the one codec, ?ensure=1,
// DELETE waits for the stop, GET /tasks, GET /events starting with a
// `worker.tasks` snapshot and the latest stats).
import { parseTaskEvent } from '../../src/task/codec.js';
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import type { WorkerService } from '../../src/worker/service.js';
import { answer, answerAsync, type Answer } from './answers.js';

export interface WorkerEndpoint {
  post(body: unknown, ensure: boolean): Answer;
  delete(id: string): Promise<Answer>;
  tasks(): Answer;
  /** Opens the event stream: `send` gets the snapshot at once, then every message. */
  events(send: (message: FromWorker) => void): () => void;
}

export function workerEndpoint(service: WorkerService): WorkerEndpoint {
  return {
    post: (body, ensure) => answer(201, () => service.run(parseTaskEvent(body).Task, ensure)),
    delete: (id) => answerAsync(204, async () => void (await service.stop(id))),
    tasks: () => answer(200, () => service.tasks()),
    events: (send) => {
      send({ type: 'worker.tasks', worker: service.name, tasks: service.tasks(), at: new Date().toISOString() });
      const stats = service.stats();
      if (stats) send({ type: 'worker.stats', worker: service.name, stats, at: new Date().toISOString() });
      return service.onMessage(send);
    },
  };
}
