import { LogQueryError, logQueryString, parseSince } from '../../logs/log-line.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { managerFlag } from '../flags.js';
import { followLogs } from '../log-follow.js';
import { ManagerClient, reachError } from '../manager-client.js';
import { taskNaming, withTask } from '../resolve.js';

export const logsCommand: Command = {
  summary: "print a task's output: what its container wrote (cube logs -f ID)",
  usage: 'cube logs [flags] ID',
  about: `
Prints what the task's container wrote: its standard output on stdout, its
standard error on stderr, as docker logs does. The manager reads them from the
task's worker. A Failed task's last container is kept, so its output can be
read; a Completed task's container was removed with its output. With -f, keeps
printing until the container stops or Ctrl-C; when the manager goes (a leader
killed), it goes on through the next of -m that answers, from the last line
printed, and says so on stderr. CUBE_TOKEN is sent when set.

${taskNaming}`,
  flags: {
    follow: { type: 'boolean', short: 'f', help: 'keep printing what it writes, until its container stops or Ctrl-C' },
    tail: { type: 'string', value: 'N', help: 'only the last N lines (then follow, with -f)' },
    since: { type: 'string', value: 'TIME', help: 'only lines after TIME: a duration (10m: the last ten minutes) or an RFC 3339 time' },
    timestamps: { type: 'boolean', short: 't', help: 'start each line with the time it was written' },
    ...managerFlag,
  },
  operand: 'task',
  async run({ positionals, flags }) {
    if (positionals.length === 0) throw new UsageError('which task? give its ID: cube logs ID (cube status lists them)');
    if (positionals.length > 1) throw new UsageError(`shows one task's logs at a time, got ${positionals.length}: ${positionals.join(' ')}`);
    const tail = flags['tail'];
    if (tail !== undefined && !/^\d+$/.test(tail)) throw new UsageError(`--tail: ${JSON.stringify(tail)} is not a whole number of lines`);
    let since: number | undefined;
    try {
      since = flags['since'] === undefined ? undefined : parseSince(flags['since']);
    } catch (error) {
      if (error instanceof LogQueryError) throw new UsageError(`--${error.message}`);
      throw error;
    }
    const follow = flags['follow'] !== undefined;
    const query = { follow, tail: tail === undefined ? undefined : Number(tail), since };
    const notice = (line: string) => process.stderr.write(`cube logs: ${line}\n`);
    const client = ManagerClient.from(flags);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const opened = await withTask(client, positionals[0]!, async (id) => ({ id, first: await client.logs(id, logQueryString(query), controller.signal) }));
      const lines = followLogs(client, opened.id, opened.first, query, controller.signal, notice);
      const stamp = flags['timestamps'] !== undefined;
      for await (const line of lines) {
        const out = line.Stream === 'stderr' ? process.stderr : process.stdout;
        // A slow terminal or pipe slows the reading, all the way to the container's log.
        if (!out.write(`${stamp ? `${line.Time} ` : ''}${line.Line}\n`)) await new Promise((resolve) => out.once('drain', resolve));
      }
      return 0;
    } catch (error) {
      if (controller.signal.aborted) return 0;
      if (error instanceof TypeError || (error as Error).name === 'AbortError') {
        throw new Error(`lost the connection to the manager at ${client.url} while reading the logs (${reachError(error, 0)})`);
      }
      throw error;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
