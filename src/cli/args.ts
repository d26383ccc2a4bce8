// The command line of one `cube` command, read with Node's util.parseArgs in
// strict mode: a flag the command does not take, a flag without its value, a
// value given to a switch and a stray word are UsageErrors (one line, exit 2),
// never guessed at. Values come back as strings; switches that are set as "".
import { parseArgs as parseNodeArgs } from 'node:util';

export interface Flag {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in --help ("FILE"); string flags only. */
  value?: string;
  help: string;
  /** What shell completion offers for its value: files, task IDs, or these words. */
  complete?: 'file' | 'dir' | 'task' | readonly string[];
  /** It may be given several times (--label a=1 --label b=2): the values are joined with commas. */
  multiple?: boolean;
}

export type Flags = Record<string, Flag>;

export interface Args {
  positionals: string[];
  /** Flag values by long name; switches that are set map to "". */
  flags: Record<string, string>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** How far apart two words are: edits, a swap of two neighbours counting one ("prot" is one from "port"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** " (did you mean --port?)" when flags are close to what was typed, also by their last word (--prot: --manager-port). */
function suggestion(typed: string, flags: Flags): string {
  const name = typed.replace(/^-+/, '').replace(/=.*$/, '');
  if (name.length < 2) return '';
  const close = Object.keys(flags)
    .map((flag) => ({ flag, d: Math.min(distance(name, flag), distance(name, flag.split('-').at(-1)!) + 0.5) }))
    .filter(({ flag, d }) => d <= Math.max(1.5, flag.length / 4) || (name.length >= 3 && flag.startsWith(name)))
    .sort((a, b) => a.d - b.d);
  const best = close.filter((c) => c.d === close[0]?.d).slice(0, 3);
  return best.length ? ` (did you mean ${best.map((c) => `--${c.flag}`).join(' or ')}?)` : '';
}

/** The long name of the flag util.parseArgs names in its message ("'-f, --file <value>'"). */
function flagIn(message: string, flags: Flags): string {
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const long = /--([\w-]+)/.exec(quoted)?.[1];
  if (long) return long;
  const short = /^-(\w)/.exec(quoted)?.[1];
  return Object.entries(flags).find(([, f]) => f.short === short)?.[0] ?? quoted;
}

/**
 * Parses `argv` against the flags of one command. `elsewhere` may explain an
 * unknown flag that another command takes ("a worker setting: give it to cube worker").
 */
export function parseArgs(argv: string[], flags: Flags, elsewhere?: (flag: string) => string | undefined): Args {
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]),
  );
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const typed = /'([^']*)'/.exec(message)?.[1] ?? '';
      const other = elsewhere?.(typed.replace(/=.*$/, ''));
      throw new UsageError(other ? `unknown flag ${typed}: ${other}` : `unknown flag ${typed}${suggestion(typed, flags)}`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = flagIn(message, flags);
      if (/does not take an argument/.test(message)) throw new UsageError(`--${name} takes no value`);
      const spec = flags[name];
      throw new UsageError(`--${name} needs a value${spec?.value ? ` (${spec.value})` : ''}; a value that starts with "-" is written --${name}=-…`);
    }
    throw new UsageError((message.split('\n')[0] ?? message).replace(/\.$/, ''));
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string') values[name] = value;
    else if (Array.isArray(value)) values[name] = value.join(',');
    else if (value === true) values[name] = '';
  }
  return { positionals: parsed.positionals, flags: values };
}
