// --state and --worker of the listings: which tasks or workers to show. A
// value that can never match is a usage error that lists the ones that can.
import type { NodeView } from '../manager/views/node-view.js';
import { stateNameOf, stateNames, type Task } from '../vocabulary/task.js';
import { UsageError } from './args.js';

const list = (text: string) =>
  text
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);

/** The StateNames each word of --state means: "failed" is every Failed task, restarting included, as the STATE column shows it. */
const stateWords: Record<string, readonly string[]> = {
  ...Object.fromEntries(stateNames.map((name) => [name, [name]])),
  running: ['running', 'stopping'],
  failed: ['failed', 'restarting'],
};

/** The tasks `flags` ask for (--state, --worker), in the order given. */
export function filterTasks(tasks: readonly Task[], flags: Record<string, string>): Task[] {
  let shown = [...tasks];
  if (flags['state'] !== undefined) {
    const words = list(flags['state']);
    const unknown = words.filter((w) => !stateWords[w]);
    if (words.length === 0 || unknown.length) {
      throw new UsageError(`--state: ${JSON.stringify(flags['state'])} is not a state; use ${Object.keys(stateWords).join(', ')} (several with commas)`);
    }
    const wanted = new Set(words.flatMap((w) => stateWords[w]!));
    shown = shown.filter((t) => wanted.has(t.StateName) || wanted.has(stateNameOf(t.State) ?? ''));
  }
  if (flags['worker'] !== undefined) {
    const workers = new Set(
      flags['worker']
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
    );
    if (workers.size === 0) throw new UsageError('--worker: give a worker name, as cube node lists them');
    shown = shown.filter((t) => workers.has(t.Worker));
  }
  return shown;
}

const nodeStates = ['up', 'suspect', 'down', 'unknown'];

/** The workers `flags` ask for (--state). */
export function filterNodes(nodes: readonly NodeView[], flags: Record<string, string>): NodeView[] {
  if (flags['state'] === undefined) return [...nodes];
  const words = list(flags['state']);
  if (words.length === 0 || words.some((w) => !nodeStates.includes(w))) {
    throw new UsageError(`--state: ${JSON.stringify(flags['state'])} is not a worker state; use ${nodeStates.join(', ')} (several with commas)`);
  }
  return nodes.filter((n) => words.includes(n.State));
}

/** What a filtered listing that shows nothing says, so an empty answer is not mistaken for no tasks at all. */
export function filteredOut(what: string, total: number, flags: Record<string, string>): string {
  const by = ['state', 'worker'].filter((f) => flags[f] !== undefined).map((f) => `--${f} ${flags[f]}`);
  return `no ${what} match ${by.join(' ')} (${total} in all)\n`;
}
