// What a command that follows something (`cube run` a task, `cube service
// update` a rollout) shows on stderr while it waits: on a terminal, one line
// rewritten in place (a spinner, the state, the time so far, the newest news);
// elsewhere (a pipe, a CI log) each new history entry as a line of its own,
// and, when the thing has progress (a rollout's healthy copies), a line each
// time it changes, so a log keeps every step.
import type { TaskHistoryEntry } from '../vocabulary/task.js';
import { historyLine } from './views.js';

export interface LiveDisplay<T> {
  /** History already there before the follow began is not news. */
  seen(item: T): void;
  update(item: T): void;
  /** Stops the spinner and clears its line; once is enough, more is harmless. */
  end(): void;
}

export interface DisplayOptions<T> {
  /** A live line (a terminal), or a line per history entry. */
  tty: boolean;
  /** When the follow began, for the time so far. */
  started: number;
  /** The live line of the newest item (undefined before the first), cut to `columns`. */
  line(latest: T | undefined, frame: number, elapsedMs: number, columns: number): string;
  /** The history of an item, oldest first. */
  entries(item: T): readonly TaskHistoryEntry[];
  /** Where the item stands, printed as a "Progress" line (not on a terminal) each time it changes; "" prints nothing. */
  progress?(item: T): string;
}

const entryKey = (e: TaskHistoryEntry) => `${e.Time}\u0000${e.Type}\u0000${e.Message}`;

export function liveDisplay<T>(options: DisplayOptions<T>): LiveDisplay<T> {
  const err = process.stderr;
  const printed = new Set<string>();
  let latest: T | undefined;
  let frame = 0;
  let ended = false;
  let progress = '';
  const render = () => err.write(`\r\x1b[K${options.line(latest, frame++, Date.now() - options.started, err.columns || 80)}`);
  const spinner = options.tty ? setInterval(render, 100) : undefined;
  if (options.tty) render();
  return {
    seen(item) {
      for (const e of options.entries(item)) printed.add(entryKey(e));
    },
    update(item) {
      latest = item;
      if (options.tty) return void render();
      for (const e of options.entries(item)) {
        const key = entryKey(e);
        if (printed.has(key)) continue;
        printed.add(key);
        err.write(`${historyLine(e)}\n`);
      }
      const now = options.progress?.(item) ?? '';
      if (now === progress) return;
      progress = now;
      if (now) err.write(`${historyLine({ Time: new Date().toISOString(), Type: 'Progress', Message: now })}\n`);
    },
    end() {
      if (ended) return;
      ended = true;
      clearInterval(spinner);
      if (options.tty) err.write('\r\x1b[K');
    },
  };
}
