// The servers' line per event on stderr (CUBE_LOG, on unless 0): every entry
// of every task's history as it is added (Received, Placed, Started,
// Terminated, Unhealthy, Restarting…) and the manager's own events (Worker Up,
// Worker Down, Stop Requested…), each once, in the words `cube events` prints.
import type { Log } from '../log.js';
import type { ManagerService } from '../manager/run/service.js';
import type { LogEntry } from '../vocabulary/log-entry.js';
import type { Task } from '../vocabulary/task.js';
import type { WorkerService } from '../worker/service.js';

const sameEvent = (time: string, type: string, task = '') => `${time}\u0000${type}\u0000${task}`;

/** Remembers what each task's history held, so only new entries are logged. */
function historyLogger(log: Log) {
  const printed = new Map<string, Set<string>>();
  return {
    task(task: Task): void {
      const before = printed.get(task.ID) ?? new Set<string>();
      const now = new Set<string>();
      for (const entry of task.Events ?? []) {
        const key = sameEvent(entry.Time, entry.Type, task.ID) + entry.Message;
        now.add(key);
        if (!before.has(key)) log(`task ${task.ID}${task.Name ? ` (${task.Name})` : ''}: ${entry.Type}: ${entry.Message}`);
      }
      printed.set(task.ID, now); // the history keeps its last entries: so does this
    },
    entry(entry: LogEntry, tasks: (id: string) => Task | undefined): void {
      // Entries about a task that its history has too (Received) are logged once, from the history.
      const task = entry.Task ? tasks(entry.Task) : undefined;
      if (task?.Events?.some((e) => e.Time === entry.Time && e.Type === entry.Type)) return;
      const about = entry.Task ? `task ${entry.Task}: ` : '';
      log(`${about}${entry.Type}: ${entry.Message}`);
    },
    seen(tasks: readonly Task[]): void {
      for (const task of tasks) printed.set(task.ID, new Set((task.Events ?? []).map((e) => sameEvent(e.Time, e.Type, task.ID) + e.Message)));
    },
  };
}

/** Logs what the manager reports, from now on; returns the function that stops it. */
export function logManagerEvents(service: ManagerService, log: Log): () => void {
  const logger = historyLogger(log);
  logger.seen(service.liveTasks()); // restored tasks: their history is not news
  const lookup = (id: string) => service.ledger().tasks.get(id);
  return service.onEvent((event) => {
    if (event.type === 'task.updated') logger.task(event.task);
    else if (event.type === 'log') logger.entry(event.entry, lookup);
  });
}

/** Logs what a worker reports of its tasks, from now on. */
export function logWorkerEvents(service: WorkerService, log: Log): () => void {
  const logger = historyLogger(log);
  logger.seen(service.liveTasks());
  return service.onMessage((message) => {
    if (message.type === 'task.updated') logger.task(message.task);
  });
}
