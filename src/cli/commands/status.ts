import { stateNames } from '../../vocabulary/task.js';
import type { Task } from '../../vocabulary/task.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { filteredOut, filterTasks } from '../filters.js';
import { managerFlag, noTruncFlag, outputFlags, outputOf, type Output } from '../flags.js';
import { followEnded, ManagerClient } from '../manager-client.js';
import { taskNaming, withTask } from '../resolve.js';
import { noTasksMessage, statusTable, taskDetail } from '../views.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function listing(tasks: readonly Task[], flags: Record<string, string>, output: Output): string {
  const shown = filterTasks(tasks, flags);
  if (output === 'json') return json(shown);
  if (shown.length === 0 && tasks.length > 0) return filteredOut('tasks', tasks.length, flags);
  return shown.length === 0 ? noTasksMessage : statusTable(shown, Date.now(), flags['no-trunc'] !== undefined);
}

/**
 * `cube status -w`: the table again on every change the manager reports (GET
 * /events), until Ctrl-C. On a terminal the screen is redrawn in place (and
 * each second, so CREATED stays true); elsewhere each new table is printed
 * under the last. With -o json, each task as it changes, one JSON per line.
 */
async function watch(client: ManagerClient, flags: Record<string, string>, output: Output): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const stream = await client.events(controller.signal, { notice: (line) => process.stderr.write(`cube status: ${line}\n`) });
  const tasks = new Map<string, Task>();
  const tty = Boolean(process.stdout.isTTY) && output === 'table';
  let pending: NodeJS.Timeout | undefined;
  const draw = () => {
    pending = undefined;
    const text = listing([...tasks.values()], flags, 'table');
    process.stdout.write(tty ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
  };
  // A burst of changes is drawn once: the next draw waits for the burst to pass.
  const changed = () => (pending ??= setTimeout(draw, 50));
  const tick = tty ? setInterval(draw, 1000) : undefined;
  try {
    for await (const { type, data } of stream) {
      if (type === 'snapshot') {
        tasks.clear();
        for (const task of data.tasks as Task[]) tasks.set(task.ID, task);
        if (output === 'json') for (const task of filterTasks([...tasks.values()], flags)) process.stdout.write(`${JSON.stringify(task)}\n`);
        else draw();
      } else if (type === 'task.updated') {
        const task = data.task as Task;
        tasks.set(task.ID, task);
        if (output === 'json') for (const shown of filterTasks([task], flags)) process.stdout.write(`${JSON.stringify(shown)}\n`);
        else changed();
      }
    }
    throw new Error(`the manager at ${client.url} closed its event stream`);
  } catch (error) {
    if (controller.signal.aborted) return 0;
    throw new Error(`${followEnded(error, client.url)}; run cube status -w again`);
  } finally {
    clearTimeout(pending);
    clearInterval(tick);
    process.off('SIGINT', onSigint);
    controller.abort();
  }
}

export const statusCommand: Command = {
  summary: 'show tasks: a table of all, or one task with its history (cube status [ID])',
  usage: 'cube status [ID] [flags]',
  about: `
Without ID: every task the manager knows, one row each, in the order they came:
ID, NAME, CREATED, STATE, CONTAINER, IMAGE, RESTARTS, WORKER, then how many
finished tasks were pruned (CUBE_RETENTION, CUBE_RETENTION_MAX); the manager is
read a page at a time, and --limit shows one page. IDs are shown by their first
12 characters (a service copy's by its last group), and IMAGE and WORKER are cut
to fit 120 columns (or a wider terminal), unless --no-trunc. With ID: that
task's fields (worker, container, ports, times, reason) and its history.
CUBE_TOKEN is sent when set.

${taskNaming}`,
  flags: {
    ...outputFlags,
    state: {
      type: 'string',
      value: 'STATE',
      help: 'only tasks in these states: pending, scheduled, running, stopping, completed, failed, restarting (commas for several)',
      complete: stateNames,
    },
    worker: { type: 'string', value: 'NAME', help: 'only tasks placed on these workers (commas for several)' },
    watch: { type: 'boolean', short: 'w', help: 'keep watching: the table again on every change, until Ctrl-C' },
    quiet: { type: 'boolean', short: 'q', help: 'only the IDs, one a line (for scripts and shell completion)' },
    ...noTruncFlag,
    limit: { type: 'string', value: 'N', help: 'only the first N tasks (one page of GET /tasks); the command for the next page follows' },
    continue: { type: 'string', value: 'TOKEN', help: 'the page after the one that gave TOKEN (with --limit)' },
    ...managerFlag,
  },
  operand: 'task',
  async run({ positionals, flags }) {
    if (positionals.length > 1) throw new UsageError(`expected at most one task ID, got ${positionals.length}: ${positionals.join(' ')}`);
    const output = outputOf(flags);
    const client = ManagerClient.from(flags);
    const id = positionals[0];
    if (id !== undefined) {
      const filters = ['state', 'worker', 'watch', 'quiet', 'no-trunc'].filter((f) => flags[f] !== undefined);
      if (filters.length)
        throw new UsageError(`--${filters[0]} applies to the list of tasks, not to one task: cube status ${filters.map((f) => `--${f}`).join(' ')}`);
      const task = await withTask(client, id, (x) => client.task(x));
      process.stdout.write(output === 'json' ? json(task) : taskDetail(task));
      return 0;
    }
    filterTasks([], flags); // a bad --state is a usage error before anything is asked
    if (flags['quiet'] !== undefined) {
      if (flags['watch'] !== undefined || flags['output'] !== undefined || flags['json'] !== undefined)
        throw new UsageError('-q prints IDs only: it goes with no -w, -o or --json');
      process.stdout.write(
        filterTasks(await client.tasks(), flags)
          .map((t) => `${t.ID}\n`)
          .join(''),
      );
      return 0;
    }
    if (flags['watch'] !== undefined) return watch(client, flags, output);
    const limit = flags['limit'] === undefined ? undefined : Number(flags['limit']);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 10_000))
      throw new UsageError(`--limit: expected a whole number 1…10000 (tasks per page), got ${JSON.stringify(flags['limit'])}`);
    if (flags['continue'] !== undefined && limit === undefined) throw new UsageError('--continue goes with --limit: cube status --limit N --continue TOKEN');
    const { tasks, pruned, next } = limit === undefined ? { ...(await client.allTasks()), next: '' } : await client.page(limit, flags['continue'] ?? '');
    process.stdout.write(listing(tasks, flags, output));
    if (output === 'table' && pruned > 0)
      process.stdout.write(`${pruned} finished task(s) pruned so far (kept for CUBE_RETENTION, at most CUBE_RETENTION_MAX); cube gc prunes now\n`);
    if (output === 'table' && next) process.stdout.write(`more: cube status --limit ${limit} --continue ${next}\n`);
    return 0;
  },
};
