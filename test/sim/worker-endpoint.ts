// A worker process as the network reaches it: the routes of src/worker/api.ts
// over the real WorkerService (POST /tasks through the one codec, with the
// manager's ?placement=; DELETE /tasks/{id}?placement= waiting for the stop;
// GET /tasks, and with ?since=N a manager's sync; GET /events starting with a `worker.tasks` snapshot, or with
// ?since=N the changes after version N when they are all still kept, then
// the latest stats and every message).
import { parseTaskEvent } from '../../src/task/codec.js';
import type { FromWorker } from '../../src/vocabulary/protocol.js';
import { syncAnswer } from '../../src/worker/api.js';
import type { WorkerService } from '../../src/worker/service.js';
import { answer, answerAsync, type Answer } from './answers.js';

export interface WorkerEndpoint {
  post(body: unknown, placement: string): Answer;
  delete(id: string, placement: string): Promise<Answer>;
  /** Every task; with `since`, a manager's sync: what changed after it. */
  tasks(since?: number): Answer;
  /** Opens the event stream: `send` gets the snapshot (or the changes after `since`) at once, then every message. */
  events(send: (message: FromWorker) => void, since: number | undefined): () => void;
}

export function workerEndpoint(service: WorkerService): WorkerEndpoint {
  return {
    post: (body, placement) => answer(201, () => service.run(parseTaskEvent(body).Task, placement)),
    delete: (id, placement) => answerAsync(204, async () => void (await service.stop(id, placement))),
    tasks: (since) => answer(200, () => (since === undefined ? [...service.tasks()] : syncAnswer(service, since))),
    events: (send, since) => {
      const missed = since === undefined ? undefined : service.changesSince(since);
      if (missed) missed.forEach(send);
      else send(service.listing(since));
      const stats = service.stats();
      if (stats) send({ type: 'worker.stats', worker: service.name, stats, at: new Date().toISOString() });
      return service.onMessage(send);
    },
  };
}
