import { TaskState, type Task } from '../../vocabulary/task.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import type { StreamEvent } from '../../http/sse-client.js';
import { ManagerClient, refusing } from '../manager-client.js';
import { readTaskFile } from '../task-file.js';
import { DEFAULT_TIMEOUT, followStream, waitOptions, type FollowOptions } from '../wait.js';
import { liveDisplay } from '../live-display.js';
import { completedLine, failedLine, liveLine, runningLine, timeoutLine } from '../views.js';

/** Running, Failed and Completed end the wait. */
const settled = (task: Task) => task.State === TaskState.Running || task.State === TaskState.Failed || task.State === TaskState.Completed;

/**
 * Submits the task and follows it on GET /events until it runs, fails or is
 * stopped. The stream is opened before the POST, so no change can be missed.
 */
export async function follow(client: ManagerClient, event: Record<string, unknown>, source: string, options: FollowOptions): Promise<number> {
  const controller = new AbortController();
  let submitted: Task | undefined;
  const stream = await client.events(controller.signal, {
    task: () => submitted?.ID,
    notice: (line) => process.stderr.write(`cube ${options.command}: ${line}\n`),
  });
  const started = Date.now();
  try {
    submitted = await submit(client, event, source);
  } catch (error) {
    controller.abort();
    throw error;
  }
  const id = submitted.ID;
  const show = liveDisplay<Task>({ tty: options.tty, started, line: liveLine, entries: (task) => task.Events ?? [] });

  let latest: Task | undefined;
  let outcome: Task | undefined;
  // A task submitted again while Running or Failed is restarted: its old
  // state is not the answer, so wait until it has been through Pending or Scheduled.
  let restarting = false;
  let firstSnapshot = true;
  const step = ({ type, data }: StreamEvent): boolean => {
    let task: Task | undefined;
    if (type === 'snapshot') {
      task = (data.tasks as Task[]).find((t) => t.ID === id);
      if (firstSnapshot) {
        // The task as it was before this POST: its history is not news.
        firstSnapshot = false;
        if (task) {
          show.seen(task);
          restarting = task.State === TaskState.Running || task.State === TaskState.Failed;
        }
        return false;
      }
      // A snapshot after a break too long to resume: the task as it is now.
    } else if (type === 'task.updated' && data.task?.ID === id) {
      task = data.task as Task;
    }
    if (!task) return false;
    latest = task;
    show.update(latest);
    if (latest.State === TaskState.Pending || latest.State === TaskState.Scheduled) restarting = false;
    if (restarting || !settled(latest)) return false;
    outcome = latest;
    return true;
  };
  const lost = (reason: string) =>
    `lost the connection to the manager at ${client.url} while following task ${id} (${reason}); the task goes on: cube status ${id}`;
  const interrupted = await followStream(stream, controller, options.timeoutMs, show, step, lost);

  if (interrupted === 'SIGINT') {
    process.stderr.write(`cube ${options.command}: stopped watching; task ${id} goes on: cube status ${id} (cube stop ${id} stops it)\n`);
    return 130;
  }
  if (interrupted === 'timeout') {
    process.stdout.write(`${timeoutLine(latest ?? submitted, id, options.timeoutText)}\n`);
    return 1;
  }
  if (!outcome) {
    throw new Error(`the manager at ${client.url} closed its event stream while task ${id} was being followed; the task goes on: cube status ${id}`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  if (outcome.State === TaskState.Running) {
    if (!options.json) process.stdout.write(`${runningLine(outcome)}\n`);
    return 0;
  }
  if (!options.json) process.stdout.write(`${outcome.State === TaskState.Failed ? failedLine(outcome) : completedLine(outcome)}\n`);
  return 1;
}

/** POST /tasks; a refusal names the file it came from. */
export function submit(client: ManagerClient, event: Record<string, unknown>, source: string): Promise<Task> {
  return refusing(client.submit(event), `the task in ${source}`);
}

export const runCommand: Command = {
  summary: 'run a task from a JSON file and wait until it runs (cube run -f task.json)',
  usage: 'cube run -f FILE [flags]',
  about: `
Submits the task in FILE ("-" for standard input) to the manager: a TaskEvent
like {"ID": …, "State": 2, "Task": {"Name": …, "Image": …}}, or just the task
{"Image": …}. Then follows it until it is Running (exit 0), Failed (exit 1,
with the reason) or stopped. On a terminal a live line shows its state and
newest event; otherwise each event of its history is printed as it happens.
The last line (stdout) says where it runs or why it failed. CUBE_TOKEN is sent when set.`,
  flags: {
    file: { type: 'string', short: 'f', value: 'FILE', help: 'the task to run ("-": standard input)', complete: 'file' },
    detach: { type: 'boolean', short: 'd', help: 'print the task ID and return at once, without waiting' },
    json: { type: 'boolean', help: "print the task as the manager's JSON instead of a sentence" },
    timeout: { type: 'string', value: 'DURATION', help: `give up waiting after this long (default ${DEFAULT_TIMEOUT}; 0 waits forever); the task goes on` },
    ...managerFlag,
  },
  async run({ positionals, flags }) {
    const file = flags['file'] ?? positionals[0];
    if (file === undefined || file === '') throw new UsageError('which task? give its file: cube run -f task.json');
    const extra = flags['file'] !== undefined ? positionals : positionals.slice(1);
    if (extra.length) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')} (one task file per run: -f FILE)`);
    const wait = waitOptions(flags, 'run');
    const event = readTaskFile(file);
    const source = file === '-' ? 'standard input' : file;
    const client = ManagerClient.from(flags);

    if (flags['detach'] !== undefined) {
      const task = await submit(client, event, source);
      process.stdout.write(wait.json ? `${JSON.stringify(task, null, 2)}\n` : `${task.ID}\n`);
      return 0;
    }
    return follow(client, event, source, wait);
  },
};
