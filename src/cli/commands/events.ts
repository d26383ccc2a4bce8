import type { LogEntry } from '../../vocabulary/log-entry.js';
import type { Task } from '../../vocabulary/task.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag, outputFlags, outputOf, type Output } from '../flags.js';
import { clock } from '../format.js';
import { followEnded, ManagerClient } from '../manager-client.js';
import { withTask } from '../resolve.js';

/** One event: a task's history entry (Task set) or the manager's own (Worker Down…). */
type Entry = LogEntry;

const LOG_LIMIT = 1000;
const keyOf = (e: Entry) => `${e.Time}\u0000${e.Type}\u0000${e.Task ?? ''}\u0000${e.Message}`;
/** The manager notes some task events in its log and the task's history alike: shown once. */
const sameEvent = (e: Entry) => `${e.Time}\u0000${e.Type}\u0000${e.Task ?? ''}`;

const historyOf = (task: Task): Entry[] => (task.Events ?? []).map((e) => ({ ...e, Task: task.ID, ...(task.Worker ? { Worker: task.Worker } : {}) }));

/**
 * "13:04:05  web  Started  container 5777feea384c started": time, what it is
 * about (a task by its name, else the start of its ID), type, message.
 */
export function eventLine(e: Entry, names: ReadonlyMap<string, string> = new Map()): string {
  const subject = e.Task ? names.get(e.Task) || e.Task.slice(0, 12) : e.Worker ? `worker ${e.Worker}` : 'manager';
  return `${clock(e.Time)}  ${subject.padEnd(21)}  ${e.Type.padEnd(18)}  ${e.Message}`;
}

/** Prints entries not printed before; `seen` remembers them. */
function printer(output: Output) {
  const seen = new Set<string>();
  const shownEvents = new Set<string>();
  const names = new Map<string, string>();
  return {
    /** Tasks whose events are to come: each is shown by its name. */
    name(tasks: readonly Task[]) {
      for (const task of tasks) names.set(task.ID, task.Name);
    },
    print(entries: readonly Entry[]) {
      for (const e of entries) {
        const key = keyOf(e);
        if (seen.has(key) || (e.Task && shownEvents.has(sameEvent(e)))) continue;
        seen.add(key);
        shownEvents.add(sameEvent(e));
        process.stdout.write(output === 'json' ? `${JSON.stringify(e)}\n` : `${eventLine(e, names)}\n`);
      }
    },
    /** Entries already there: not printed again when they come back in a task's history. */
    skip(entries: readonly Entry[]) {
      for (const e of entries) {
        seen.add(keyOf(e));
        shownEvents.add(sameEvent(e));
      }
    },
  };
}

const byTime = (a: Entry, b: Entry) => a.Time.localeCompare(b.Time);

export const eventsCommand: Command = {
  summary: "show what happened: tasks' histories and the manager's events, newest last (cube events -f)",
  usage: 'cube events [flags]',
  about: `
Every task's history (Received, Placed, Started, Terminated, Restarting…) and
the manager's own events (Worker Up, Worker Down, Stop Requested…), one line
each, oldest first: time, the task's name (or the worker), type, message. With
-f, keeps printing new events as they happen (GET /events) until Ctrl-C; when
the manager goes (a leader killed), it goes on with the next of -m that
answers, says so on stderr, and prints what happened meanwhile, each event
once. CUBE_TOKEN is sent when set.`,
  flags: {
    follow: { type: 'boolean', short: 'f', help: 'keep printing new events until Ctrl-C' },
    task: { type: 'string', value: 'ID', help: "only this task's events (an ID, the start of one, or a name)", complete: 'task' },
    tail: { type: 'string', value: 'N', help: 'how many past events to show first (default 50; 0 with -f: only new ones)' },
    ...outputFlags,
    ...managerFlag,
  },
  async run({ positionals, flags }) {
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got: ${positionals.join(' ')}; cube events --task ID shows one task's`);
    const output = outputOf(flags);
    const tailText = flags['tail'] ?? '50';
    if (!/^\d+$/.test(tailText)) throw new UsageError(`--tail: ${JSON.stringify(tailText)} is not a whole number ≥ 0`);
    const tail = Number(tailText);
    const client = ManagerClient.from(flags);
    const task = flags['task'] !== undefined ? (await withTask(client, flags['task'], (id) => client.task(id))).ID : undefined;
    const wanted = (e: Entry) => task === undefined || e.Task === task;
    const out = printer(output);

    const controller = new AbortController();
    const notice = (line: string) => process.stderr.write(`cube events: ${line}\n`);
    const stream = flags['follow'] !== undefined ? await client.events(controller.signal, { notice }) : undefined;
    const [tasks, log] = await Promise.all([task ? client.task(task).then((t) => [t]) : client.tasks(), client.log(LOG_LIMIT)]);
    out.name(tasks);
    const past = [...tasks.flatMap(historyOf), ...log].filter(wanted).sort(byTime);
    const shown = tail === 0 ? [] : past.slice(-tail);
    out.skip(past.slice(0, past.length - shown.length));
    out.print(shown);
    if (!stream) return 0;

    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    // The stream's first snapshot holds what was printed above; a later one, or a `resumed`, follows a break.
    let opening = true;
    try {
      for await (const { type, data } of stream) {
        if (type === 'task.updated') {
          out.name([data.task as Task]);
          out.print(historyOf(data.task as Task).filter(wanted));
        } else if (type === 'log') out.print([data.entry as Entry].filter(wanted));
        else if ((type === 'snapshot' || type === 'resumed') && !opening) {
          // What happened during the break: the tasks' histories as they are now (a snapshot's), and the
          // manager's log, which a resumed stream does not replay; the printer leaves out what was printed.
          const now = type === 'snapshot' ? (data.tasks as Task[]) : [];
          out.name(now);
          out.print([...now.flatMap(historyOf), ...(await client.log(LOG_LIMIT))].filter(wanted).sort(byTime));
        }
        opening &&= type !== 'snapshot';
      }
      throw new Error(`the manager at ${client.url} closed its event stream`);
    } catch (error) {
      if (controller.signal.aborted) return 0;
      throw new Error(`${followEnded(error, client.url)}; run cube events -f again`);
    } finally {
      process.off('SIGINT', onSigint);
      controller.abort();
    }
  },
};
